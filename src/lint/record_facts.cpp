#include "lint/record_facts.hpp"

#include <array>
#include <charconv>

#include <xxhash.h>

#include "core/text.hpp"

namespace chatfmt::lint {
namespace {

// Length-prefixed fields, as content_hash writes them, so no two conversations serialize alike.
void append_field(std::string& out, std::string_view text) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, text.size()).ptr;
  out.append(digits, end);
  out += ':';
  out.append(text);
}

// Every run of whitespace as one space, none at either end. Text already spaced so (words apart by
// one ' ') is appended in one piece: only other runs of whitespace split it.
void append_loose(std::string& out, std::string_view text) {
  static constexpr auto kSpace = [] {
    std::array<bool, 256> table{};
    for (const unsigned char c : {' ', '\t', '\n', '\r', '\f', '\v'}) table[c] = true;
    return table;
  }();
  auto space = [](char c) { return kSpace[static_cast<unsigned char>(c)]; };
  const char* at = text.data();
  const char* const end = at + text.size();
  const std::size_t start = out.size();
  while (at < end && space(*at)) ++at;
  while (at < end) {
    const char* piece = at;
    // To the first whitespace that is not a lone ' ' between two words.
    while (at < end && (!space(*at) || (*at == ' ' && at + 1 < end && !space(at[1])))) ++at;
    if (out.size() > start) out += ' ';
    out.append(piece, static_cast<std::size_t>(at - piece));
    while (at < end && space(*at)) ++at;
  }
}

// The conversation with whitespace loosened (append_loose), hashed: near duplicates and leakage
// match on it.
Hash128 hash_loose_conversation(const Conversation& conversation) {
  thread_local std::string canonical;
  thread_local std::string scratch;
  canonical.clear();
  for (const auto& message : conversation.messages) {
    append_field(canonical, role_name(message.role));
    scratch.clear();
    append_loose(scratch, message.content);
    append_field(canonical, scratch);
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
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(32, '0');
  for (int k = 0; k < 16; ++k) {
    text[static_cast<std::size_t>(15 - k)] = kDigits[(high >> (4 * k)) & 0xf];
    text[static_cast<std::size_t>(31 - k)] = kDigits[(low >> (4 * k)) & 0xf];
  }
  return text;
}

Hash128 hash_bytes(std::string_view bytes) {
  const XXH128_hash_t hash = XXH3_128bits(bytes.data(), bytes.size());
  return {hash.high64, hash.low64};
}

Hash128 exact_hash(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
  return hash_bytes(line);
}

void RecordFacts::clear() {
  findings.clear();
  placed.clear();
  exact = {};
  readable = false;
  loose = {};
  first_prompt = {};
  has_system = false;
  encodings = 0;
  tools_called.clear();
  drift_checked = false;
  drifted = false;
  drift.clear();
  jinja_kind = JinjaKind::none;
  jinja_requests.clear();
  jinja_own.clear();
}

void collect_facts(const Conversation& conversation, bool hashes, RecordFacts& facts) {
  facts.readable = true;
  if (hashes) facts.loose = hash_loose_conversation(conversation);
  for (const auto& message : conversation.messages) {
    facts.encodings |= message.source_encodings;
    if (message.role == Role::system) facts.has_system = true;
    if (hashes && message.role == Role::user && facts.first_prompt.empty()) {
      thread_local std::string prompt;
      prompt.clear();
      append_loose(prompt, message.content);
      facts.first_prompt = hash_bytes(prompt);
      if (facts.first_prompt.empty()) facts.first_prompt.low = 1;  // an empty prompt is still a prompt
    }
    for (const auto& call : message.tool_calls) facts.tools_called.push_back(call.name);
  }
}

}  // namespace chatfmt::lint
