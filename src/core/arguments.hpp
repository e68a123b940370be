// A tool call's arguments written straight as json.dumps text from what a reader parsed (simdjson
// values, XML parameter strings): no JSON tree is built for a call on the record path.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/conversation.hpp"

namespace chatfmt::detail {

/// Appends `value` as append_python_json(to_json(value)) would: the same text without the tree
/// (objects as json.loads keeps them: each key once, first position, last value).
void append_python_json(std::string& out, simdjson::dom::element value);

/// The JSON type name of a parsed value (json_type_name of the Json that to_json makes of it).
std::string_view json_type_name(simdjson::dom::element value);

/// Collects one call's arguments, key by key, into json.dumps text and its signature.
class ArgumentsBuilder {
 public:
  /// `expected_size`: about how long the text will be (the source's length), reserved up front.
  explicit ArgumentsBuilder(std::size_t expected_size = 0);
  /// A string value.
  void add_string(std::string_view key, std::string_view value);
  /// A parsed JSON value.
  void add(std::string_view key, simdjson::dom::element value);
  /// A value written as JSON text already (`true`, `null`), with its type.
  void add_literal(std::string_view key, std::string_view json_text, JsonType type);
  /// Every field of a parsed object.
  void add_fields(simdjson::dom::object object);
  /// Hands the arguments to `call`.
  void finish(ToolCall& call);

 private:
  void add_key(std::string_view key, std::string_view type_name);
  std::string text_;
  std::string signature_;
};

/// One top-level entry of arguments text: the key and, for a string, its value, both unescaped;
/// for anything else the value's text as written (a container's json.dumps, `true`, `1.5`).
struct ArgumentEntry {
  std::string_view key;
  std::string_view value;
  bool is_string = false;
};

/// Calls `visit(const ArgumentEntry&)` for each entry of `text`, an object as append_python_json
/// writes one (what ToolCall::arguments_json() holds), without a parser or a tree. The views live
/// until the next entry. Throws std::logic_error when `text` is not of that form.
template <class Visit>
void for_each_argument(std::string_view text, Visit&& visit);

/// The pieces for_each_argument is made of: the end of the string literal starting at `at`, its
/// unescaped contents appended to `out`; the end of the JSON value starting at `at`.
std::size_t read_json_string(std::string_view text, std::size_t at, std::string& out);
std::size_t skip_json_value(std::string_view text, std::size_t at);
[[noreturn]] void malformed_arguments(std::string_view text);

template <class Visit>
void for_each_argument(std::string_view text, Visit&& visit) {
  thread_local std::string key;
  thread_local std::string value;
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') malformed_arguments(text);
  std::size_t at = 1;
  if (text.size() == 2) return;
  for (;;) {
    key.clear();
    at = read_json_string(text, at, key);
    if (text.substr(at, 2) != ": ") malformed_arguments(text);
    at += 2;
    ArgumentEntry entry;
    entry.key = key;
    if (at < text.size() && text[at] == '"') {
      value.clear();
      at = read_json_string(text, at, value);
      entry.value = value;
      entry.is_string = true;
    } else {
      const std::size_t end = skip_json_value(text, at);
      entry.value = text.substr(at, end - at);
      at = end;
    }
    visit(static_cast<const ArgumentEntry&>(entry));
    if (at + 1 == text.size()) return;  // the closing brace
    if (text.substr(at, 2) != ", ") malformed_arguments(text);
    at += 2;
  }
}

/// A simdjson parser for a JSON text found inside a record (a call written as JSON, an arguments
/// string, an XML parameter value) while the record's own document is still in use: each one
/// alive at a time on a thread gets a parser of its own, kept for the thread's next records.
class NestedParser {
 public:
  NestedParser();
  ~NestedParser();
  NestedParser(const NestedParser&) = delete;
  NestedParser& operator=(const NestedParser&) = delete;
  simdjson::dom::parser& get() { return *parser_; }

 private:
  simdjson::dom::parser* parser_;
};

}  // namespace chatfmt::detail
