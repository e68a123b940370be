// <tool_response>…</tool_response> blocks, as tool results in user turns and role "tool" messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatfmt::responses {

/// Whether `text` consists of blocks (separated only by whitespace), and their bodies (views into
/// `text`) appended to `bodies`, each with the value rule applied (one "\n" off each side).
/// `turn` names the message in errors ("a user turn"). Throws RecordError when blocks are mixed
/// with other text or unclosed.
bool read_blocks(std::string_view text, std::string_view where, std::string_view turn,
                 std::vector<std::string_view>& bodies);

}  // namespace chatfmt::responses
