// <tool_response>…</tool_response> blocks, as tool results in user turns and role "tool" messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatfmt::responses {

/// The bodies of the blocks `text` consists of (separated only by whitespace), each with the
/// value rule applied (one "\n" off each side), or nullopt when it has none. `turn` names the
/// message in errors ("a user turn"). Throws RecordError when blocks are mixed with other text
/// or unclosed.
std::optional<std::vector<std::string>> read_blocks(std::string_view text, std::string_view where,
                                                    std::string_view turn);

}  // namespace chatfmt::responses
