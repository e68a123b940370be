// JSON values as chatfmt carries them: ordered objects (key order is training signal and the
// chat templates keep it), serialized the way the official chat templates' `tojson` does.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace chatfmt {

/// An ordered JSON value. Objects keep insertion order; a duplicate key keeps its first position
/// and takes the last value, as Python's json.loads does.
using Json = nlohmann::ordered_json;

/// Where a JSON text stopped being valid: 1-based line and column inside that text.
struct JsonErrorPosition {
  std::size_t line = 0;
  std::size_t column = 0;
};

/// A JSON text that could not be parsed.
struct JsonParseError {
  std::string message;  ///< what is wrong, e.g. "invalid string: forbidden character after backslash"
  std::optional<JsonErrorPosition> position;
  std::string describe() const;  ///< "line 4, column 27: <message>" or just the message
};

/// Parses a JSON text (simdjson). Returns the value, or fills `error` and returns nullopt.
std::optional<Json> parse_json(std::string_view text, JsonParseError& error);

/// Appends `value` as Python's json.dumps(value, ensure_ascii=False) writes it:
/// separators ", " and ": ", key order kept, floats in Python's repr, NaN/Infinity literals.
void append_python_json(std::string& out, const Json& value);
std::string python_json(const Json& value);

/// Python's str(value), which Jinja's `|string` and `~` apply: a string as it is; True, False,
/// None; floats in repr (nan, inf); lists and dicts in Python's repr ({'a': [1, True]}).
std::string python_str(const Json& value);

/// Appends `text` as a JSON string literal, escaped as json.dumps(ensure_ascii=False) does.
void append_json_string(std::string& out, std::string_view text);
/// The same without the quotes. Each byte is escaped on its own, so the body of a concatenation is
/// the concatenation of the bodies: a piece escaped once can be reused inside longer strings.
void append_json_string_body(std::string& out, std::string_view text);

/// Python's repr() of a float (shortest round trip; exponent form below 1e-4 and from 1e16).
std::string python_float_repr(double value);

}  // namespace chatfmt
