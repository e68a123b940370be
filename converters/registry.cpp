// The one table of formats (the rows are listed in registry_entries.hpp): every record shape,
// target and encoding chatfmt knows, each a row its own file defines. Nothing outside the table
// names a format; everything else (the CLI's help, Gate 0, the foreign-delimiter set, detect's
// counters, `chatfmt formats`) is derived from it.
#include <algorithm>
#include <iterator>

#include "chatfmt/errors.hpp"
#include "core/normalize.hpp"
#include "registry_entries.hpp"

namespace chatfmt {

#define CHATFMT_READER_ROW(row) &row##_reader(),
#define CHATFMT_TARGET_ROW(row) &row##_target(),
#define CHATFMT_ENCODING_ROW(row) &row##_encoding(),

const std::vector<const RecordReader*>& readers() {
  static const std::vector<const RecordReader*> table = {CHATFMT_READERS(CHATFMT_READER_ROW)};
  return table;
}

const std::vector<const TargetRow*>& target_rows() {
  static const std::vector<const TargetRow*> table = {CHATFMT_TARGETS(CHATFMT_TARGET_ROW)};
  return table;
}

const std::vector<const EncodingRow*>& encoding_rows() {
  static const std::vector<const EncodingRow*> table = {CHATFMT_ENCODINGS(CHATFMT_ENCODING_ROW)};
  return table;
}

#define CHATFMT_COUNT_ROW(row) 1,
static_assert(sizeof(EncodingSet) * 8 >= std::size({CHATFMT_ENCODINGS(CHATFMT_COUNT_ROW)}),
              "an EncodingSet has a bit per encoding");
#undef CHATFMT_COUNT_ROW

#undef CHATFMT_READER_ROW
#undef CHATFMT_TARGET_ROW
#undef CHATFMT_ENCODING_ROW

// ---- what the rest of chatfmt derives from the tables ------------------------------------------

EncodingSet encoding_bit_of(const EncodingRow& row) {
  const auto& rows = encoding_rows();
  const auto at = std::find(rows.begin(), rows.end(), &row);
  return encoding_bit(static_cast<std::size_t>(at - rows.begin()));
}

std::size_t find_call(const EncodingRow& row, std::string_view text, std::size_t from) {
  if (row.call_opener.empty()) return std::string_view::npos;
  for (std::size_t at = text.find(row.call_opener, from); at != std::string_view::npos;
       at = text.find(row.call_opener, at + 1)) {
    if (row.opens_call == nullptr || row.opens_call(text, at)) return at;
  }
  return std::string_view::npos;
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
  // One buffer per thread, kept between records: its capacity is reused, not reallocated.
  thread_local std::string text;
  thread_local EscapedPieces pieces;
  text.clear();
  pieces.clear();
  render_text(conversation, text, &pieces);
  // Escaping rarely grows text by much: one allocation instead of a doubling series of copies.
  out.reserve(out.size() + text.size() + text.size() / 16 + 16);
  out += "{\"text\": \"";
  const std::string_view all(text);
  std::size_t done = 0;
  for (const EscapedPiece& piece : pieces) {
    append_json_string_body(out, all.substr(done, piece.offset - done));
    out += *piece.escaped;
    done = piece.offset + piece.size;
  }
  append_json_string_body(out, all.substr(done));
  out += "\"}";
}

}  // namespace chatfmt
