#include "lint/record_facts.hpp"

#include <charconv>
#include <cstdio>

#include <xxhash.h>

#include "core/text.hpp"

namespace chatfmt::lint {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Length-prefixed fields, as content_hash writes them, so no two conversations serialize alike.
void append_field(std::string& out, std::string_view text) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, text.size()).ptr;
  out.append(digits, end);
  out += ':';
  out.append(text);
}

// Every run of whitespace as one space, none at either end.
void append_loose(std::string& out, std::string_view text) {
  bool pending_space = false;
  for (const char c : text) {
    if (is_space(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += c;
  }
}

Hash128 hash_conversation(const Conversation& conversation, bool loose) {
  thread_local std::string canonical;
  thread_local std::string scratch;
  canonical.clear();
  for (const auto& message : conversation.messages) {
    append_field(canonical, role_name(message.role));
    if (loose) {
      scratch.clear();
      append_loose(scratch, message.content);
      append_field(canonical, scratch);
    } else {
      append_field(canonical, message.content);
    }
    for (const auto& call : message.tool_calls) {
      append_field(canonical, call.name);
      append_field(canonical, call.arguments_json());
    }
    canonical += ';';
  }
  return hash_bytes(canonical);
}

}  // namespace

std::string Hash128::hex() const {
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return text;
}

Hash128 hash_bytes(std::string_view bytes) {
  const XXH128_hash_t hash = XXH3_128bits(bytes.data(), bytes.size());
  return {hash.high64, hash.low64};
}

void RecordFacts::clear() {
  findings.clear();
  exact = {};
  readable = false;
  conversation = {};
  loose = {};
  first_prompt = {};
  has_system = false;
  encodings = 0;
  tools_called.clear();
  drift_checked = false;
  drifted = false;
  drift.clear();
}

void collect_facts(const Conversation& conversation, RecordFacts& facts) {
  facts.readable = true;
  facts.conversation = hash_conversation(conversation, false);
  facts.loose = hash_conversation(conversation, true);
  for (const auto& message : conversation.messages) {
    facts.encodings |= message.source_encodings;
    if (message.role == Role::system) facts.has_system = true;
    if (message.role == Role::user && facts.first_prompt.empty()) {
      std::string prompt;
      append_loose(prompt, message.content);
      facts.first_prompt = hash_bytes(prompt);
      if (facts.first_prompt.empty()) facts.first_prompt.low = 1;  // an empty prompt is still a prompt
    }
    for (const auto& call : message.tool_calls) facts.tools_called.push_back(call.name);
  }
}

}  // namespace chatfmt::lint
