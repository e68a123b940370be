// The conversation model's small functions: role names, the content hash.
#include <xxhash.h>
#if defined(__x86_64__)
#include <xxh_x86dispatch.h>  // the same hashes, with AVX2 where the CPU has it (libxxhash picks at run time)
#endif

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "core/arguments.hpp"
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

std::string_view json_type_name(JsonType type) {
  static constexpr std::array<std::string_view, 7> names = {"string", "boolean", "integer", "number",
                                                            "object", "array",   "null"};
  return names.at(static_cast<std::size_t>(type));
}

std::string_view json_type_name(const Json& value) {
  if (value.is_string()) return json_type_name(JsonType::string);
  if (value.is_boolean()) return json_type_name(JsonType::boolean);
  if (value.is_number_integer()) return json_type_name(JsonType::integer);
  if (value.is_number()) return json_type_name(JsonType::number);
  if (value.is_object()) return json_type_name(JsonType::object);
  if (value.is_array()) return json_type_name(JsonType::array);
  return json_type_name(JsonType::null);
}

void append_signature_entry(std::string& signature, std::string_view key, std::string_view type_name) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), key.size()).ptr;
  signature.append(digits.data(), static_cast<std::size_t>(end - digits.data()));
  signature += ':';
  signature += key;
  signature += type_name;
  signature += ';';
}

const Json& ToolCall::arguments() const {
  if (!has_tree_) {
    // Walked, not parsed: a string value is the source's bytes as they were (an XML parameter
    // of a text that was never checked as UTF-8 still reads back). Anything else was written
    // from parsed JSON, so it parses again.
    Json tree = Json::object();
    detail::for_each_argument(text_, [&](const detail::ArgumentEntry& entry) {
      if (entry.is_string) {
        tree[std::string(entry.key)] = std::string(entry.value);
        return;
      }
      JsonParseError error;
      auto value = parse_json(entry.value, error);
      if (!value) throw std::logic_error("a tool call argument that does not read back: " + error.describe());
      tree[std::string(entry.key)] = std::move(*value);
    });
    tree_ = std::move(tree);
    has_tree_ = true;
  }
  return tree_;
}

Json& ToolCall::arguments() {
  (void)std::as_const(*this).arguments();
  has_text_ = false;
  has_signature_ = false;
  return tree_;
}

std::string_view ToolCall::arguments_json() const {
  if (!has_text_) {
    text_.clear();
    append_python_json(text_, tree_);
    has_text_ = true;
  }
  return text_;
}

std::string_view ToolCall::signature() const {
  if (!has_signature_) {
    signature_.clear();
    for (const auto& [key, value] : tree_.items()) append_signature_entry(signature_, key, json_type_name(value));
    has_signature_ = true;
  }
  return signature_;
}

bool ToolCall::has_only_argument(std::string_view key) const {
  std::string expected;
  append_signature_entry(expected, key, "");
  const std::string_view entries = signature();
  // The one entry is the key's, whatever the type name that ends it before the ';'.
  return entries.size() > expected.size() &&
         entries.starts_with(std::string_view(expected).substr(0, expected.size() - 1)) &&
         entries.find(';') == entries.size() - 1;
}

void ToolCall::set_arguments(std::string json_text, std::string signature) {
  text_ = std::move(json_text);
  signature_ = std::move(signature);
  has_text_ = true;
  has_signature_ = true;
  has_tree_ = false;
  tree_ = nullptr;
}

namespace {

// Cleared messages kept per thread between records. Bounded both ways, so a record of 40,000
// turns or of a 100 MiB string does not keep its memory for the rest of the run.
constexpr std::size_t kMessagesKept = 256;
constexpr std::size_t kCapacityKept = 64 * 1024;

std::vector<Message>& spare_messages() {
  thread_local std::vector<Message> spare;
  return spare;
}

void clear_keeping_small_capacity(std::string& text) {
  if (text.capacity() > kCapacityKept) {
    std::string().swap(text);
  } else {
    text.clear();
  }
}

}  // namespace

Message& append_message(Conversation& conversation) {
  auto& spare = spare_messages();
  if (spare.empty()) return conversation.messages.emplace_back();
  Message& message = conversation.messages.emplace_back(std::move(spare.back()));
  spare.pop_back();
  return message;
}

void recycle(Conversation& conversation) {
  auto& spare = spare_messages();
  for (auto& message : conversation.messages) {
    if (spare.size() == kMessagesKept) break;
    clear_keeping_small_capacity(message.content);
    message.tool_call_id.clear();
    message.tool_calls.clear();
    message.role = Role::user;
    message.source_encodings = 0;
    spare.push_back(std::move(message));
  }
  conversation.messages.clear();
  conversation.tools.reset();
  conversation.source = {};
}

std::uint64_t content_hash(const Conversation& conversation) {
  // Length-prefixed fields, so no two different conversations serialize alike. One buffer per
  // thread, kept between records, sized once and written through a pointer.
  constexpr std::size_t kDigits = 20;  // the most a size_t's decimal digits take
  std::size_t size = 0;
  for (const auto& message : conversation.messages) {
    size += 2 * (kDigits + 1) + role_name(message.role).size() + message.content.size() + 1;
    for (const auto& call : message.tool_calls) {
      size += 2 * (kDigits + 1) + call.name.size() + call.arguments_json().size();
    }
  }
  thread_local std::string canonical;
  if (canonical.size() < size) canonical.resize(std::max(size, 2 * canonical.size()));
  char* at = canonical.data();
  auto field = [&at](std::string_view text) {
    at = std::to_chars(at, at + kDigits, text.size()).ptr;
    *at++ = ':';
    std::memcpy(at, text.data(), text.size());
    at += text.size();
  };
  for (const auto& message : conversation.messages) {
    field(role_name(message.role));
    field(message.content);
    for (const auto& call : message.tool_calls) {
      field(call.name);
      field(call.arguments_json());
    }
    *at++ = ';';
  }
  return XXH3_64bits(canonical.data(), static_cast<std::size_t>(at - canonical.data()));
}

}  // namespace chatfmt
