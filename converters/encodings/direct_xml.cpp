// direct-xml: Qwen3-Coder's XML grammar for any other call, any number of <parameter=NAME> blocks.
#include "qwen3_vocabulary.hpp"
#include "registry_entries.hpp"
#include "tool_call_tags.hpp"

namespace chatfmt {

const EncodingRow& direct_xml_encoding() {
  using namespace qwen3;
  static const EncodingRow row{
      {"direct-xml", EncodingKind::tool_call,
       "<tool_call><function=NAME><parameter=P>…</parameter>…</function></tool_call>"},
      {kCallOpen, kCallClose, kFunctionOpen, kFunctionClose, kParameterOpen, kParameterClose},
      kCallOpen,
      [](std::string_view text, std::size_t at) { return tags::tag_body_starts(text, at, &tags::starts_xml_function); },
      [](std::string_view text, std::size_t at, const ReadContext& context) {
        return tags::read_xml_call(text, at, context, /*code_mode=*/false);
      }};
  return row;
}

}  // namespace chatfmt
