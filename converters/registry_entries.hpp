// The one table of formats, as three lists of rows. Each row names a file's row function:
// ROW(x) is `x_reader()`, `x_target()` or `x_encoding()`, defined in that format's or encoding's
// own file. Adding a format or an encoding is that file and one row here; registry.cpp builds the
// tables from these lists, and everything else derives from the tables.
#pragma once

#include "format.hpp"

// Record shapes, in the order they are tried.
#define CHATFMT_READERS(ROW) \
  ROW(openai_messages)       \
  ROW(qwen3_chatml)

// Targets, in the order --help and `chatfmt formats` list them.
#define CHATFMT_TARGETS(ROW) \
  ROW(mistral_v3)            \
  ROW(mistral_v7)            \
  ROW(mistral_v11)           \
  ROW(mistral_v13)           \
  ROW(mistral_v15)           \
  ROW(openai)                \
  ROW(qwen3_xml)

// Encodings of tool calls and results, in report order. For calls found at the same position of a
// text, the first row that claims one reads it (code-mode-xml before direct-xml, bare-code last).
#define CHATFMT_ENCODINGS(ROW) \
  ROW(structured_tool_calls)   \
  ROW(code_mode_xml)           \
  ROW(direct_xml)              \
  ROW(json_in_tags)            \
  ROW(json_in_fence)           \
  ROW(bare_code)               \
  ROW(tool_response_block)     \
  ROW(tool_role)               \
  ROW(tool_role_tagged)        \
  ROW(tool_result_prefix)

namespace chatfmt {

#define CHATFMT_DECLARE_READER(row) const RecordReader& row##_reader();
#define CHATFMT_DECLARE_TARGET(row) const TargetRow& row##_target();
#define CHATFMT_DECLARE_ENCODING(row) const EncodingRow& row##_encoding();
CHATFMT_READERS(CHATFMT_DECLARE_READER)
CHATFMT_TARGETS(CHATFMT_DECLARE_TARGET)
CHATFMT_ENCODINGS(CHATFMT_DECLARE_ENCODING)
#undef CHATFMT_DECLARE_READER
#undef CHATFMT_DECLARE_TARGET
#undef CHATFMT_DECLARE_ENCODING

}  // namespace chatfmt
