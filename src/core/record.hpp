// One JSONL line to a Conversation: parse (simdjson), pick the reader by record shape, read.
#pragma once

#include <string_view>

#include "chatfmt/format.hpp"

namespace chatfmt::detail {

/// Throws RecordError ("invalid-json", "record-shape", or the reader's own rules).
/// `shape`, when given, receives the name of the reader that took the record.
Conversation read_record(std::string_view line, const SourceRef& source, const ReadOptions& options,
                         std::string_view* shape = nullptr);

}  // namespace chatfmt::detail
