// Tool calls and results written inside message text, decoded by the encodings of the one table
// (registry.cpp), for the readers of every record shape that carries such text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "format.hpp"

namespace chatfmt::embedded {

struct DecodedAssistant {
  std::string content;  ///< text before the first call, trailing whitespace removed
  std::vector<ToolCall> calls;
  EncodingSet encodings = 0;
};

/// Finds every tool call in an assistant text, whichever encodings write them, into `message`
/// (its content and calls empty). Throws RecordError.
void decode_assistant(std::string_view text, const ReadContext& context, Message& message);
/// The same, returned.
DecodedAssistant decode_assistant(std::string_view text, const ReadContext& context);

/// Appends the message(s) one turn holds: assistant text searched for calls; a user or tool turn
/// that an encoding reads as results becomes one tool message per result. `tool_call_id`: the id
/// a structured tool message gives. Throws RecordError.
void append_turn(Conversation& conversation, Role role, std::string_view content, const ReadContext& context,
                 std::string_view tool_call_id = {});

/// The encodings' checks of a whole conversation, once every turn is read. Throws RecordError.
void check_conversation(const Conversation& conversation, const ReadSetup& setup);

}  // namespace chatfmt::embedded
