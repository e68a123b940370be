// One JSONL line to a Conversation: parse (simdjson), pick the reader by record shape, read.
#pragma once

#include <string_view>

#include "chatfmt/format.hpp"

namespace chatfmt::detail {

/// Parses one line into a JSON object (valid until the calling thread parses another record).
/// Throws RecordError ("invalid-json", "record-shape").
simdjson::dom::object parse_record(std::string_view line);

/// Picks the reader by the record's shape and reads it. Throws RecordError.
Conversation read_parsed_record(simdjson::dom::object record, const SourceRef& source, const ReadOptions& options,
                                std::string_view* shape = nullptr);

/// parse_record, then read_parsed_record.
/// `shape`, when given, receives the name of the reader that took the record.
Conversation read_record(std::string_view line, const SourceRef& source, const ReadOptions& options,
                         std::string_view* shape = nullptr);

}  // namespace chatfmt::detail
