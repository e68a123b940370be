// bare-code: <tool_call>code</tool_call>, a Code Mode call without the XML wrapper. It takes
// every tag the other <tool_call> encodings leave (it comes after them in the table), so an empty
// body is refused here.
#include "chatfmt/errors.hpp"
#include "core/arguments.hpp"
#include "core/text.hpp"
#include "qwen3_vocabulary.hpp"
#include "registry_entries.hpp"
#include "tool_call_tags.hpp"

namespace chatfmt {

const EncodingRow& bare_code_encoding() {
  static const EncodingRow row{
      {"bare-code", EncodingKind::tool_call, "<tool_call>code</tool_call>: execute_code(code=body)"},
      {qwen3::kCallOpen, qwen3::kCallClose},
      qwen3::kCallOpen,
      nullptr,  // every <tool_call> the encodings before it in the table leave
      [](std::string_view text, std::size_t at, const ReadContext& context) {
        const tags::TagBody tag = tags::call_tag_body(text, at, context.where);
        if (text::strip_ascii(tag.body).empty()) {
          throw RecordError(Rule::tool_call_empty,
                            std::string(context.where) + ": <tool_call></tool_call> holds nothing");
        }
        CallMatch match;
        match.kind = CallMatch::Kind::call;
        match.call.name = "execute_code";
        // The same value rule as a parameter.
        detail::ArgumentsBuilder arguments(tag.body.size());
        arguments.add_string("code", text::strip_one_newline_each_side(tag.body));
        arguments.finish(match.call);
        match.end = tag.end;
        return match;
      }};
  return row;
}

}  // namespace chatfmt
