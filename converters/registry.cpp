// The one table of formats. Adding a format: one file in converters/, one line here, golden tests.
#include "registry_entries.hpp"

namespace chatfmt {

const std::vector<const RecordReader*>& readers() {
  static const std::vector<const RecordReader*> table = {
      &openai_messages_reader(),
      &qwen3_chatml_reader(),
  };
  return table;
}

const std::vector<WriterInfo>& writers() {
  static const std::vector<WriterInfo> table = {
      {"mistral-v3",
       {},
       "Mistral tokenizer v3 chat template ([TOOL_CALLS][{…}], system prompt in the last [INST])",
       {"<s>", "</s>", "[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]",
        "[/TOOL_RESULTS]"},
       &make_mistral_v3_writer},
      {"mistral-v7",
       {},
       "Mistral tokenizer v7 chat template ([SYSTEM_PROMPT], [TOOL_CONTENT])",
       {"<s>", "</s>", "[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]",
        "[/TOOL_RESULTS]", "[TOOL_CONTENT]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]"},
       &make_mistral_v7_writer},
      {"mistral-v11",
       {},
       "Mistral tokenizer v11 chat template ([TOOL_CALLS]name[CALL_ID]id[ARGS]{…})",
       {"<s>", "</s>", "[INST]", "[/INST]", "[TOOL_CALLS]", "[CALL_ID]", "[ARGS]", "[AVAILABLE_TOOLS]",
        "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CONTENT]", "[SYSTEM_PROMPT]",
        "[/SYSTEM_PROMPT]"},
       &make_mistral_v11_writer},
      {"mistral-v13",
       {"devstral-small-2"},
       "Mistral tokenizer v13 chat template, as Devstral Small 2 uses",
       {"<s>", "</s>", "[INST]", "[/INST]", "[TOOL_CALLS]", "[ARGS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]",
        "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]"},
       &make_mistral_v13_writer},
      {"mistral-v15",
       {},
       "Mistral tokenizer v15 chat template (v13 plus [MODEL_SETTINGS])",
       {"<s>", "</s>", "[INST]", "[/INST]", "[TOOL_CALLS]", "[ARGS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]",
        "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[MODEL_SETTINGS]",
        "[/MODEL_SETTINGS]"},
       &make_mistral_v15_writer},
      {"openai", {}, "OpenAI messages with structured tool_calls and role \"tool\" results", {}, &make_openai_writer},
      {"qwen3-xml",
       {},
       "ChatML text as Qwen3-Coder's chat template renders it (XML tool calls)",
       {"<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"},
       &make_qwen3_xml_writer},
  };
  return table;
}

void TextWriter::write(const Conversation& conversation, std::string& out) const {
  std::string text;
  render_text(conversation, text);
  // Escaping rarely grows text by much: one allocation instead of a doubling series of copies.
  out.reserve(out.size() + text.size() + text.size() / 16 + 16);
  out += "{\"text\": ";
  append_json_string(out, text);
  out += "}";
}

const WriterInfo* find_writer(std::string_view name_or_alias) {
  for (const auto& info : writers()) {
    if (info.name == name_or_alias) return &info;
    for (auto alias : info.aliases) {
      if (alias == name_or_alias) return &info;
    }
  }
  return nullptr;
}

}  // namespace chatfmt
