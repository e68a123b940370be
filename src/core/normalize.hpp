// Target-independent checks and fixes between reading and writing: results linked to calls,
// tool-call ids made valid, the tool list resolved, foreign delimiters caught.
#pragma once

#include <string_view>

#include "chatfmt/pipeline.hpp"

namespace chatfmt::detail {

/// Throws RecordError naming the rule a conversation breaks. `record_bytes` seeds derived ids.
void normalize(Conversation& conversation, const ConvertOptions& options, std::string_view record_bytes);

/// The tool list inferred from a conversation's calls (docs/formats.md, "Tools").
Json infer_tools(const Conversation& conversation);

/// Chat-control strings of any supported format that must not appear inside converted text.
const std::vector<std::string_view>& foreign_delimiters();

}  // namespace chatfmt::detail
