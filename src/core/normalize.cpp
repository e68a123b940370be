#include "core/normalize.hpp"

#include <algorithm>
#include <unordered_set>

#include <xxhash.h>

#include <re2/re2.h>

#include "chatfmt/errors.hpp"
#include "chatfmt/targets.hpp"
#include "core/control_scan.hpp"
#include "core/text.hpp"

namespace chatfmt::detail {
namespace {

std::string message_where(std::size_t index) { return "messages[" + std::to_string(index) + "]"; }

bool is_valid_call_id(std::string_view id) {
  static const RE2 re("[a-zA-Z0-9]{9}");
  // Most records carry no id at all: no regex call for what cannot match by its length.
  return id.size() == 9 && RE2::FullMatch(re2::StringPiece(id.data(), id.size()), re);
}

// Each result answers the next unanswered call of the assistant turn before it, in order.
// The call ids a record has taken: a linear search for the usual handful, a hash set past that
// (a record may make 40,000 calls). Views, per-thread buffers reused between records.
class TakenIds {
 public:
  TakenIds() {
    list().clear();
    set().clear();
  }
  /// False when `id` was taken already.
  bool insert(std::string_view id) {
    constexpr std::size_t kLinearSearchLimit = 32;
    auto& ids = list();
    if (ids.size() < kLinearSearchLimit) {
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) return false;
      ids.push_back(id);
      if (ids.size() == kLinearSearchLimit) set().insert(ids.begin(), ids.end());
      return true;
    }
    return set().insert(id).second;
  }

