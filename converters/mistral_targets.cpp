// The Mistral targets, one row per tokenizer version: its name, the control tokens it writes (from
// the one vocabulary, mistral_vocabulary.hpp) and the options it offers. Each version is a small
// delta on the one before, as in mistral-common; the writer renders them all.
#include "mistral_vocabulary.hpp"
#include "mistral_writer.hpp"
#include "registry_entries.hpp"

namespace chatfmt {
namespace {

template <MistralVersion version>
std::unique_ptr<Writer> make(const WriterOptions& options) {
  return make_mistral_writer(version, options);
}

using namespace mistral;  // the rows list the vocabulary's tokens
constexpr auto D = ControlUse::delimiter;

}  // namespace

const TargetRow& mistral_v3_target() {
  static const TargetRow row{
      {"mistral-v3",
       {},
       "Mistral tokenizer v3 chat template ([TOOL_CALLS][{…}], system prompt in the last [INST])",
       true,
       {{kBos, D},
        {kEos, D},
        {kInst, D},
        {kInstEnd, D},
        {kToolCalls, D},
        {kAvailableTools, D},
        {kAvailableToolsEnd, D},
        {kToolResults, D},
        {kToolResultsEnd, D}},
       {WriterOption::drop_text_with_tool_calls}},
      &make<MistralVersion::v3>};
  return row;
}

const TargetRow& mistral_v7_target() {
  static const TargetRow row{{"mistral-v7",
                              {},
                              "Mistral tokenizer v7 chat template ([SYSTEM_PROMPT], [TOOL_CONTENT])",
                              true,
                              {{kBos, D},
                               {kEos, D},
                               {kInst, D},
                               {kInstEnd, D},
                               {kToolCalls, D},
                               {kAvailableTools, D},
                               {kAvailableToolsEnd, D},
                               {kToolResults, D},
                               {kToolResultsEnd, D},
                               {kToolContent, D},
                               {kSystemPrompt, D},
                               {kSystemPromptEnd, D}},
                              {}},
                             &make<MistralVersion::v7>};
  return row;
}

const TargetRow& mistral_v11_target() {
  static const TargetRow row{{"mistral-v11",
                              {},
                              "Mistral tokenizer v11 chat template ([TOOL_CALLS]name[CALL_ID]id[ARGS]{…})",
                              true,
                              {{kBos, D},
                               {kEos, D},
                               {kInst, D},
                               {kInstEnd, D},
                               {kToolCalls, D},
                               {kCallId, D},
                               {kArgs, D},
                               {kAvailableTools, D},
                               {kAvailableToolsEnd, D},
                               {kToolResults, D},
                               {kToolResultsEnd, D},
                               {kToolContent, D},
                               {kSystemPrompt, D},
                               {kSystemPromptEnd, D}},
                              {}},
                             &make<MistralVersion::v11>};
  return row;
}

const TargetRow& mistral_v13_target() {
  static const TargetRow row{{"mistral-v13",
                              {"devstral-small-2"},
                              "Mistral tokenizer v13 chat template, as Devstral Small 2 uses",
                              true,
                              {{kBos, D},
                               {kEos, D},
                               {kInst, D},
                               {kInstEnd, D},
                               {kToolCalls, D},
                               {kArgs, D},
                               {kToolResults, D},
                               {kToolResultsEnd, D},
                               {kSystemPrompt, D},
                               {kSystemPromptEnd, D},
                               {kAvailableTools, D},
                               {kAvailableToolsEnd, D}},
                              {}},
                             &make<MistralVersion::v13>};
  return row;
}

const TargetRow& mistral_v15_target() {
  static const TargetRow row{{"mistral-v15",
                              {},
                              "Mistral tokenizer v15 chat template (v13 plus [MODEL_SETTINGS])",
                              true,
                              {{kBos, D},
                               {kEos, D},
                               {kInst, D},
                               {kInstEnd, D},
                               {kToolCalls, D},
                               {kArgs, D},
                               {kToolResults, D},
                               {kToolResultsEnd, D},
                               {kSystemPrompt, D},
                               {kSystemPromptEnd, D},
                               {kAvailableTools, D},
                               {kAvailableToolsEnd, D},
                               {kModelSettings, D},
                               {kModelSettingsEnd, D}},
                              {}},
                             &make<MistralVersion::v15>};
  return row;
}

}  // namespace chatfmt
