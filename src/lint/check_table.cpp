// The one table of lint's checks: which function looks for which rules. A rule of the rule table
// with no row here is one the engine reports (convert's reasons, drift, length).
#include "lint/checks.hpp"

namespace chatfmt::lint {

const std::vector<CheckRow>& check_table() {
  static const std::vector<CheckRow> rows = {
      {{Rule::empty_content}, check_empty_content, nullptr},
      {{Rule::system_not_first}, check_system_first, nullptr},
      {{Rule::missing_parameter, Rule::unknown_parameter}, check_parameters, nullptr},
      {{Rule::foreign_delimiter, Rule::stray_tag, Rule::call_outside_assistant}, check_control_strings, nullptr},
      {{Rule::duplicate_record, Rule::near_duplicate}, nullptr, check_duplicates},
      {{Rule::split_leakage, Rule::split_shared_prompt}, nullptr, check_split_leakage},
      {{Rule::mixed_encodings, Rule::tool_imbalance}, nullptr, check_encodings_and_tools},
      {{Rule::unshuffled}, nullptr, check_shuffled},
      {{Rule::system_prompt_coverage}, nullptr, check_system_prompt_coverage},
  };
  return rows;
}

}  // namespace chatfmt::lint
