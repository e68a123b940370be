// Target-independent checks and fixes between reading and writing: results linked to calls,
// tool-call ids made valid, the tool list resolved, foreign delimiters caught.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "chatfmt/convert.hpp"
#include "core/conversation.hpp"

namespace chatfmt::detail {

/// Throws RecordError naming the rule a conversation breaks. `default_tools`: the --tools list
/// (nullptr: none). Derived call ids are seeded with `record_hash`, by default
/// content_hash(conversation) (computed only when an id is derived), so the ids depend on what the
/// record says, not on how its line is spelled.
void normalize(Conversation& conversation, const ConvertOptions& options, const SharedToolList& default_tools,
               std::optional<std::uint64_t> record_hash = std::nullopt);

/// The id a call without a valid one gets: 9 base-62 characters of XXH3 over
/// {record_hash, message_index, call_index}; `attempt` > 0 gives the alternatives tried when an id
/// is already taken in the record.
std::string derive_call_id(std::uint64_t record_hash, std::size_t message_index, std::size_t call_index,
                           std::uint64_t attempt = 0);

/// The tool list inferred from a conversation's calls (docs/formats.md, "Tools").
Json infer_tools(const Conversation& conversation);

/// The functions of an OpenAI tool list (entries with or without a "function" wrapper) by name;
/// the first definition of a name wins. It scans the list for the first few lookups and builds a
/// hash index only when asked more often, so a record with a few calls costs what a scan costs and
/// one with 40,000 calls against 40,000 tools stays linear. `tools` must outlive it, unchanged.
class ToolIndex {
 public:
  explicit ToolIndex(const Json* tools) : tools_(tools) {}
  /// The function object named `name` (the entry's "function", or the entry itself), or nullptr.
  const Json* find(std::string_view name) const;

 private:
  const Json* tools_;
  mutable std::size_t scans_ = 0;
  mutable bool indexed_ = false;
  mutable std::unordered_map<std::string_view, const Json*> index_;
};

}  // namespace chatfmt::detail
