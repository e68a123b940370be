// Every reason a record can be refused or linted, as one enum with one table (src/core/rules.cpp):
// the stable id a rejects line and a lint finding carry, a short code (like ruff's E501), the
// family, the default severity, a one-line summary, and the anchor of its entry in docs/rules.md.
// A test fails when a rule is missing from the docs.
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
  // Found by lint only: convert has no reason to refuse a record for these.
  empty_content,
  system_not_first,
  missing_parameter,
  unknown_parameter,
  stray_tag,
  call_outside_assistant,
  template_drift,
  duplicate_record,
  near_duplicate,
  split_leakage,
  split_shared_prompt,
  mixed_encodings,
  tool_imbalance,
  unshuffled,
  system_prompt_coverage,
  too_long,
  length_unchecked,
};

/// How bad a finding is: lint exits 1 when it reports an error.
enum class Severity : std::uint8_t { error, warning, info };
std::string_view severity_name(Severity severity);  ///< "error", "warning", "info"
std::optional<Severity> parse_severity(std::string_view name);

/// What a rule looks at; the first letter of its code.
enum class RuleFamily : std::uint8_t {
  structure,   ///< S: the record and its messages
  tool_calls,  ///< T: calls, their arguments and results
  leakage,     ///< F: chat-control strings where they do not belong
  drift,       ///< D: the record's own text against the model's official template
  quality,     ///< Q: the dataset as a whole (duplicates, splits, balance)
  length,      ///< L: tokens as the trainer sees them
};
std::string_view family_name(RuleFamily family);  ///< "structure", "tool-calls", ...

struct RuleInfo {
  Rule rule;
  std::string_view id;    ///< stable, in rejects files and reports: "foreign-delimiter"
  std::string_view code;  ///< stable and short: "F001"; its letter is the family's
  RuleFamily family;
  Severity severity;            ///< by default (lint --config may change it)
  std::string_view summary;     ///< one line: what the rule finds
  std::string_view doc_anchor;  ///< "docs/rules.md#foreign-delimiter"
  /// Whether convert can refuse a record for it (then lint reports it with the same id).
  bool rejects = true;
};

/// Every rule, in the order docs/formats.md lists them.
const std::vector<RuleInfo>& rules();
const RuleInfo& rule_info(Rule rule);
inline std::string_view rule_id(Rule rule) { return rule_info(rule).id; }
/// A rule by id ("foreign-delimiter") or code ("F001").
std::optional<Rule> find_rule(std::string_view id_or_code);

}  // namespace chatfmt
