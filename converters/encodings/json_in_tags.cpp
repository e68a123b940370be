// json-in-tags: <tool_call>{"name": …, "arguments": …}</tool_call> (Hermes / Qwen2.5).
#include "core/text.hpp"
#include "json_call.hpp"
#include "qwen3_vocabulary.hpp"
#include "registry_entries.hpp"
#include "tool_call_tags.hpp"

namespace chatfmt {

const EncodingRow& json_in_tags_encoding() {
  static const EncodingRow row{
      {"json-in-tags", EncodingKind::tool_call, "<tool_call>{\"name\": …, \"arguments\": {…}}</tool_call>"},
      {qwen3::kCallOpen, qwen3::kCallClose},
      qwen3::kCallOpen,
      [](std::string_view text, std::size_t at) {
        return tags::tag_body_starts(text, at, [](std::string_view body) { return text::starts_with(body, "{"); });
      },
      [](std::string_view text, std::size_t at, const ReadContext& context) {
        const tags::TagBody tag = tags::call_tag_body(text, at, context.where);
        CallMatch match;
        match.kind = CallMatch::Kind::call;
        match.call = json_call::from_text(text::strip_ascii(tag.body), context.where, "the JSON inside <tool_call>");
        match.end = tag.end;
        return match;
      }};
  return row;
}

}  // namespace chatfmt
