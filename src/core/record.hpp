// One JSONL line to a Conversation: parse (simdjson), pick the reader by record shape, read.
#pragma once

#include <string_view>

#include "format.hpp"

namespace chatfmt::detail {

/// Parses one line into a JSON object (valid until the calling thread parses another record).
/// Throws RecordError ("invalid-json", "record-shape").
simdjson::dom::object parse_record(std::string_view line);

/// Picks the reader by the record's shape and reads it into `conversation` (recycle()d first, so
/// a conversation kept between records reuses its memory). Throws RecordError.
void read_parsed_record(simdjson::dom::object record, const SourceRef& source, const ReadSetup& setup,
                        Conversation& conversation, std::string_view* shape = nullptr);
/// The same into a new conversation.
Conversation read_parsed_record(simdjson::dom::object record, const SourceRef& source, const ReadSetup& setup,
                                std::string_view* shape = nullptr);

/// parse_record, then read_parsed_record.
/// `shape`, when given, receives the name of the reader that took the record.
Conversation read_record(std::string_view line, const SourceRef& source, const ReadSetup& setup,
                         std::string_view* shape = nullptr);

/// Parses an OpenAI tool list (a list, or an object with "tools"); `origin` names it in errors
/// ("tools.json"). Throws UsageError with origin:line:col.
Json parse_tool_list(std::string_view text, const std::string& origin);

}  // namespace chatfmt::detail
