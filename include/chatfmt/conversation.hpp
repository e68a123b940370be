// The conversation model every reader produces and every writer consumes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatfmt/json.hpp"

namespace chatfmt {

enum class Role : std::uint8_t { system, user, assistant, tool };

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

/// How a message's tool calls or tool results were written in the source. A message can carry
/// several (that is what "mixed encodings" means); readers record them, `detect` and later
/// lint/stats read them.
enum class Encoding : std::uint16_t {
  structured_tool_calls = 1U << 0,  ///< OpenAI `tool_calls` array
  code_mode_xml = 1U << 1,          ///< <tool_call><function=execute_code><parameter=code>…
  direct_xml = 1U << 2,             ///< <tool_call><function=NAME><parameter=P>… (any other)
  json_in_tags = 1U << 3,           ///< <tool_call>{"name": …, "arguments": …}</tool_call>
  json_in_fence = 1U << 4,          ///< ```json {"name": …, "arguments": …} ```
  bare_code = 1U << 5,              ///< <tool_call>code</tool_call> without the XML wrapper
  tool_response_block = 1U << 6,    ///< <tool_response>…</tool_response> inside a user turn
  tool_role = 1U << 7,              ///< role "tool" message
};
using EncodingSet = std::uint16_t;
inline constexpr EncodingSet encoding_bit(Encoding e) { return static_cast<EncodingSet>(e); }
std::string_view encoding_name(Encoding encoding);
/// All encodings, in the order reports list them.
const std::vector<Encoding>& all_encodings();

struct ToolCall {
  std::string id;  ///< as read; normalization makes it 9 characters of [a-zA-Z0-9]
  std::string name;
  Json arguments = Json::object();  ///< always a JSON object
};

struct Message {
  Role role = Role::user;
  std::string content;
  std::vector<ToolCall> tool_calls;  ///< assistant only
  std::string tool_call_id;          ///< tool only: the call this result answers
  EncodingSet source_encodings = 0;  ///< how calls/results were encoded in the source
};

/// Where a record came from: the input file and its 1-based line.
struct SourceRef {
  std::string path;
  std::uint64_t line = 0;
};

struct Conversation {
  std::vector<Message> messages;
  std::optional<Json> tools;  ///< an OpenAI tool list, when the record or options give one
  SourceRef source;
};

/// A 64-bit hash (XXH3) of what a conversation teaches: roles, contents, call names and
/// arguments, results, in order. Ids, tools, source position and the source encoding do not
/// count, so the same example written in two encodings (or two files) hashes the same.
std::uint64_t content_hash(const Conversation& conversation);

}  // namespace chatfmt
