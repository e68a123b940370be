// The conversation model's small functions: role names, the content hash.
#include <xxhash.h>

#include <array>
#include <charconv>

#include "core/conversation.hpp"

namespace chatfmt {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::system:
      return "system";
    case Role::user:
      return "user";
    case Role::assistant:
      return "assistant";
    case Role::tool:
      return "tool";
  }
  return "user";
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "system") return Role::system;
  if (name == "user") return Role::user;
  if (name == "assistant") return Role::assistant;
  if (name == "tool") return Role::tool;
  return std::nullopt;
}

std::uint64_t content_hash(const Conversation& conversation) {
  // Length-prefixed fields, so no two different conversations serialize alike. One buffer per
  // thread, kept between records.
  thread_local std::string canonical;
  canonical.clear();
  auto field = [](std::string_view text) {
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), text.size()).ptr;
    canonical.append(digits.data(), static_cast<std::size_t>(end - digits.data()));
    canonical += ':';
    canonical += text;
  };
  for (const auto& message : conversation.messages) {
    field(role_name(message.role));
    field(message.content);
    for (const auto& call : message.tool_calls) {
      field(call.name);
      field(call.arguments_json());
    }
    canonical += ';';
  }
  return XXH3_64bits(canonical.data(), canonical.size());
}

}  // namespace chatfmt
