// The one table of formats: every record shape, target and encoding chatfmt knows, each a row
// its own file defines. Adding one: a file in converters/, a line here, tests. Nothing outside
// this table names a format; everything else (the CLI's help, Gate 0, the foreign-delimiter set,
// detect's counters) is derived from it.
#include <algorithm>

#include "chatfmt/errors.hpp"
#include "core/normalize.hpp"
#include "registry_entries.hpp"

namespace chatfmt {

const std::vector<const RecordReader*>& readers() {
  static const std::vector<const RecordReader*> table = {
      &openai_messages_reader(),
      &qwen3_chatml_reader(),
  };
  return table;
}

const std::vector<const TargetRow*>& target_rows() {
  static const std::vector<const TargetRow*> table = {
      &mistral_v3_target(), &mistral_v7_target(), &mistral_v11_target(), &mistral_v13_target(),
      &mistral_v15_target(), &openai_target(), &qwen3_xml_target(),
  };
  return table;
}

// Report order; for calls found at the same position, the first row that claims one reads it.
const std::vector<const EncodingRow*>& encoding_rows() {
  static const std::vector<const EncodingRow*> table = {
      &structured_tool_calls_encoding(),
      &code_mode_xml_encoding(),
      &direct_xml_encoding(),
      &json_in_tags_encoding(),
      &json_in_fence_encoding(),
      &bare_code_encoding(),
      &tool_response_block_encoding(),
      &tool_role_encoding(),
      &tool_role_tagged_encoding(),
      &tool_result_prefix_encoding(),
  };
  static_assert(sizeof(EncodingSet) * 8 >= 10, "an EncodingSet has a bit per row");
  return table;
}

// ---- what the rest of chatfmt derives from the tables ------------------------------------------

EncodingSet encoding_bit_of(const EncodingRow& row) {
  const auto& rows = encoding_rows();
  const auto at = std::find(rows.begin(), rows.end(), &row);
  return encoding_bit(static_cast<std::size_t>(at - rows.begin()));
}

const std::vector<EncodingInfo>& encodings() {
  static const std::vector<EncodingInfo> list = [] {
    std::vector<EncodingInfo> infos;
    for (const EncodingRow* row : encoding_rows()) infos.push_back(row->info);
    return infos;
  }();
  return list;
}

std::optional<std::size_t> find_encoding(std::string_view name) {
  for (std::size_t k = 0; k < encodings().size(); ++k) {
    if (encodings()[k].name == name) return k;
  }
  return std::nullopt;
}

const std::vector<const TargetInfo*>& targets() {
  static const std::vector<const TargetInfo*> list = [] {
    std::vector<const TargetInfo*> infos;
    for (const TargetRow* row : target_rows()) infos.push_back(&row->info);
    return infos;
  }();
  return list;
}

const TargetRow* find_target_row(std::string_view name_or_alias) {
  for (const TargetRow* row : target_rows()) {
    if (row->info.name == name_or_alias) return row;
    for (auto alias : row->info.aliases) {
      if (alias == name_or_alias) return row;
    }
  }
  return nullptr;
}

const TargetInfo* find_target(std::string_view name_or_alias) {
  const TargetRow* row = find_target_row(name_or_alias);
  return row == nullptr ? nullptr : &row->info;
}

std::vector<std::string_view> TargetInfo::delimiters() const {
  std::vector<std::string_view> list;
  for (const auto& control : control_strings) {
    if (control.use == ControlUse::delimiter) list.push_back(control.text);
  }
  return list;
}

bool TargetInfo::honours(WriterOption option) const {
  return std::find(options.begin(), options.end(), option) != options.end();
}

const std::vector<WriterOptionInfo>& writer_options() {
  static const std::vector<WriterOptionInfo> list = {
      {WriterOption::drop_text_with_tool_calls, "--drop-text-with-tool-calls",
       "drop assistant text that precedes tool calls (for targets whose template refuses both in one turn)"},
  };
  return list;
}

const std::vector<std::string_view>& control_strings_of_all_formats() {
  static const std::vector<std::string_view> list = [] {
    std::vector<std::string_view> all;
    auto add = [&all](std::string_view s) {
      if (std::find(all.begin(), all.end(), s) == all.end()) all.push_back(s);
    };
    for (const RecordReader* reader : readers()) {
      for (auto s : reader->control_strings()) add(s);
    }
    for (const EncodingRow* row : encoding_rows()) {
      for (auto s : row->control_strings) add(s);
    }
    for (const TargetRow* row : target_rows()) {
      for (const auto& control : row->info.control_strings) add(control.text);
    }
    return all;
  }();
  return list;
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

}  // namespace chatfmt
