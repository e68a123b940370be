// The rows each format and encoding file provides to the one table in registry.cpp.
#pragma once

#include "format.hpp"

namespace chatfmt {

// Record shapes.
const RecordReader& openai_messages_reader();
const RecordReader& qwen3_chatml_reader();

// Targets.
const TargetRow& mistral_v3_target();
const TargetRow& mistral_v7_target();
const TargetRow& mistral_v11_target();
const TargetRow& mistral_v13_target();
const TargetRow& mistral_v15_target();
const TargetRow& openai_target();
const TargetRow& qwen3_xml_target();

// Encodings of tool calls and results.
const EncodingRow& structured_tool_calls_encoding();
const EncodingRow& code_mode_xml_encoding();
const EncodingRow& direct_xml_encoding();
const EncodingRow& json_in_tags_encoding();
const EncodingRow& json_in_fence_encoding();
const EncodingRow& bare_code_encoding();
const EncodingRow& tool_response_block_encoding();
const EncodingRow& tool_role_encoding();
const EncodingRow& tool_role_tagged_encoding();
const EncodingRow& tool_result_prefix_encoding();

}  // namespace chatfmt
