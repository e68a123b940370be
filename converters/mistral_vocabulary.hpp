// Mistral's chat-control tokens, each spelled once (as mistral-common's SpecialTokens): the
// writers render with these constants and the targets table declares them, so the two cannot
// drift apart.
#pragma once

#include <string_view>

namespace chatfmt::mistral {

inline constexpr std::string_view kBos = "<s>";
inline constexpr std::string_view kEos = "</s>";
inline constexpr std::string_view kInst = "[INST]";
inline constexpr std::string_view kInstEnd = "[/INST]";
inline constexpr std::string_view kToolCalls = "[TOOL_CALLS]";
inline constexpr std::string_view kAvailableTools = "[AVAILABLE_TOOLS]";
inline constexpr std::string_view kAvailableToolsEnd = "[/AVAILABLE_TOOLS]";
inline constexpr std::string_view kToolResults = "[TOOL_RESULTS]";
inline constexpr std::string_view kToolResultsEnd = "[/TOOL_RESULTS]";
inline constexpr std::string_view kToolContent = "[TOOL_CONTENT]";
inline constexpr std::string_view kSystemPrompt = "[SYSTEM_PROMPT]";
inline constexpr std::string_view kSystemPromptEnd = "[/SYSTEM_PROMPT]";
inline constexpr std::string_view kCallId = "[CALL_ID]";
inline constexpr std::string_view kArgs = "[ARGS]";
inline constexpr std::string_view kModelSettings = "[MODEL_SETTINGS]";
inline constexpr std::string_view kModelSettingsEnd = "[/MODEL_SETTINGS]";

}  // namespace chatfmt::mistral