 private:
  static std::vector<std::string_view>& list() {
    thread_local std::vector<std::string_view> ids;
    return ids;
  }
  static std::unordered_set<std::string_view>& set() {
    thread_local std::unordered_set<std::string_view> ids;
    return ids;
  }
};

void link_results(Conversation& conversation, std::optional<std::uint64_t> record_hash) {
  struct Pending {
    std::size_t message = 0;
    std::size_t answered = 0;
  };
  std::optional<Pending> pending;
  auto require_answered = [&](std::size_t at) {
    if (!pending) return;
    const auto& calls = conversation.messages[pending->message].tool_calls;
    if (pending->answered < calls.size()) {
      throw RecordError(Rule::call_without_result,
                        message_where(pending->message) + ": tool call " + std::to_string(pending->answered) + " ('" +
                            calls[pending->answered].name + "') has no result before " + message_where(at) +
                            "; every call needs its result before the conversation goes on");
    }
  };
  // First make every call id valid, remembering the ids results may refer to. A derived id
  // never repeats an id of the record (kept or derived): results in the openai target are
  // matched by id downstream, and a collision, however unlikely, would pair them wrongly.
  // Per-thread buffers, kept between records: the original ids (flat, in call order) and the
  // ids taken (views into the calls, which do not move while ids are made).
  thread_local std::vector<std::string> originals;
  thread_local std::vector<std::size_t> first_original;  // per message: its first call's index in originals
  std::size_t call_count = 0;
  first_original.assign(conversation.messages.size() + 1, 0);
  for (std::size_t m = 0; m < conversation.messages.size(); ++m) {
    first_original[m] = call_count;
    for (const auto& call : conversation.messages[m].tool_calls) {
      if (call_count == originals.size()) originals.emplace_back();
      originals[call_count++] = call.id;  // assignment keeps the buffer's capacity
    }
  }
  first_original[conversation.messages.size()] = call_count;
  auto original_id = [&](std::size_t m, std::size_t c) -> const std::string& {
    return originals[first_original[m] + c];
  };
  TakenIds taken;
  bool derives = false;
  for (std::size_t m = 0; m < conversation.messages.size(); ++m) {
    for (const auto& call : conversation.messages[m].tool_calls) {
      if (is_valid_call_id(call.id)) {
        taken.insert(call.id);
      } else {
        derives = true;
      }
    }
  }
  // Ids hash what the record says (content_hash: roles, contents, calls), computed only when an id
  // is derived: the ids themselves are not part of it, so deriving them does not change it.
  if (derives && !record_hash) record_hash = content_hash(conversation);
  for (std::size_t m = 0; derives && m < conversation.messages.size(); ++m) {
    auto& calls = conversation.messages[m].tool_calls;
    for (std::size_t c = 0; c < calls.size(); ++c) {
      if (is_valid_call_id(original_id(m, c))) continue;
      std::uint64_t attempt = 0;
      do {
        calls[c].id = derive_call_id(*record_hash, m, c, attempt++);
      } while (!taken.insert(calls[c].id));
    }
  }
  for (std::size_t m = 0; m < conversation.messages.size(); ++m) {
    Message& message = conversation.messages[m];
    if (message.role == Role::tool) {
      if (!pending || pending->answered >= conversation.messages[pending->message].tool_calls.size()) {
        throw RecordError(Rule::result_without_call, message_where(m) +
                                                         ": a tool result with no unanswered tool call before it; a "
                                                         "result must follow the assistant turn that made the call");
      }
      const auto& call = conversation.messages[pending->message].tool_calls[pending->answered];
      const auto& original = original_id(pending->message, pending->answered);
      if (!message.tool_call_id.empty() && message.tool_call_id != original) {
        throw RecordError(Rule::result_id_mismatch,
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

// The function object of a tool list entry, and its name when it has a string one.
const Json& function_of(const Json& entry) {
  if (entry.is_object()) {
    const auto function = entry.find("function");
    if (function != entry.end()) return *function;
  }
  return entry;
}

const std::string* function_name(const Json& function) {
  if (!function.is_object()) return nullptr;
  const auto name = function.find("name");
  return name != function.end() && name->is_string() ? &name->get_ref<const std::string&>() : nullptr;
}

[[noreturn]] void foreign_delimiter(std::string_view text, const std::string& where) {
  const std::string_view delimiter = ControlStringScanner::all_formats().first_contained(text);
  throw RecordError(Rule::foreign_delimiter, where + " contains the chat-control string '" + std::string(delimiter) +
                                                 "', which would leak into the converted text; fix the source, or "
                                                 "pass --on-foreign-delimiter=keep to keep it knowingly");
}

bool has_control_string(std::string_view text) { return ControlStringScanner::all_formats().contains_any(text); }

// The path below a JSON value of the first string (or key) holding a control string, or nullopt.
// Paths are built only for that one string: a record's thousands of clean strings cost none.
std::optional<std::string> find_in_json(const Json& value, std::string_view& found) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (!has_control_string(text)) return std::nullopt;
    found = text;
    return std::string();
  }
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (has_control_string(key)) {
        found = key;
        return std::string();
      }
      if (auto below = find_in_json(item, found)) return "." + key + *below;
    }
  } else if (value.is_array()) {
    std::size_t index = 0;
    for (const auto& item : value) {
      if (auto below = find_in_json(item, found)) return "[" + std::to_string(index) + "]" + *below;
      ++index;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string derive_call_id(std::uint64_t record_hash, std::size_t message_index, std::size_t call_index,
                           std::uint64_t attempt) {
  static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  // The record is hashed once (record_hash); each call costs one XXH3 of 24 bytes, so ids take
  // time linear in the calls, and XXH3's avalanche spreads neighbouring positions apart.
  const std::uint64_t key[3] = {record_hash, message_index, call_index};
  static_assert(sizeof key == 24);
  XXH64_hash_t hash = XXH3_64bits_withSeed(key, sizeof key, attempt);
  std::string id(9, '0');
  for (auto& c : id) {
    c = alphabet[hash % 62];
    hash /= 62;
  }
  return id;
}

const Json* ToolIndex::find(std::string_view name) const {
  if (tools_ == nullptr || !tools_->is_array()) return nullptr;
  // A scan costs what building the index costs; after a few, the index has paid for itself.
  constexpr std::size_t kScansBeforeIndex = 8;
  if (!indexed_ && scans_ < kScansBeforeIndex) {
    ++scans_;
    for (const auto& entry : *tools_) {
      const Json& function = function_of(entry);
      const std::string* entry_name = function_name(function);
      if (entry_name != nullptr && *entry_name == name) return &function;
    }
    return nullptr;
  }
  if (!indexed_) {
    for (const auto& entry : *tools_) {
      const Json& function = function_of(entry);
      if (const std::string* entry_name = function_name(function)) index_.try_emplace(*entry_name, &function);
    }
    indexed_ = true;
  }
  const auto found = index_.find(name);
  return found == index_.end() ? nullptr : found->second;
}

Json infer_tools(const Conversation& conversation) {
  // One function per distinct name, in order of first use. Names and keys are found through hash
  // maps (views into the calls, which outlive this), not the linear searches of an ordered JSON
  // object: a hostile record may make 40,000 calls to 40,000 names, or use 40,000 argument keys.
  struct Function {
    std::string_view name;
    Json properties = Json::object();
    std::unordered_map<std::string_view, std::size_t> property_at;  // key -> index in properties
    std::vector<std::string> required;                              // keys present in every call so far
  };
  std::vector<Function> functions;
  std::unordered_map<std::string_view, std::size_t> function_at;
  constexpr std::size_t kLinearSearchLimit = 16;
  for (const auto& message : conversation.messages) {
    for (const auto& call : message.tool_calls) {
      const auto [at, inserted] = function_at.try_emplace(call.name, functions.size());
      const bool first_call = inserted;  // a plain bool: lambdas below use it (Clang captures no bindings)
      if (first_call) {
        functions.emplace_back();
        functions.back().name = call.name;
      }
      Function& function = functions[at->second];
      auto& properties = function.properties.get_ref<Json::object_t&>();
      // The call's keys and types from its signature: no JSON tree of the arguments (a call whose
      // arguments are 10 million numbers would otherwise become 10 million nodes here).
      std::size_t key_count = 0;
      for_each_signature_entry(call.signature(), [&](std::string_view key, std::string_view type_name) {
        ++key_count;
        const auto [slot, new_key] = function.property_at.try_emplace(key, properties.size());
        const std::string type(type_name);
        if (new_key) {
          properties.emplace_back(key, Json{{"type", type}});
        } else {
          Json& property = std::next(properties.begin(), static_cast<std::ptrdiff_t>(slot->second))->second;
          if (property["type"].is_string() && property["type"] != type) {
            property["type"] = Json::array({property["type"], type});
          } else if (property["type"].is_array() &&
                     std::find(property["type"].begin(), property["type"].end(), type) == property["type"].end()) {
            property["type"].push_back(type);
          }
        }
        if (first_call) function.required.emplace_back(key);
      });
      if (first_call || function.required.empty()) continue;
      std::vector<std::string_view> listed;
      std::unordered_set<std::string_view> indexed;
      for_each_signature_entry(call.signature(), [&](std::string_view key, std::string_view) {
        if (key_count <= kLinearSearchLimit) {
          listed.push_back(key);
        } else {
          indexed.insert(key);
        }
      });
      std::erase_if(function.required, [&](const std::string& key) {
        return key_count <= kLinearSearchLimit ? std::find(listed.begin(), listed.end(), key) == listed.end()
                                               : !indexed.contains(key);
      });
    }
  }
  Json tools = Json::array();
  for (auto& function : functions) {
    Json parameters = Json::object();
    parameters["type"] = "object";
    parameters["properties"] = std::move(function.properties);
    parameters["required"] = std::move(function.required);
    Json definition = Json::object();
    definition["name"] = std::string(function.name);
    definition["parameters"] = std::move(parameters);
    tools.push_back(Json{{"type", "function"}, {"function", std::move(definition)}});
  }
  return tools;
}

namespace {

// The inferred list for a conversation's call signature — each call's name, its argument keys and
// their JSON types, in order: all infer_tools() reads — made once per signature and thread.
SharedToolList inferred_tools(const Conversation& conversation) {
  thread_local std::string signature;
  thread_local std::unordered_map<std::string, SharedToolList> cache;
  signature.clear();
  for (const auto& message : conversation.messages) {
    for (const auto& call : message.tool_calls) {
      append_signature_entry(signature, call.name, "");
      signature += call.signature();
      signature += '\3';
    }
  }
  if (const auto found = cache.find(signature); found != cache.end()) return found->second;
  constexpr std::size_t kSignaturesKept = 256;  // a file has a handful; a hostile one cannot grow this
  if (cache.size() >= kSignaturesKept) cache.clear();
  auto tools = std::make_shared<const ToolList>(infer_tools(conversation));
  cache.emplace(signature, tools);
  return tools;
}

}  // namespace

void normalize(Conversation& conversation, const ConvertOptions& options, const SharedToolList& default_tools,
               std::optional<std::uint64_t> record_hash) {
  if (conversation.messages.empty()) throw RecordError(Rule::empty_conversation, "the record has no messages");
  link_results(conversation, record_hash);

  bool inferred = false;
  if (options.no_tools) {
    conversation.tools.reset();
  } else if (!conversation.tools && default_tools != nullptr) {
    conversation.tools = default_tools;
  } else if (!conversation.tools) {
    // Inferred from the calls, so it defines every function they call.
    conversation.tools = inferred_tools(conversation);
    inferred = true;
  }
  if (conversation.tools && !conversation.tools->empty() && !inferred) {
    const ToolIndex tools(&conversation.tools->json());
    for (std::size_t m = 0; m < conversation.messages.size(); ++m) {
      for (const auto& call : conversation.messages[m].tool_calls) {
        if (tools.find(call.name) == nullptr) {
          throw RecordError(Rule::unknown_tool, message_where(m) + ": call to '" + call.name +
                                                    "', which the tool list does not define; add it to --tools "
                                                    "(or the record's \"tools\")");
        }
      }
    }
  }

  if (options.foreign_delimiters == ForeignDelimiterPolicy::keep) return;
  for (std::size_t m = 0; m < conversation.messages.size(); ++m) {
    const Message& message = conversation.messages[m];
    if (has_control_string(message.content)) foreign_delimiter(message.content, message_where(m) + ".content");
    for (std::size_t c = 0; c < message.tool_calls.size(); ++c) {
      // The rendered arguments (kept for the hash and the writers) are scanned once; the tree is
      // walked, for the path of the string, only when they hold a control string.
      const ToolCall& call = message.tool_calls[c];
      const ControlStringScanner& scanner = ControlStringScanner::all_formats();
      if (scanner.verbatim_in_json() && !scanner.contains_any(call.arguments_json())) continue;
      std::string_view found;
      if (auto path = find_in_json(call.arguments(), found)) {
        foreign_delimiter(found, message_where(m) + ".tool_calls[" + std::to_string(c) + "].arguments" + *path);
      }
    }
  }
}

}  // namespace chatfmt::detail
