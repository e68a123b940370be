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

/// A tool call. Its arguments (always a JSON object) are held in the form that was given: readers
/// write them straight as json.dumps text (ArgumentsBuilder, no JSON tree per call), code that
/// builds or changes a call uses the tree; each form is made from the other on first use.
class ToolCall {
 public:
  ToolCall() = default;
  ToolCall(std::string call_id, std::string call_name, Json call_arguments)
      : id(std::move(call_id)),
        name(std::move(call_name)),
        tree_(std::move(call_arguments)),
        has_tree_(true),
        has_text_(false),
        has_signature_(false) {}

  std::string id;  ///< as read; normalization makes it 9 characters of [a-zA-Z0-9]
  std::string name;

  /// The arguments as a JSON object.
  const Json& arguments() const;
  /// For changing them: the text and signature below are made again from the tree.
  Json& arguments();
  /// json.dumps(arguments) (append_python_json): what the content hash and the writers read.
  std::string_view arguments_json() const;
  /// The top-level argument keys with the JSON type of each value, in order, length-prefixed so
  /// no two lists write alike: all that inferring a tool list from calls reads.
  std::string_view signature() const;
  /// Whether the arguments are exactly one key, `key`.
  bool has_only_argument(std::string_view key) const;

  /// Sets the arguments from their json.dumps text and signature (ArgumentsBuilder makes both).
  void set_arguments(std::string json_text, std::string signature);

 private:
  // No arguments: "{}" as text, no tree (an empty JSON object is a heap allocation).
  mutable Json tree_;
  mutable std::string text_ = "{}";
  mutable std::string signature_;
  mutable bool has_tree_ = false;
  mutable bool has_text_ = true;
  mutable bool has_signature_ = true;
};

/// Appends one signature entry (ToolCall::signature) for a key and its value's JSON type name.
void append_signature_entry(std::string& signature, std::string_view key, std::string_view type_name);

/// Calls `visit(key, type_name)` for each entry of a ToolCall::signature(), in order.
template <class Visit>
void for_each_signature_entry(std::string_view signature, Visit&& visit) {
  std::size_t at = 0;
  while (at < signature.size()) {
    std::size_t length = 0;
    while (signature[at] != ':') length = length * 10 + static_cast<std::size_t>(signature[at++] - '0');
    const std::string_view key = signature.substr(at + 1, length);
    at += 1 + length;
    const std::size_t end = signature.find(';', at);
    visit(key, signature.substr(at, end - at));
    at = end + 1;
  }
}

/// The kinds of JSON value a JSON schema's "type" names.
enum class JsonType : std::uint8_t { string, boolean, integer, number, object, array, null };
/// Its name in a schema: "string", "boolean", "integer", "number", "object", "array", "null".
std::string_view json_type_name(JsonType type);
/// The JSON type name of a value.
std::string_view json_type_name(const Json& value);

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

/// Appends an empty message to `conversation`: one that recycle() kept on this thread when there is
/// one, so its strings and call list reuse their memory and a record's messages cost no allocation.
Message& append_message(Conversation& conversation);
/// Empties `conversation`, keeping its messages (cleared) for append_message on this thread.
void recycle(Conversation& conversation);

/// A 64-bit hash (XXH3) of what a conversation teaches: roles, contents, call names and
/// arguments, results, in order. Ids, tools, source position and the source encoding do not
/// count, so the same example written in two encodings (or two files) hashes the same.
std::uint64_t content_hash(const Conversation& conversation);

}  // namespace chatfmt
