#include "core/normalize.hpp"

#include <xxhash.h>

#include <re2/re2.h>

#include "chatfmt/errors.hpp"
#include "core/text.hpp"

namespace chatfmt::detail {
namespace {

std::string message_where(std::size_t index) { return "messages[" + std::to_string(index) + "]"; }

bool is_valid_call_id(std::string_view id) {
  static const RE2 re("[a-zA-Z0-9]{9}");
  return RE2::FullMatch(re2::StringPiece(id.data(), id.size()), re);
}

// Nine base-62 characters from a hash of the record and the call's position.
std::string derive_call_id(std::string_view record_bytes, std::size_t message_index, std::size_t call_index) {
  static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const XXH64_hash_t seed = (static_cast<XXH64_hash_t>(message_index) << 20) ^ call_index;
  XXH64_hash_t hash = XXH3_64bits_withSeed(record_bytes.data(), record_bytes.size(), seed);
  std::string id(9, '0');
  for (auto& c : id) {
    c = alphabet[hash % 62];
    hash /= 62;
  }
  return id;
}

// Each result answers the next unanswered call of the assistant turn before it, in order.
void link_results(Conversation& conversation, std::string_view record_bytes) {
  struct Pending {
    std::size_t message = 0;
    std::size_t answered = 0;
  };
  std::optional<Pending> pending;
  auto require_answered = [&](std::size_t at) {
    if (!pending) return;
    const auto& calls = conversation.messages[pending->message].tool_calls;
    if (pending->answered < calls.size()) {
      throw RecordError("call-without-result",
                        message_where(pending->message) + ": tool call " + std::to_string(pending->answered) + " ('" +
                            calls[pending->answered].name + "') has no result before " + message_where(at) +
                            "; every call needs its result before the conversation goes on");
    }
  };
  // First make every call id valid, remembering the ids results may refer to.
  std::vector<std::vector<std::string>> original_ids(conversation.messages.size());
  for (std::size_t m = 0; m < conversation.messages.size(); ++m) {
    auto& calls = conversation.messages[m].tool_calls;
    for (std::size_t c = 0; c < calls.size(); ++c) {
      original_ids[m].push_back(calls[c].id);
      if (!is_valid_call_id(calls[c].id)) calls[c].id = derive_call_id(record_bytes, m, c);
    }
  }
  for (std::size_t m = 0; m < conversation.messages.size(); ++m) {
    Message& message = conversation.messages[m];
    if (message.role == Role::tool) {
      if (!pending || pending->answered >= conversation.messages[pending->message].tool_calls.size()) {
        throw RecordError("result-without-call", message_where(m) +
                                                     ": a tool result with no unanswered tool call before it; a "
                                                     "result must follow the assistant turn that made the call");
      }
      const auto& call = conversation.messages[pending->message].tool_calls[pending->answered];
      const auto& original = original_ids[pending->message][pending->answered];
      if (!message.tool_call_id.empty() && message.tool_call_id != original) {
        throw RecordError("result-id-mismatch",
                          message_where(m) + ": tool_call_id '" + text::excerpt(message.tool_call_id) +
                              "' does not match the call it answers in order (call " +
                              std::to_string(pending->answered) + " of " + message_where(pending->message) + ", id '" +
                              text::excerpt(original) + "'); results must come in call order");
      }
      message.tool_call_id = call.id;
      ++pending->answered;
      continue;
    }
    require_answered(m);
    pending.reset();
    if (message.role == Role::assistant && !message.tool_calls.empty()) pending = Pending{m, 0};
  }
  // The last turn may be calls with no results at all (the model's next step is to call);
  // some but not all answered is a broken record.
  if (pending && pending->answered > 0) require_answered(conversation.messages.size());
}

std::string json_type_name(const Json& value) {
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_object()) return "object";
  if (value.is_array()) return "array";
  return "null";
}

bool tool_list_has(const Json& tools, const std::string& name) {
  for (const auto& entry : tools) {
    const Json& function = entry.is_object() && entry.contains("function") ? entry["function"] : entry;
    if (function.is_object() && function.value("name", "") == name) return true;
  }
  return false;
}

// Finds a foreign delimiter inside any string of `value` (keys included).
const std::string_view* find_delimiter(std::string_view s) {
  for (const auto& delimiter : foreign_delimiters()) {
    if (s.find(delimiter) != std::string_view::npos) return &delimiter;
  }
  return nullptr;
}

void check_string(std::string_view s, const std::string& where) {
  if (const auto* delimiter = find_delimiter(s)) {
    throw RecordError("foreign-delimiter", where + " contains the chat-control string '" + std::string(*delimiter) +
                                               "', which would leak into the converted text; fix the source, or pass "
                                               "--on-foreign-delimiter=keep to keep it knowingly");
  }
}

void check_json(const Json& value, const std::string& where) {
  if (value.is_string()) {
    check_string(value.get_ref<const std::string&>(), where);
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      check_string(key, where);
      std::string item_where = where;
      item_where.append(".").append(key);
      check_json(item, item_where);
    }
  } else if (value.is_array()) {
    std::size_t index = 0;
    for (const auto& item : value) check_json(item, where + "[" + std::to_string(index++) + "]");
  }
}

}  // namespace

