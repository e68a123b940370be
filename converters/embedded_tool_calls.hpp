// Tool calls and tool results written inside message text (Qwen conventions), shared by the
// readers of every record shape that carries such text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatfmt/conversation.hpp"

namespace chatfmt::detail {
class ToolIndex;  // core/normalize.hpp
}

namespace chatfmt::embedded {

struct DecodedAssistant {
  std::string content;  ///< text before the first call, trailing whitespace removed
  std::vector<ToolCall> calls;
  EncodingSet encodings = 0;
};

/// Finds every tool call in an assistant text (Code Mode XML, direct XML, JSON in tags, JSON in a
/// ```json fence, bare code in tags). `where` prefixes messages ("messages[2].content").
/// `tools` types XML parameter values. Throws RecordError.
DecodedAssistant decode_assistant(std::string_view text, std::string_view where, const Json* tools);
/// The same, with the tool list indexed once for a whole record (readers decode many messages).
DecodedAssistant decode_assistant(std::string_view text, std::string_view where, const detail::ToolIndex& tools);

/// The bodies of the <tool_response> blocks of a user text, or nullopt when it has none.
/// Throws RecordError when the text mixes blocks with other text or a block is unclosed.
std::optional<std::vector<std::string>> decode_tool_responses(std::string_view text, std::string_view where);

/// Turns a tool call's arguments given as JSON text or as an object into an object.
Json arguments_object(const Json& arguments, std::string_view where);

/// Parses {"name": …, "arguments": …[, "id": …]} as found in tags or fences.
ToolCall tool_call_from_json(const Json& object, std::string_view where);

}  // namespace chatfmt::embedded

namespace chatfmt::embedded {

/// Appends a message read from a text turn: assistant text is searched for tool calls, a user
/// text made of <tool_response> blocks becomes one tool message per block. Throws RecordError.
void append_text_turn(Conversation& conversation, Role role, std::string_view content, std::string_view where,
                      const Json* tools);
void append_text_turn(Conversation& conversation, Role role, std::string_view content, std::string_view where,
                      const detail::ToolIndex& tools);

}  // namespace chatfmt::embedded
