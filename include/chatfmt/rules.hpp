// Every reason a record can be refused, as one enum with one table (src/core/rules.cpp): the
// stable id a rejects line carries, a one-line summary, and the anchor of its entry in
// docs/formats.md. A test fails when a rule is missing from the docs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace chatfmt {

enum class Rule : std::uint8_t {
  invalid_json,
  record_shape,
  record_too_large,
  unknown_key,
  unknown_role,
  unsupported_content,
  unknown_text_format,
  chatml_structure,
  tools_section,
  tool_call_json,
  tool_call_xml,
  tool_call_unclosed,
  tool_call_empty,
  tool_call_name,
  json_fence_unclosed,
  parameter_type,
  text_after_tool_call,
  tool_response_mixed,
  tool_response_unclosed,
  tool_result_ambiguous,
  result_without_call,
  result_id_mismatch,
  call_without_result,
  unknown_tool,
  foreign_delimiter,
  empty_conversation,
  template_rule,
  no_text_target,
  internal_error,
};

struct RuleInfo {
  Rule rule;
  std::string_view id;          ///< stable, in rejects files and reports: "foreign-delimiter"
  std::string_view summary;     ///< one line: what the rule refuses
  std::string_view doc_anchor;  ///< "docs/formats.md#rule-foreign-delimiter"
};

/// Every rule, in the order docs/formats.md lists them.
const std::vector<RuleInfo>& rules();
const RuleInfo& rule_info(Rule rule);
inline std::string_view rule_id(Rule rule) { return rule_info(rule).id; }
std::optional<Rule> find_rule(std::string_view id);

}  // namespace chatfmt
