// The conversation model's small functions: role and encoding names, the content hash.
#include <xxhash.h>

#include "chatfmt/conversation.hpp"

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

const std::vector<Encoding>& all_encodings() {
  static const std::vector<Encoding> list = {
      Encoding::structured_tool_calls, Encoding::code_mode_xml, Encoding::direct_xml,          Encoding::json_in_tags,
      Encoding::json_in_fence,         Encoding::bare_code,     Encoding::tool_response_block, Encoding::tool_role};
  return list;
}

std::string_view encoding_name(Encoding encoding) {
  switch (encoding) {
    case Encoding::structured_tool_calls:
      return "structured-tool-calls";
    case Encoding::code_mode_xml:
      return "code-mode-xml";
    case Encoding::direct_xml:
      return "direct-xml";
    case Encoding::json_in_tags:
      return "json-in-tags";
    case Encoding::json_in_fence:
      return "json-in-fence";
    case Encoding::bare_code:
      return "bare-code";
    case Encoding::tool_response_block:
      return "tool-response-block";
    case Encoding::tool_role:
      return "tool-role";
  }
  return "unknown";
}

std::uint64_t content_hash(const Conversation& conversation) {
  // Length-prefixed fields, so no two different conversations serialize alike.
  std::string canonical;
  auto field = [&canonical](std::string_view text) {
    canonical += std::to_string(text.size());
    canonical += ':';
    canonical += text;
  };
  for (const auto& message : conversation.messages) {
    field(role_name(message.role));
    field(message.content);
    for (const auto& call : message.tool_calls) {
      field(call.name);
      field(python_json(call.arguments));
    }
    canonical += ';';
  }
  return XXH3_64bits(canonical.data(), canonical.size());
}

}  // namespace chatfmt
