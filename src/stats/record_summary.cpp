#include "stats/record_summary.hpp"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t: a streaming hash of the fields
#include <xxhash.h>

#include "core/text.hpp"

namespace chatfmt::stats {
namespace {

// XXH3 over length-prefixed fields, so no two lists of fields hash alike.
class FieldHash {
 public:
  FieldHash() { XXH3_64bits_reset(&state_); }
  void add(std::string_view field) {
    const std::uint64_t size = field.size();
    XXH3_64bits_update(&state_, &size, sizeof size);
    XXH3_64bits_update(&state_, field.data(), field.size());
    empty_ = false;
  }
  void add(std::uint64_t value) {
    XXH3_64bits_update(&state_, &value, sizeof value);
    empty_ = false;
  }
  /// 0 when nothing was added; never 0 otherwise.
  std::uint64_t value() const {
    if (empty_) return 0;
    const std::uint64_t hash = XXH3_64bits_digest(&state_);
    return hash == 0 ? 1 : hash;
  }

 private:
  XXH3_state_t state_;
  bool empty_ = true;
};

std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

void RecordSummary::clear_summary() {
  clear();
  messages_by_role = {};
  chars = 0;
  tokens.reset();
  tool_results = 0;
  system_hash = 0;
  content = 0;
  identity = 0;
  first_user = 0;
  parts = {};
  text_with_calls = false;
  lead_text = 0;
  answer_text = 0;
}

void summarize(const Conversation& conversation, RecordSummary& summary) {
  lint::collect_facts(conversation, true, summary);
  std::array<FieldHash, kRecordParts> parts;
  FieldHash system;
  FieldHash lead;
  FieldHash answer;
  for (const auto& message : conversation.messages) {
    ++summary.messages_by_role[static_cast<std::size_t>(message.role)];
    summary.chars += code_points(message.content);
    switch (message.role) {
      case Role::system:
        system.add(message.content);
        parts[part_index(RecordPart::system)].add(message.content);
        break;
      case Role::user:
        if (summary.first_user == 0) {
          FieldHash first;
          first.add(message.content);
          summary.first_user = first.value();
        }
        parts[part_index(RecordPart::user)].add(message.content);
        break;
      case Role::assistant:
        if (!message.content.empty()) {
          parts[part_index(RecordPart::assistant_text)].add(message.content);
          if (!message.tool_calls.empty()) summary.text_with_calls = true;
          (message.tool_calls.empty() ? answer : lead).add(message.content);
        }
        for (const auto& call : message.tool_calls) {
          summary.chars += code_points(call.arguments_json());
          parts[part_index(RecordPart::calls)].add(call.name);
          parts[part_index(RecordPart::calls)].add(call.arguments_json());
        }
        break;
      case Role::tool:
        ++summary.tool_results;
        parts[part_index(RecordPart::results)].add(message.content);
        break;
    }
  }
  if (conversation.tools) parts[part_index(RecordPart::tools)].add(conversation.tools->json().dump());
  if (summary.encodings != 0) parts[part_index(RecordPart::encoding)].add(summary.encodings);
  for (std::size_t k = 0; k < kRecordParts; ++k) summary.parts[k] = parts[k].value();
  summary.system_hash = system.value();
  summary.lead_text = lead.value();
  summary.answer_text = answer.value();
  summary.content = content_hash(conversation);
  FieldHash identity;
  identity.add(summary.content);
  identity.add(summary.parts[part_index(RecordPart::tools)]);
  identity.add(summary.encodings);
  summary.identity = identity.value();
}

std::string part_text(const Conversation& conversation, RecordPart part) {
  std::string text;
  auto join = [&](std::string_view piece) {
    if (!text.empty()) text += "\n";
    text += piece;
  };
  for (const auto& message : conversation.messages) {
    switch (part) {
      case RecordPart::system:
        if (message.role == Role::system) join(message.content);
        break;
      case RecordPart::user:
        if (message.role == Role::user) join(message.content);
        break;
      case RecordPart::assistant_text:
        if (message.role == Role::assistant) join(message.content);
        break;
      case RecordPart::calls:
        for (const auto& call : message.tool_calls) join(call.name + " " + std::string(call.arguments_json()));
        break;
      case RecordPart::results:
        if (message.role == Role::tool) join(message.content);
        break;
      case RecordPart::tools:
      case RecordPart::encoding:
        break;
    }
  }
  if (part == RecordPart::tools && conversation.tools) text = conversation.tools->json().dump();
  if (part == RecordPart::encoding) {
    EncodingSet set = 0;
    for (const auto& message : conversation.messages) set |= message.source_encodings;
    for (std::size_t k = 0; k < encodings().size(); ++k) {
      if ((set & encoding_bit(k)) != 0) join(encodings()[k].name);
    }
  }
  return text;
}

}  // namespace chatfmt::stats

std::string_view chatfmt::record_part_name(RecordPart part) {
  static constexpr std::array<std::string_view, kRecordParts> kNames = {"system",  "user",  "assistant_text", "calls",
                                                                        "results", "tools", "encoding"};
  return kNames[stats::part_index(part)];
}