const std::vector<std::string_view>& foreign_delimiters() {
  static const std::vector<std::string_view> list = {
      "<|im_start|>",       "<|im_end|>",       "<|endoftext|>",   "<tool_call>",    "</tool_call>",
      "<tool_response>",    "</tool_response>", "<function=",      "</function>",    "<parameter=",
      "</parameter>",       "[INST]",           "[/INST]",         "[TOOL_CALLS]",   "[AVAILABLE_TOOLS]",
      "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]",   "[/TOOL_RESULTS]", "[TOOL_CONTENT]", "[SYSTEM_PROMPT]",
      "[/SYSTEM_PROMPT]",   "[CALL_ID]",        "[ARGS]"};
  return list;
}

Json infer_tools(const Conversation& conversation) {
  Json tools = Json::array();
  // name -> (properties, keys seen in every call)
  std::vector<std::string> names;
  std::vector<Json> properties;
  std::vector<std::vector<std::string>> required;
  for (const auto& message : conversation.messages) {
    for (const auto& call : message.tool_calls) {
      std::size_t k = 0;
      while (k < names.size() && names[k] != call.name) ++k;
      const bool first_call = k == names.size();
      if (first_call) {
        names.push_back(call.name);
        properties.push_back(Json::object());
        required.emplace_back();
      }
      for (const auto& [key, value] : call.arguments.items()) {
        Json& property = properties[k][key];
        const std::string type = json_type_name(value);
        if (property.is_null()) {
          property = Json{{"type", type}};
        } else if (property["type"].is_string() && property["type"] != type) {
          property["type"] = Json::array({property["type"], type});
        } else if (property["type"].is_array() &&
                   std::find(property["type"].begin(), property["type"].end(), type) == property["type"].end()) {
          property["type"].push_back(type);
        }
        if (first_call) required[k].push_back(key);
      }
      std::erase_if(required[k], [&](const std::string& key) { return !call.arguments.contains(key); });
    }
  }
  for (std::size_t k = 0; k < names.size(); ++k) {
    Json parameters = Json{{"type", "object"}, {"properties", properties[k]}, {"required", required[k]}};
    tools.push_back(Json{{"type", "function"}, {"function", Json{{"name", names[k]}, {"parameters", parameters}}}});
  }
  return tools;
}

void normalize(Conversation& conversation, const ConvertOptions& options, std::string_view record_bytes) {
  if (conversation.messages.empty()) throw RecordError("empty-conversation", "the record has no messages");
  link_results(conversation, record_bytes);

  if (options.no_tools) {
    conversation.tools.reset();
  } else if (!conversation.tools && options.tools) {
    conversation.tools = options.tools;
  } else if (!conversation.tools) {
    conversation.tools = infer_tools(conversation);
  }
  if (conversation.tools && !conversation.tools->empty()) {
    for (std::size_t m = 0; m < conversation.messages.size(); ++m) {
      for (const auto& call : conversation.messages[m].tool_calls) {
        if (!tool_list_has(*conversation.tools, call.name)) {
          throw RecordError("unknown-tool", message_where(m) + ": call to '" + call.name +
                                                "', which the tool list does not define; add it to --tools "
                                                "(or the record's \"tools\")");
        }
      }
    }
  }

  if (options.foreign_delimiters == ForeignDelimiterPolicy::keep) return;
  for (std::size_t m = 0; m < conversation.messages.size(); ++m) {
    const Message& message = conversation.messages[m];
    check_string(message.content, message_where(m) + ".content");
    for (std::size_t c = 0; c < message.tool_calls.size(); ++c) {
      check_json(message.tool_calls[c].arguments,
                 message_where(m) + ".tool_calls[" + std::to_string(c) + "].arguments");
    }
  }
}

}  // namespace chatfmt::detail
