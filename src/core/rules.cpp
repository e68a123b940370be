#include "chatfmt/rules.hpp"

#include <array>

namespace chatfmt {
namespace {

#define CHATFMT_RULE(name, id, summary) \
  RuleInfo { Rule::name, id, summary, "docs/formats.md#rule-" id }

const std::vector<RuleInfo>& table() {
  static const std::vector<RuleInfo> rows = {
      CHATFMT_RULE(invalid_json, "invalid-json", "the line is not JSON"),
      CHATFMT_RULE(record_shape, "record-shape", "not an object, no known record key, or a field of the wrong type"),
      CHATFMT_RULE(record_too_large, "record-too-large", "the line is longer than --max-record-bytes"),
      CHATFMT_RULE(unknown_key, "unknown-key", "a key chatfmt would otherwise drop silently"),
      CHATFMT_RULE(unknown_role, "unknown-role", "a role other than system, user, assistant, tool"),
      CHATFMT_RULE(unsupported_content, "unsupported-content", "message content that is not text"),
      CHATFMT_RULE(unknown_text_format, "unknown-text-format", "a text record that is not ChatML"),
      CHATFMT_RULE(chatml_structure, "chatml-structure", "ChatML turns that do not open, close or nest properly"),
      CHATFMT_RULE(tools_section, "tools-section", "a Qwen3-Coder tools section that does not read back exactly"),
      CHATFMT_RULE(tool_call_json, "tool-call-json", "a JSON tool call (or its arguments) that cannot be read"),
      CHATFMT_RULE(tool_call_xml, "tool-call-xml", "a malformed XML tool call"),
      CHATFMT_RULE(tool_call_unclosed, "tool-call-unclosed", "<tool_call> without its </tool_call>"),
      CHATFMT_RULE(tool_call_empty, "tool-call-empty", "<tool_call></tool_call> holding nothing"),
      CHATFMT_RULE(tool_call_name, "tool-call-name", "a function name that is not 1-64 characters of [A-Za-z0-9_-]"),
      CHATFMT_RULE(json_fence_unclosed, "json-fence-unclosed", "a ```json fence without its closing ```"),
      CHATFMT_RULE(parameter_type, "parameter-type",
                   "an XML parameter value that is not the type the tools schema gives"),
      CHATFMT_RULE(text_after_tool_call, "text-after-tool-call", "text after (or between) tool calls"),
      CHATFMT_RULE(tool_response_mixed, "tool-response-mixed", "<tool_response> blocks mixed with other text"),
      CHATFMT_RULE(tool_response_unclosed, "tool-response-unclosed", "<tool_response> without its </tool_response>"),
      CHATFMT_RULE(tool_result_ambiguous, "tool-result-ambiguous",
                   "fewer prefixed result turns than the calls they follow: which call each answers is unclear"),
      CHATFMT_RULE(result_without_call, "result-without-call", "a tool result with no unanswered call before it"),
      CHATFMT_RULE(result_id_mismatch, "result-id-mismatch", "a result whose id is not the call it answers in order"),
      CHATFMT_RULE(call_without_result, "call-without-result", "a tool call whose result is missing"),
      CHATFMT_RULE(unknown_tool, "unknown-tool", "a call to a function the tool list does not define"),
      CHATFMT_RULE(foreign_delimiter, "foreign-delimiter", "a chat-control string inside converted text"),
      CHATFMT_RULE(empty_conversation, "empty-conversation", "a record with no messages"),
      CHATFMT_RULE(template_rule, "template-rule", "the target's official chat template refuses the conversation"),
      CHATFMT_RULE(no_text_target, "no-text-target", "a target that writes no text was asked for text to tokenize"),
      CHATFMT_RULE(internal_error, "internal-error", "a bug in chatfmt; the record is kept, please report it"),
  };
  return rows;
}

#undef CHATFMT_RULE

}  // namespace

const std::vector<RuleInfo>& rules() { return table(); }

const RuleInfo& rule_info(Rule rule) {
  // The table lists the rules in enum order (a unit test holds it to that), so this is an index.
  return table()[static_cast<std::size_t>(rule)];
}

std::optional<Rule> find_rule(std::string_view id) {
  for (const auto& row : table()) {
    if (row.id == id) return row.rule;
  }
  return std::nullopt;
}

}  // namespace chatfmt
