// The fixed text of Qwen3-Coder's chat template, shared by the ChatML reader and the qwen3-xml
// writer so that reading back what we write is exact.
#pragma once

#include <string>
#include <string_view>

#include "core/json.hpp"

namespace chatfmt::qwen3 {

inline constexpr std::string_view kDefaultSystem =
    "You are Qwen, a helpful AI assistant that can interact with a computer to solve tasks.";
inline constexpr std::string_view kToolsIntro = "\n\n# Tools\n\nYou have access to the following functions:\n\n<tools>";
inline constexpr std::string_view kToolsOutro =
    "\n</tools>\n\nIf you choose to call a function ONLY reply in the following format with NO suffix:\n\n"
    "<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n"
    "<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n"
    "</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n- Function calls MUST follow the specified "
    "format: an inner <function=...></function> block must be nested within <tool_call></tool_call> XML tags\n- "
    "Required parameters MUST be specified\n- You may provide optional reasoning for your function call in natural "
    "language BEFORE the function call, but NOT after\n- If there is no function call available, answer the question "
    "like normal with your current knowledge and do not tell the user about function calls\n</IMPORTANT>";

/// Appends the tools section as the template renders it (kToolsIntro … kToolsOutro).
void render_tools(const Json& tools, std::string& out);

}  // namespace chatfmt::qwen3
