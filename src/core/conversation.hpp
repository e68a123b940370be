// The conversation model every reader produces and every writer consumes (internal: the public
// API speaks in records and outcomes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chatfmt/encodings.hpp"
#include "chatfmt/pipeline.hpp"
#include "core/json.hpp"
#include "core/tool_list.hpp"

namespace chatfmt {

enum class Role : std::uint8_t { system, user, assistant, tool };

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

struct ToolCall {
  ToolCall() = default;
  ToolCall(std::string call_id, std::string call_name, Json call_arguments)
      : id(std::move(call_id)), name(std::move(call_name)), arguments_(std::move(call_arguments)) {}

  std::string id;  ///< as read; normalization makes it 9 characters of [a-zA-Z0-9]
  std::string name;

  /// Always a JSON object.
  const Json& arguments() const { return arguments_; }
  /// For changing them: forgets the rendering below.
  Json& arguments() {
    rendered_ = false;
    return arguments_;
  }
  /// json.dumps(arguments) (append_python_json), rendered on first use and kept: the content
  /// hash and the writers both need it, and rendering it twice was a tenth of a record's cost.
  std::string_view arguments_json() const {
    if (!rendered_) {
      arguments_json_.clear();
      append_python_json(arguments_json_, arguments_);
      rendered_ = true;
    }
    return arguments_json_;
  }

 private:
  Json arguments_ = Json::object();
  mutable std::string arguments_json_;
  mutable bool rendered_ = false;
};

struct Message {
  Role role = Role::user;
  std::string content;
  std::vector<ToolCall> tool_calls;  ///< assistant only
  std::string tool_call_id;          ///< tool only: the call this result answers
  EncodingSet source_encodings = 0;  ///< how calls/results were encoded in the source
};

struct Conversation {
  std::vector<Message> messages;
  SharedToolList tools;  ///< an OpenAI tool list, when the record or options give one
  SourceRef source;
};

/// A 64-bit hash (XXH3) of what a conversation teaches: roles, contents, call names and
/// arguments, results, in order. Ids, tools, source position and the source encoding do not
/// count, so the same example written in two encodings (or two files) hashes the same.
std::uint64_t content_hash(const Conversation& conversation);

}  // namespace chatfmt
