// What the encodings written inside <tool_call>…</tool_call> share: finding a tag by how its
// body starts, taking its body, and Qwen3-Coder's XML function grammar.
#pragma once

#include <cstddef>
#include <string_view>

#include "format.hpp"

namespace chatfmt::tags {

/// Whether the body of the <tool_call> at `at`, leading ASCII whitespace skipped, satisfies
/// `accepts`, which sees the rest of the text from there.
bool tag_body_starts(std::string_view text, std::size_t at, bool (*accepts)(std::string_view body_start));

struct TagBody {
  std::string_view body;  ///< between <tool_call> and </tool_call>
  std::size_t end = 0;    ///< just after </tool_call>
};

/// The body of the <tool_call> at `at`. Throws RecordError (tool-call-unclosed) when it is not
/// closed, or opens again before it is.
TagBody call_tag_body(std::string_view text, std::size_t at, std::string_view where);

bool starts_xml_function(std::string_view body_start);

/// Parses "<function=NAME> (<parameter=P>VALUE</parameter>)* </function>" (whitespace between
/// tags); values typed by the tool list. Throws RecordError.
ToolCall parse_xml_function(std::string_view body, const ReadContext& context);

/// Reads the XML call at `at`; `not_mine` when it is a Code Mode call and `code_mode` is false,
/// or is not one and `code_mode` is true.
CallMatch read_xml_call(std::string_view text, std::size_t at, const ReadContext& context, bool code_mode);

}  // namespace chatfmt::tags
