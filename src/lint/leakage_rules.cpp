// Format leakage (F) and tags out of place (T): chat-control strings of any format inside content.
// The set is the one table's (control_strings_of_all_formats), as convert's foreign-delimiter rule
// uses it; lint names every one it finds, where, and (with --tokenizer) whether that tokenizer
// reads it as one control token, the case that teaches the model chat structure in the wrong place.
#include <algorithm>
#include <map>

#include "core/control_scan.hpp"
#include "format.hpp"
#include "lint/checks.hpp"

namespace chatfmt::lint {
namespace {

struct ControlStringOwners {
  std::map<std::string_view, std::vector<std::string_view>> formats;  ///< string -> who writes it
  std::vector<std::string_view> call_tags;                            ///< of encodings that write calls
  std::vector<std::string_view> tags;                                 ///< of every encoding
};

const ControlStringOwners& owners() {
  static const ControlStringOwners table = [] {
    ControlStringOwners owners;
    auto add = [&owners](std::string_view text, std::string_view owner) {
      auto& list = owners.formats[text];
      if (std::find(list.begin(), list.end(), owner) == list.end()) list.push_back(owner);
    };
    for (const RecordReader* reader : readers()) {
      for (auto text : reader->control_strings()) add(text, reader->name());
    }
    for (const EncodingRow* row : encoding_rows()) {
      for (auto text : row->control_strings) {
        add(text, row->info.name);
        owners.tags.push_back(text);
        if (row->info.kind == EncodingKind::tool_call) owners.call_tags.push_back(text);
      }
    }
    for (const TargetRow* row : target_rows()) {
      for (const auto& control : row->info.control_strings) add(control.text, row->info.name);
    }
    return owners;
  }();
  return table;
}

bool contains(const std::vector<std::string_view>& list, std::string_view text) {
  return std::find(list.begin(), list.end(), text) != list.end();
}

std::string owner_list(std::string_view text) {
  std::string names;
  for (auto owner : owners().formats.at(text)) names += (names.empty() ? "" : ", ") + std::string(owner);
  return names;
}

std::string tokenizer_note(const RecordView& record, std::string_view text) {
  if (record.tokenizer == nullptr) return "";
  const auto id = record.tokenizer->token_to_id(text);
  if (id && record.tokenizer->is_special(*id)) {
    return " [" + std::string(record.tokenizer_name) + " reads it as one control token, id " + std::to_string(*id) +
           ": the model learns chat structure in the middle of text]";
  }
  return " [" + std::string(record.tokenizer_name) + " reads it as ordinary text]";
}

// `where` makes the text's place ("messages[2].content"), only when there is something to report.
Rule rule_for(Role role, std::string_view control) {
  if (role == Role::user && contains(owners().call_tags, control)) return Rule::call_outside_assistant;
  if (role == Role::assistant && contains(owners().tags, control)) return Rule::stray_tag;
  return Rule::foreign_delimiter;
}

std::string_view advice_for(Rule rule) {
  switch (rule) {
    case Rule::call_outside_assistant:
      return "a user message writes a tool call; only assistant turns call tools, so move the call into an "
             "assistant message or remove it";
    case Rule::stray_tag:
      return "no call or result owns it (its partner tag is missing or out of order); close or remove it";
    default:
      return "a trainer reads it as chat structure; remove it (convert refuses the record unless given "
             "--on-foreign-delimiter=keep)";
  }
}

// One finding per rule a text breaks, naming every control string it holds for that rule.
template <class Where>
void check_text(const RecordView& record, Role role, std::string_view text, Where&& where_of,
                std::vector<RecordFinding>& findings) {
  const auto& scanner = detail::ControlStringScanner::all_formats();
  if (!scanner.contains_any(text)) return;
  const std::string where = where_of();
  for (const Rule rule : {Rule::foreign_delimiter, Rule::call_outside_assistant, Rule::stray_tag}) {
    std::string found;
    std::size_t count = 0;
    for (const std::string_view control : control_strings_of_all_formats()) {
      if (rule_for(role, control) != rule || text.find(control) == std::string_view::npos) continue;
      found += (count++ == 0 ? "" : ", ") + ("'" + std::string(control) + "' (" + owner_list(control) + ")") +
               tokenizer_note(record, control);
    }
    if (count == 0) continue;
    findings.push_back({rule, 0, where + " contains " + found + ": " + std::string(advice_for(rule))});
  }
}

}  // namespace

void check_control_strings(const RecordView& record, std::vector<RecordFinding>& findings) {
  const auto& messages = record.conversation.messages;
  for (std::size_t m = 0; m < messages.size(); ++m) {
    const Message& message = messages[m];
    check_text(
        record, message.role, message.content, [m] { return message_where(m) + ".content"; }, findings);
    for (std::size_t c = 0; c < message.tool_calls.size(); ++c) {
      check_text(
          record, message.role, message.tool_calls[c].arguments_json(),
          [m, c] { return message_where(m) + ".tool_calls[" + std::to_string(c) + "].arguments"; }, findings);
    }
  }
}

}  // namespace chatfmt::lint
