// What stats and diff keep of one record: its figures (added up per split) and a few hashes and
// a short excerpt (kept per record, for matching two versions). Made on the pipeline's workers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chatfmt/stats.hpp"
#include "core/conversation.hpp"
#include "lint/record_facts.hpp"

namespace chatfmt::stats {

/// lint's facts (exact, loose and first-prompt hashes, encodings, tools called, system) and more.
struct RecordSummary : lint::RecordFacts {
  std::array<std::uint32_t, 4> messages_by_role{};  ///< by Role
  std::uint64_t chars = 0;
  std::optional<std::uint64_t> tokens;  ///< with --tokenizer, when the target renders the record
  std::uint32_t tool_results = 0;
  std::uint64_t system_hash = 0;                    ///< 0: no system prompt
  std::uint64_t content = 0;                        ///< content_hash: the conversation, whatever its encoding
  std::uint64_t identity = 0;                       ///< content, encodings and tool list: "the same record"
  std::uint64_t first_user = 0;                     ///< the first user prompt as written (0: none)
  std::array<std::uint64_t, kRecordParts> parts{};  ///< a hash per RecordPart; 0 when the part is empty
  bool text_with_calls = false;                     ///< some assistant text sits in a message that also calls a tool
  /// assistant_text in two halves, to say how it changed: the text of messages that call a tool
  /// (what leads up to a call) and of the others (answers). 0 when empty.
  std::uint64_t lead_text = 0;
  std::uint64_t answer_text = 0;

  void clear_summary();
};

/// Fills `summary` (cleared first) from a conversation read.
void summarize(const Conversation& conversation, RecordSummary& summary);

/// The texts of one part of a conversation, joined, for an example of a change.
std::string part_text(const Conversation& conversation, RecordPart part);

/// The part name's index, and the parts in report order.
inline std::size_t part_index(RecordPart part) { return static_cast<std::size_t>(part); }

}  // namespace chatfmt::stats
