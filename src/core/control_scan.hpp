// One pass over a text for every control string of the table (the foreign-delimiter rule): the
// scan jumps between the bytes a control string can start with, sixteen bytes at a time, and
// compares candidates only there — instead of one search of the whole text per control string.
#pragma once

#include <array>
#include <string_view>
#include <vector>

namespace chatfmt::detail {

class ControlStringScanner {
 public:
  /// A scanner for `strings` (none empty), e.g. control_strings_of_all_formats().
  explicit ControlStringScanner(const std::vector<std::string_view>& strings);
  /// The scanner for every control string of every format.
  static const ControlStringScanner& all_formats();

  /// Whether `text` contains any of the strings.
  bool contains_any(std::string_view text) const;
  /// The first of the strings, in their order, that `text` contains (for messages; slow), or "".
  std::string_view first_contained(std::string_view text) const;
  /// Whether every string is printable ASCII without '"' or '\\': then a JSON serialization
  /// writes each string as it is, and contains one exactly when one of its strings or keys does
  /// (JSON puts only quotes, separators and escapes between or around them).
  bool verbatim_in_json() const { return verbatim_in_json_; }

 private:
  std::vector<std::string_view> strings_;
  std::array<std::vector<std::string_view>, 256> by_first_byte_{};
  std::vector<char> first_bytes_;  // distinct first bytes
  bool verbatim_in_json_ = true;
};

}  // namespace chatfmt::detail
