#include "embedded.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <stdexcept>

#include "chatfmt/errors.hpp"
#include "core/text.hpp"
#include "registry_entries.hpp"

namespace chatfmt::embedded {
namespace {

// The encodings that write calls into assistant text, in table order, and the distinct strings
// their calls open with, each with the next position it was found at. One search per opener
// serves every encoding that shares it (four share <tool_call>), and a position is searched
// again only once the scan has passed it: searching on every step would scan the rest of the text
// once per call, quadratic time for thousands of calls. At most one row per bit of an
// EncodingSet, so fixed arrays (no allocation) hold them.
struct CallRow {
  const EncodingRow* row = nullptr;
  EncodingSet bit = 0;
  std::size_t opener = 0;  // index into CallRows::openers
};

struct CallRows {
  std::array<CallRow, 8 * sizeof(EncodingSet)> rows{};
  std::size_t row_count = 0;
  std::array<std::string_view, 8 * sizeof(EncodingSet)> openers{};
  std::size_t opener_count = 0;
};

const CallRows& call_rows() {
  static const CallRows table = [] {
    CallRows rows;
    for (const EncodingRow* row : encoding_rows()) {
      if (row->call_opener.empty()) continue;
      std::size_t opener = 0;
      while (opener < rows.opener_count && rows.openers.at(opener) != row->call_opener) ++opener;
      if (opener == rows.opener_count) rows.openers.at(rows.opener_count++) = row->call_opener;
      rows.rows.at(rows.row_count++) = CallRow{row, encoding_bit_of(*row), opener};
    }
    return rows;
  }();
  return table;
}

// Where each opener was found last in the text being decoded. Left uninitialized but for the
// openers in use: an assistant turn costs no copy of a table sized for every possible row.
struct OpenerScan {
  std::string_view text;
  std::size_t next;
  bool known;
};

// The encodings that read results from user and tool turns, in table order.
const std::vector<const EncodingRow*>& result_rows() {
  static const std::vector<const EncodingRow*> rows = [] {
    std::vector<const EncodingRow*> found;
    for (const EncodingRow* row : encoding_rows()) {
      if (row->read_results != nullptr) found.push_back(row);
    }
    return found;
  }();
  return rows;
}

}  // namespace

void decode_assistant(std::string_view text, const ReadContext& context, Message& decoded) {
  const CallRows& table = call_rows();
  std::array<OpenerScan, 8 * sizeof(EncodingSet)> scans;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  for (std::size_t k = 0; k < table.opener_count; ++k) scans[k] = OpenerScan{table.openers[k], 0, false};
  const std::span<OpenerScan> openers(scans.data(), table.opener_count);
  const std::span<const CallRow> rows(table.rows.data(), table.row_count);
  std::size_t pos = 0;       // scanning position
  std::size_t text_end = 0;  // end of the plain text before the first call
  bool seen_call = false;
  auto check_gap = [&](std::size_t from, std::size_t to) {
    const std::string_view gap = text.substr(from, to - from);
    if (seen_call && !text::is_blank_ascii(gap)) {
      throw RecordError(Rule::text_after_tool_call,
                        std::string(context.where) + ": text after a tool call ('" +
                            text::excerpt(text::strip_ascii(gap)) +
                            "') has no place in the target's order (text, then calls); move it into the next "
                            "assistant turn");
    }
  };
  for (;;) {
    std::size_t at = std::string_view::npos;
    for (auto& opener : openers) {
      if (!opener.known || (opener.next != std::string_view::npos && opener.next < pos)) {
        opener.next = text.find(opener.text, pos);
        opener.known = true;
      }
      at = std::min(at, opener.next);
    }
    if (at == std::string_view::npos) break;
    // The first encoding (in table order) that opens a call here and claims what starts here reads it.
    CallMatch match;
    EncodingSet bit = 0;
    bool opened = false;
    for (const auto& call_row : rows) {
      const EncodingRow& row = *call_row.row;
      if (openers[call_row.opener].next != at) continue;
      if (row.opens_call != nullptr && !row.opens_call(text, at)) continue;
      opened = true;
      match = row.read_call(text, at, context);
      bit = call_row.bit;
      if (match.kind != CallMatch::Kind::not_mine) break;
    }
    if (!opened) {
      // Not a call in any encoding (a fence of another language, say): look past it.
      for (auto& opener : openers) {
        if (opener.next == at) opener.next = text.find(opener.text, at + 1);
      }
      continue;
    }
    switch (match.kind) {
      case CallMatch::Kind::call:
        check_gap(pos, at);
        if (!seen_call) text_end = at;
        decoded.tool_calls.push_back(std::move(match.call));
        decoded.source_encodings |= bit;
        seen_call = true;
        break;
      case CallMatch::Kind::text:
        check_gap(pos, match.end);
        break;
      case CallMatch::Kind::not_mine:
        throw std::logic_error("no encoding read what one of them found");
    }
    pos = match.end;
  }
  if (!seen_call) {
    decoded.content.assign(text);
    return;
  }
  check_gap(pos, text.size());
  decoded.content.assign(text::rstrip_ascii(text.substr(0, text_end)));
}

DecodedAssistant decode_assistant(std::string_view text, const ReadContext& context) {
  Message message;
  decode_assistant(text, context, message);
  return {std::move(message.content), std::move(message.tool_calls), message.source_encodings};
}

void append_turn(Conversation& conversation, Role role, std::string_view content, const ReadContext& context,
                 std::string_view tool_call_id) {
  if (context.setup.literal()) {
    Message& message = append_message(conversation);
    message.role = role;
    message.content.assign(content);
    if (role == Role::tool) message.tool_call_id.assign(tool_call_id);
    return;
  }
  if (role == Role::assistant) {
    Message& message = append_message(conversation);
    message.role = role;
    decode_assistant(content, context, message);
    return;
  }
  const ResultTurn turn{role, content, conversation.messages};
  thread_local std::vector<std::string_view> results;
  for (const EncodingRow* row : result_rows()) {
    results.clear();
    if (!row->read_results(turn, context, results)) continue;
    for (const std::string_view result : results) {
      Message& message = append_message(conversation);
      message.role = Role::tool;
      message.content.assign(result);
      message.tool_call_id.assign(tool_call_id);
      message.source_encodings = encoding_bit_of(*row);
    }
    return;
  }
  Message& message = append_message(conversation);
  message.role = role;
  message.content.assign(content);
  if (role == Role::tool) {
    message.tool_call_id.assign(tool_call_id);
    message.source_encodings = encoding_bit_of(tool_role_encoding());
  }
}

void check_conversation(const Conversation& conversation, const ReadSetup& setup) {
  if (setup.literal()) return;  // nothing was decoded
  for (const EncodingRow* row : encoding_rows()) {
    if (row->check_conversation != nullptr) row->check_conversation(conversation, setup);
  }
}

}  // namespace chatfmt::embedded
