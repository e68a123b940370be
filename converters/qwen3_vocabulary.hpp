// Qwen's chat-control strings, each spelled once: ChatML's turn markers and end-of-text token,
// and the tags of Qwen3-Coder's tool calls and results. The ChatML reader, the embedded
// encodings and the qwen3-xml writer all use these constants, and the tables declare them.
#pragma once

#include <string_view>

namespace chatfmt::qwen3 {

inline constexpr std::string_view kTurnOpen = "<|im_start|>";
inline constexpr std::string_view kTurnClose = "<|im_end|>";
inline constexpr std::string_view kEndOfText = "<|endoftext|>";
inline constexpr std::string_view kCallOpen = "<tool_call>";
inline constexpr std::string_view kCallClose = "</tool_call>";
inline constexpr std::string_view kResponseOpen = "<tool_response>";
inline constexpr std::string_view kResponseClose = "</tool_response>";
inline constexpr std::string_view kFunctionOpen = "<function=";
inline constexpr std::string_view kFunctionClose = "</function>";
inline constexpr std::string_view kParameterOpen = "<parameter=";
inline constexpr std::string_view kParameterClose = "</parameter>";

}  // namespace chatfmt::qwen3
