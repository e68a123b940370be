#include "embedded.hpp"

#include <array>
#include <stdexcept>

#include "chatfmt/errors.hpp"
#include "core/text.hpp"
#include "registry_entries.hpp"

namespace chatfmt::embedded {
namespace {

// The encodings that write calls into assistant text, with the next position each found. A
// position is searched again only once the scan has passed it: searching every encoding on every
// step would scan the rest of the text once per call, quadratic time for thousands of calls.
struct CallFinder {
  const EncodingRow* row;
  EncodingSet bit;
  std::size_t next = 0;
  bool known = false;
};

// One finder per call encoding: at most one per bit of an EncodingSet, so a fixed array copied per
// assistant turn (no allocation) holds them.
struct CallFinders {
  std::array<CallFinder, 8 * sizeof(EncodingSet)> items{};
  std::size_t count = 0;
  CallFinder* begin() { return items.data(); }
  CallFinder* end() { return items.data() + count; }
};

CallFinders call_finders() {
  CallFinders finders;
  for (const EncodingRow* row : encoding_rows()) {
    if (row->find_call != nullptr) finders.items.at(finders.count++) = CallFinder{row, encoding_bit_of(*row)};
  }
  return finders;
}

}  // namespace

void decode_assistant(std::string_view text, const ReadContext& context, Message& decoded) {
  static const CallFinders prototype = call_finders();
  CallFinders finders = prototype;
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
    for (auto& finder : finders) {
      if (!finder.known || (finder.next != std::string_view::npos && finder.next < pos)) {
        finder.next = finder.row->find_call(text, pos);
        finder.known = true;
      }
      at = std::min(at, finder.next);
    }
    if (at == std::string_view::npos) break;
    // The first encoding (in table order) found here that claims what starts here reads it.
    CallMatch match;
    EncodingSet bit = 0;
    for (const auto& finder : finders) {
      if (finder.next != at) continue;
      match = finder.row->read_call(text, at, context);
      bit = finder.bit;
      if (match.kind != CallMatch::Kind::not_mine) break;
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
  if (role == Role::assistant) {
    Message& message = append_message(conversation);
    message.role = role;
    decode_assistant(content, context, message);
    return;
  }
  const ResultTurn turn{role, content, conversation.messages};
  thread_local std::vector<std::string_view> results;
  for (const EncodingRow* row : encoding_rows()) {
    if (row->read_results == nullptr) continue;
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
  for (const EncodingRow* row : encoding_rows()) {
    if (row->check_conversation != nullptr) row->check_conversation(conversation, setup);
  }
}

}  // namespace chatfmt::embedded
