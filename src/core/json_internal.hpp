// simdjson → Json conversion shared by the readers; not part of the public API.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/json.hpp"

namespace chatfmt::detail {

/// One field of a JSON object as Python's json.loads keeps it.
struct Field {
  std::string_view key;
  simdjson::dom::element value;
};

/// The fields of `object` as json.loads reads them into a dict: each distinct key once, at the
/// position of its first occurrence, with the value of its last. simdjson's DOM keeps every
/// occurrence and `object["key"]` finds the first, so readers walk objects only through this (or
/// find_field) and the training text is what Python would make of the same line.
///
/// Records, messages and calls have a handful of keys: up to kInlineFields are held in the list
/// itself, so building one costs no allocation, no thread-local and no hash map. Bigger objects
/// move to a vector lent by the calling thread's pool and given back when the list is destroyed,
/// so walking a record's objects allocates nothing once the pool has grown to the record's
/// nesting depth. A list points into itself: it is neither copied nor moved.
class FieldList {
 public:
  explicit FieldList(simdjson::dom::object object);
  ~FieldList() {
    if (spilled_.capacity() != 0) give_back();
  }
  FieldList(const FieldList&) = delete;
  FieldList& operator=(const FieldList&) = delete;
  const Field* begin() const { return data_; }
  const Field* end() const { return data_ + size_; }
  std::size_t size() const { return size_; }
  const Field& operator[](std::size_t i) const { return data_[i]; }

 private:
  static constexpr std::size_t kInlineFields = 8;
  /// Appends `field` to the `size` fields at `data`, past the inline ones, and returns where the
  /// fields are now.
  Field* push_back_spilled(const Field* data, std::size_t size, const Field& field);
  void give_back();

  Field* data_;
  std::size_t size_ = 0;
  // Uninitialized until used: Field is trivially copyable and destructible.
  alignas(Field) unsigned char inline_[kInlineFields * sizeof(Field)];
  std::vector<Field> spilled_;  // past kInlineFields, from the pool
};

inline FieldList unique_fields(simdjson::dom::object object) { return FieldList(object); }

/// The value json.loads keeps for `key` (its last occurrence), or nullopt when the key is absent.
std::optional<simdjson::dom::element> find_field(simdjson::dom::object object, std::string_view key);

/// Converts a parsed simdjson element into an ordered Json value (duplicate keys: first
/// position, last value, as Python's json.loads).
Json to_json(simdjson::dom::element element);

/// Explains why `text` is not valid JSON, with the position where it stops being valid.
JsonParseError diagnose_json(std::string_view text, simdjson::error_code simdjson_error);

/// The simdjson parser of the calling thread for whole records (parsers are reusable and not
/// thread-safe; parse_json() has its own, so nested parses leave the record's document intact).
simdjson::dom::parser& thread_parser();

}  // namespace chatfmt::detail
