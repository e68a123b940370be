// code-mode-xml: <tool_call><function=execute_code><parameter=code>…</parameter></function></tool_call>,
// Punie's Code Mode: one execute_code call whose only argument is the code.
#include "qwen3_vocabulary.hpp"
#include "registry_entries.hpp"
#include "tool_call_tags.hpp"

namespace chatfmt {

const EncodingRow& code_mode_xml_encoding() {
  using namespace qwen3;
  static const EncodingRow row{
      {"code-mode-xml", EncodingKind::tool_call,
       "<tool_call><function=execute_code><parameter=code>…</parameter></function></tool_call>"},
      {kCallOpen, kCallClose, kFunctionOpen, kFunctionClose, kParameterOpen, kParameterClose},
      kCallOpen,
      [](std::string_view text, std::size_t at) { return tags::tag_body_starts(text, at, &tags::starts_xml_function); },
      [](std::string_view text, std::size_t at, const ReadContext& context) {
        return tags::read_xml_call(text, at, context, /*code_mode=*/true);
      }};
  return row;
}

}  // namespace chatfmt
