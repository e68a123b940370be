// simdjson → Json conversion shared by the readers; not part of the public API.
#pragma once

#include <simdjson.h>

#include "chatfmt/json.hpp"

namespace chatfmt::detail {

/// Converts a parsed simdjson element into an ordered Json value (duplicate keys: first
/// position, last value, as Python's json.loads).
Json to_json(simdjson::dom::element element);

/// Explains why `text` is not valid JSON, with the position where it stops being valid.
JsonParseError diagnose_json(std::string_view text, simdjson::error_code simdjson_error);

/// The simdjson parser of the calling thread for whole records (parsers are reusable and not
/// thread-safe; parse_json() has its own, so nested parses leave the record's document intact).
simdjson::dom::parser& thread_parser();

}  // namespace chatfmt::detail
