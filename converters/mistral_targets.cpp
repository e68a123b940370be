// The Mistral targets, one row per tokenizer version: its name, the control tokens it writes (from
// the one vocabulary, mistral_vocabulary.hpp) and the options it offers. Each version's tokens are
// a small delta on the version before, as in mistral-common; one writer renders them all.
#include <algorithm>

#include "mistral_vocabulary.hpp"
#include "mistral_writer.hpp"
#include "registry_entries.hpp"

namespace chatfmt {
namespace {

template <MistralVersion version>
std::unique_ptr<Writer> make(const WriterOptions& options) {
  return make_mistral_writer(version, options);
}

using Tokens = std::vector<ControlString>;

Tokens delimiters(std::initializer_list<std::string_view> tokens) {
  Tokens list;
  for (const auto token : tokens) list.push_back({token, ControlUse::delimiter});
  return list;
}

Tokens plus(Tokens base, std::initializer_list<std::string_view> added) {
  for (const auto token : added) base.push_back({token, ControlUse::delimiter});
  return base;
}

Tokens minus(Tokens base, std::initializer_list<std::string_view> removed) {
  std::erase_if(
      base, [&](const ControlString& c) { return std::find(removed.begin(), removed.end(), c.text) != removed.end(); });
  return base;
}

using namespace mistral;  // the deltas list the vocabulary's tokens

const Tokens& v3_tokens() {
  static const Tokens tokens = delimiters(
      {kBos, kEos, kInst, kInstEnd, kToolCalls, kAvailableTools, kAvailableToolsEnd, kToolResults, kToolResultsEnd});
  return tokens;
}
const Tokens& v7_tokens() {  // a system prompt of its own, results carry their call id
  static const Tokens tokens = plus(v3_tokens(), {kToolContent, kSystemPrompt, kSystemPromptEnd});
  return tokens;
}
const Tokens& v11_tokens() {  // one [TOOL_CALLS] per call: name[CALL_ID]id[ARGS]{…}
  static const Tokens tokens = plus(v7_tokens(), {kCallId, kArgs});
  return tokens;
}
const Tokens& v13_tokens() {  // no call ids in the text any more
  static const Tokens tokens = minus(v11_tokens(), {kCallId, kToolContent});
  return tokens;
}
const Tokens& v15_tokens() {  // model settings before the first [INST]
  static const Tokens tokens = plus(v13_tokens(), {kModelSettings, kModelSettingsEnd});
  return tokens;
}

}  // namespace

const TargetRow& mistral_v3_target() {
  static const TargetRow row{
      {"mistral-v3",
       {},
       "Mistral tokenizer v3 chat template ([TOOL_CALLS][{…}], system prompt in the last [INST])",
       true,
       v3_tokens(),
       {WriterOption::drop_text_with_tool_calls}},
      &make<MistralVersion::v3>};
  return row;
}

const TargetRow& mistral_v7_target() {
  static const TargetRow row{
      {"mistral-v7", {}, "Mistral tokenizer v7 chat template ([SYSTEM_PROMPT], [TOOL_CONTENT])", true, v7_tokens(), {}},
      &make<MistralVersion::v7>};
  return row;
}

const TargetRow& mistral_v11_target() {
  static const TargetRow row{{"mistral-v11",
                              {},
                              "Mistral tokenizer v11 chat template ([TOOL_CALLS]name[CALL_ID]id[ARGS]{…})",
                              true,
                              v11_tokens(),
                              {}},
                             &make<MistralVersion::v11>};
  return row;
}

const TargetRow& mistral_v13_target() {
  static const TargetRow row{{"mistral-v13",
                              {"devstral-small-2"},
                              "Mistral tokenizer v13 chat template, as Devstral Small 2 uses",
                              true,
                              v13_tokens(),
                              {}},
                             &make<MistralVersion::v13>};
  return row;
}

const TargetRow& mistral_v15_target() {
  static const TargetRow row{
      {"mistral-v15", {}, "Mistral tokenizer v15 chat template (v13 plus [MODEL_SETTINGS])", true, v15_tokens(), {}},
      &make<MistralVersion::v15>};
  return row;
}

}  // namespace chatfmt
