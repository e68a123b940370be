#include "chatfmt/rules.hpp"

#include <array>

namespace chatfmt {
namespace {

constexpr auto S = RuleFamily::structure;
constexpr auto T = RuleFamily::tool_calls;
constexpr auto F = RuleFamily::leakage;
constexpr auto D = RuleFamily::drift;
constexpr auto Q = RuleFamily::quality;
constexpr auto L = RuleFamily::length;
constexpr auto E = Severity::error;
constexpr auto W = Severity::warning;
constexpr auto I = Severity::info;

// A rule convert refuses records for (lint reports it as an error with the same id) ...
#define CHATFMT_RULE(name, id, code, family, summary) \
  RuleInfo { Rule::name, id, code, family, E, summary, "docs/rules.md#" id, true }
// ... and one only lint looks for, with its default severity.
#define CHATFMT_LINT_RULE(name, id, code, family, severity, summary) \
  RuleInfo { Rule::name, id, code, family, severity, summary, "docs/rules.md#" id, false }

const std::vector<RuleInfo>& table() {
  static const std::vector<RuleInfo> rows = {
      CHATFMT_RULE(invalid_json, "invalid-json", "S001", S, "the line is not JSON"),
      CHATFMT_RULE(record_shape, "record-shape", "S002", S,
                   "not an object, no known record key, or a field of the wrong type"),
      CHATFMT_RULE(record_too_large, "record-too-large", "S003", S, "the line is longer than --max-record-bytes"),
      CHATFMT_RULE(unknown_key, "unknown-key", "S004", S, "a key chatfmt would otherwise drop silently"),
      CHATFMT_RULE(unknown_role, "unknown-role", "S005", S, "a role other than system, user, assistant, tool"),
      CHATFMT_RULE(unsupported_content, "unsupported-content", "S006", S, "message content that is not text"),
      CHATFMT_RULE(unknown_text_format, "unknown-text-format", "S007", S, "a text record that is not ChatML"),
      CHATFMT_RULE(chatml_structure, "chatml-structure", "S008", S,
                   "ChatML turns that do not open, close or nest properly"),
      CHATFMT_RULE(tools_section, "tools-section", "T016", T,
                   "a Qwen3-Coder tools section that does not read back exactly"),
      CHATFMT_RULE(tool_call_json, "tool-call-json", "T001", T,
                   "a JSON tool call (or its arguments) that cannot be read"),
      CHATFMT_RULE(tool_call_xml, "tool-call-xml", "T002", T, "a malformed XML tool call"),
      CHATFMT_RULE(tool_call_unclosed, "tool-call-unclosed", "T003", T, "<tool_call> without its </tool_call>"),
      CHATFMT_RULE(tool_call_empty, "tool-call-empty", "T004", T, "<tool_call></tool_call> holding nothing"),
      CHATFMT_RULE(tool_call_name, "tool-call-name", "T005", T,
                   "a function name that is not 1-64 characters of [A-Za-z0-9_-]"),
      CHATFMT_RULE(json_fence_unclosed, "json-fence-unclosed", "T006", T, "a ```json fence without its closing ```"),
      CHATFMT_RULE(parameter_type, "parameter-type", "T007", T,
                   "an XML parameter value that is not the type the tools schema gives"),
      CHATFMT_RULE(text_after_tool_call, "text-after-tool-call", "T008", T, "text after (or between) tool calls"),
      CHATFMT_RULE(tool_response_mixed, "tool-response-mixed", "T009", T,
                   "<tool_response> blocks mixed with other text"),
      CHATFMT_RULE(tool_response_unclosed, "tool-response-unclosed", "T010", T,
                   "<tool_response> without its </tool_response>"),
      CHATFMT_RULE(tool_result_ambiguous, "tool-result-ambiguous", "T011", T,
                   "fewer prefixed result turns than the calls they follow: which call each answers is unclear"),
      CHATFMT_RULE(result_without_call, "result-without-call", "T012", T,
                   "a tool result with no unanswered call before it"),
      CHATFMT_RULE(result_id_mismatch, "result-id-mismatch", "T013", T,
                   "a result whose id is not the call it answers in order"),
      CHATFMT_RULE(call_without_result, "call-without-result", "T014", T, "a tool call whose result is missing"),
      CHATFMT_RULE(unknown_tool, "unknown-tool", "T015", T, "a call to a function the tool list does not define"),
      CHATFMT_RULE(foreign_delimiter, "foreign-delimiter", "F001", F, "a chat-control string inside content"),
      CHATFMT_RULE(empty_conversation, "empty-conversation", "S009", S, "a record with no messages"),
      CHATFMT_RULE(template_rule, "template-rule", "S010", S,
                   "the target's official chat template refuses the conversation (roles in an order it cannot "
                   "render, ...)"),
      CHATFMT_RULE(no_text_target, "no-text-target", "S098", S,
                   "a target that writes no text was asked for text to tokenize"),
      CHATFMT_RULE(internal_error, "internal-error", "S099", S,
                   "a bug in chatfmt; the record is kept, please report it"),
      CHATFMT_LINT_RULE(empty_content, "empty-content", "S011", S, W,
                        "a system, user or tool message, or an assistant message without calls, with no text"),
      CHATFMT_LINT_RULE(system_not_first, "system-not-first", "S012", S, E, "a system message after the first message"),
      CHATFMT_LINT_RULE(missing_parameter, "missing-parameter", "T017", T, E,
                        "a call without a parameter its tool's schema requires"),
      CHATFMT_LINT_RULE(unknown_parameter, "unknown-parameter", "T018", T, E,
                        "a call with a parameter its tool's schema does not define"),
      CHATFMT_LINT_RULE(stray_tag, "stray-tag", "T019", T, E,
                        "a tool-call or tool-result tag left in assistant text that no call or result owns"),
      CHATFMT_LINT_RULE(call_outside_assistant, "call-outside-assistant", "T020", T, E,
                        "a tool call written in a system or user message"),
      CHATFMT_LINT_RULE(template_drift, "template-drift", "D001", D, E,
                        "the record's own text differs from what the model's official template renders"),
      CHATFMT_LINT_RULE(duplicate_record, "duplicate-record", "Q001", Q, W, "the same record twice in one split"),
      CHATFMT_LINT_RULE(near_duplicate, "near-duplicate", "Q002", Q, W,
                        "the same conversation twice in one split, apart from whitespace or encoding"),
      CHATFMT_LINT_RULE(split_leakage, "split-leakage", "Q003", Q, E,
                        "a valid or test record whose conversation is also in train"),
      CHATFMT_LINT_RULE(split_shared_prompt, "split-shared-prompt", "Q004", Q, W,
                        "a valid or test record whose first user prompt is also in train"),
      CHATFMT_LINT_RULE(mixed_encodings, "mixed-encodings", "Q005", Q, W,
                        "tool calls written in more than one encoding in one dataset"),
      CHATFMT_LINT_RULE(tool_imbalance, "tool-imbalance", "Q006", Q, I,
                        "a tool that gets under 5% of a dataset's calls"),
      CHATFMT_LINT_RULE(unshuffled, "unshuffled", "Q007", Q, W,
                        "a kind of record crowded into one part of a file: the file is not shuffled"),
      CHATFMT_LINT_RULE(system_prompt_coverage, "system-prompt-coverage", "Q008", Q, I,
                        "under 90% of a split's records have a system prompt"),
      CHATFMT_LINT_RULE(too_long, "too-long", "L001", L, E,
                        "a record longer than --max-seq-length tokens as the trainer sees it"),
      CHATFMT_LINT_RULE(length_unchecked, "length-unchecked", "L002", L, I,
                        "record lengths were not checked: no --tokenizer or no --max-seq-length"),
  };
  return rows;
}

#undef CHATFMT_RULE
#undef CHATFMT_LINT_RULE

}  // namespace

const std::vector<RuleInfo>& rules() { return table(); }

const RuleInfo& rule_info(Rule rule) {
  // The table lists the rules in enum order (a unit test holds it to that), so this is an index.
  return table()[static_cast<std::size_t>(rule)];
}

std::optional<Rule> find_rule(std::string_view id_or_code) {
  for (const auto& row : table()) {
    if (row.id == id_or_code || row.code == id_or_code) return row.rule;
  }
  return std::nullopt;
}

std::string_view severity_name(Severity severity) {
  static constexpr std::array<std::string_view, 3> names = {"error", "warning", "info"};
  return names[static_cast<std::size_t>(severity)];
}

std::optional<Severity> parse_severity(std::string_view name) {
  for (const Severity severity : {Severity::error, Severity::warning, Severity::info}) {
    if (severity_name(severity) == name) return severity;
  }
  return std::nullopt;
}

std::string_view family_name(RuleFamily family) {
  static constexpr std::array<std::string_view, 6> names = {"structure", "tool-calls", "leakage",
                                                            "drift",     "quality",    "length"};
  return names[static_cast<std::size_t>(family)];
}

}  // namespace chatfmt
