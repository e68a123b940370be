// OpenAI-style chat records: {"messages": [...], "tools": [...]}. Read with structured
// tool_calls and role "tool" messages, or with tool calls/results embedded in the text (Qwen
// conventions); written with structured tool_calls (arguments as a JSON string) and role "tool"
// results carrying tool_call_id — what mlx_lm and transformers' apply_chat_template take.
#include <algorithm>
#include <array>
#include <charconv>

#include "chatfmt/errors.hpp"
#include "core/json_internal.hpp"
#include "core/normalize.hpp"
#include "embedded.hpp"
#include "encodings/json_call.hpp"
#include "format.hpp"
#include "registry_entries.hpp"

namespace chatfmt {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string key_error(std::string_view where, std::string_view key) {
  return std::string(where) + ": unknown key '" + std::string(key) +
         "'; chatfmt drops nothing silently (pass --ignore-key " + std::string(key) +
         " if it is metadata you mean to drop)";
}

// "messages[12]" and "messages[12].content", written into a buffer on the stack: a record's
// locations cost nothing unless an error quotes them.
class MessageWhere {
 public:
  explicit MessageWhere(std::size_t index) {
    constexpr std::string_view prefix = "messages[";
    std::copy(prefix.begin(), prefix.end(), buffer_.begin());
    char* end = std::to_chars(buffer_.data() + prefix.size(), buffer_.data() + 32, index).ptr;
    *end++ = ']';
    message_size_ = static_cast<std::size_t>(end - buffer_.data());
    constexpr std::string_view content = ".content";
    std::copy(content.begin(), content.end(), end);
    content_size_ = message_size_ + content.size();
  }
  std::string_view message() const { return {buffer_.data(), message_size_}; }
  std::string_view content() const { return {buffer_.data(), content_size_}; }

 private:
  std::array<char, 48> buffer_{};
  std::size_t message_size_ = 0;
  std::size_t content_size_ = 0;
};

std::string operator+(std::string_view where, const char* what) { return std::string(where) + what; }

// Message content: a string, null, or a list of {"type": "text", "text": …} parts (joined). A
// view into the record, or into a buffer of the thread's that the next call reuses.
std::string_view read_content(element value, std::string_view where) {
  if (value.is_null()) return {};
  if (value.is_string()) return value.get_string().value_unsafe();
  if (value.is_array()) {
    thread_local std::string joined;
    joined.clear();
    const simdjson::dom::array parts = value.get_array().value_unsafe();
    for (element part : parts) {
      simdjson::dom::object fields;
      std::optional<element> type;
      std::optional<element> text;
      if (part.get(fields) == simdjson::SUCCESS) {
        type = detail::find_field(fields, "type");
        text = detail::find_field(fields, "text");
      }
      std::string_view type_name;
      std::string_view text_value;
      if (!type || type->get(type_name) || type_name != "text" || !text || text->get(text_value)) {
        throw RecordError(Rule::unsupported_content, where + ": only text content parts are supported");
      }
      joined += text_value;
    }
    return joined;
  }
  throw RecordError(Rule::unsupported_content, where + ": content must be a string, null or a list of text parts");
}

ToolCall read_structured_call(element value, const std::string& where) {
  ToolCall call;
  simdjson::dom::object object;
  if (value.get(object)) throw RecordError(Rule::tool_call_json, where + ": a tool call must be an object");
  bool have_function = false;
  for (const auto& field : detail::unique_fields(object)) {
    if (field.key == "id") {
      std::string_view id;
      if (!field.value.is_null() && field.value.get(id))
        throw RecordError(Rule::tool_call_json, where + ": id must be a string");
      call.id = std::string(id);
    } else if (field.key == "type") {
      std::string_view type;
      if (field.value.get(type) || type != "function") {
        throw RecordError(Rule::tool_call_json, where + ": only tool calls of type \"function\" are supported");
      }
    } else if (field.key == "function") {
      ToolCall parsed = json_call::from_json(field.value, where + ".function");
      parsed.id = std::move(call.id);
      call = std::move(parsed);
      have_function = true;
    } else {
      throw RecordError(Rule::unknown_key, key_error(where, field.key));
    }
  }
  if (!have_function) throw RecordError(Rule::tool_call_json, where + ": the tool call has no \"function\"");
  return call;
}

void read_message(Conversation& conversation, element value, std::size_t index, const detail::ToolIndex& tools,
                  const ReadSetup& setup) {
  const MessageWhere location(index);
  const std::string_view where = location.message();
  simdjson::dom::object object;
  if (value.get(object)) throw RecordError(Rule::record_shape, where + ": a message must be an object");
  const detail::FieldList fields(object);
  const auto role_field =
      std::find_if(fields.begin(), fields.end(), [](const detail::Field& f) { return f.key == "role"; });
  std::string_view role_text;
  if (role_field == fields.end() || role_field->value.get(role_text)) {
    throw RecordError(Rule::record_shape, where + ": a message needs a string \"role\"");
  }
  const auto role = parse_role(role_text);
  if (!role) {
    throw RecordError(Rule::unknown_role,
                      where + ": role '" + std::string(role_text) + "' is not one of system, user, assistant, tool");
  }
  std::string_view content;
  std::vector<ToolCall> structured_calls;
  std::string_view tool_call_id;
  for (const auto& field : fields) {
    const std::string_view key = field.key;
    if (key == "role" || key == "name") {
      continue;  // "name" on a tool message repeats the call's function name
    } else if (key == "content") {
      content = read_content(field.value, location.content());
    } else if (key == "tool_calls") {
      if (field.value.is_null()) continue;
      simdjson::dom::array calls;
      if (field.value.get(calls)) throw RecordError(Rule::tool_call_json, where + ": tool_calls must be a list");
      std::size_t call_index = 0;
      for (element call : calls) {
        structured_calls.push_back(
            read_structured_call(call, std::string(where) + ".tool_calls[" + std::to_string(call_index++) + "]"));
      }
    } else if (key == "tool_call_id" || key == "call_id") {
      std::string_view id;
      if (field.value.get(id))
        throw RecordError(Rule::record_shape, where + ": " + std::string(key) + " must be a string");
      if (tool_call_id.empty()) tool_call_id = id;
    } else {
      throw RecordError(Rule::unknown_key, key_error(where, key));
    }
  }
  if (!structured_calls.empty() && *role != Role::assistant) {
    throw RecordError(Rule::record_shape, where + ": only assistant messages can have tool_calls");
  }
  embedded::append_turn(conversation, *role, content, ReadContext{location.content(), tools, setup}, tool_call_id);
  if (!structured_calls.empty()) {
    Message& message = conversation.messages.back();
    for (auto& call : structured_calls) message.tool_calls.push_back(std::move(call));
    message.source_encodings |= encoding_bit_of(structured_tool_calls_encoding());
  }
}

class OpenAiMessagesReader final : public RecordReader {
 public:
  std::string_view name() const override { return "openai-messages"; }
  std::string_view shape_key() const override { return "messages"; }

  std::vector<std::string_view> control_strings() const override { return {}; }

  void read(simdjson::dom::object record, const ReadSetup& setup, Conversation& conversation) const override {
    simdjson::dom::array messages;
    for (const auto& field : detail::unique_fields(record)) {
      if (field.key == "messages") {
        if (field.value.get(messages)) throw RecordError(Rule::record_shape, "\"messages\" must be a list");
      } else if (field.key == "tools") {
        if (field.value.is_null()) continue;
        if (!field.value.is_array()) throw RecordError(Rule::record_shape, "\"tools\" must be a list");
        conversation.tools = std::make_shared<const ToolList>(detail::to_json(field.value));
      } else if (!setup.is_ignored(field.key)) {
        throw RecordError(Rule::unknown_key, key_error("record", field.key));
      }
    }
    // Indexed once for the record: conversation.tools does not change while messages are read.
    const detail::ToolIndex tools(conversation.tools ? &conversation.tools->json() : setup.default_tools());
    conversation.messages.reserve(messages.size());  // tool-response blocks may add more; rarely
    std::size_t index = 0;
    for (element message : messages) read_message(conversation, message, index++, tools, setup);
    embedded::check_conversation(conversation, setup);
  }
};

// Written straight into the output line, compact as nlohmann's dump() writes it (the format this
// target has always had: no spaces, keys in this order, strings escaped as json.dumps escapes
// them), instead of building a document per record and dumping it.
class OpenAiWriter final : public Writer {
 public:
  explicit OpenAiWriter(bool arguments_as_objects = false) : arguments_as_objects_(arguments_as_objects) {}
  void write(const Conversation& conversation, std::string& out) const override {
    out += "{\"messages\":[";
    bool first_message = true;
    for (const auto& message : conversation.messages) {
      out += first_message ? "{\"role\":" : ",{\"role\":";
      first_message = false;
      append_json_string(out, role_name(message.role));
      if (message.role == Role::tool) {
        out += ",\"tool_call_id\":";
        append_json_string(out, message.tool_call_id);
      }
      // An assistant turn that only calls tools has content null, as the OpenAI API writes it.
      out += ",\"content\":";
      if (message.role == Role::assistant && !message.tool_calls.empty() && message.content.empty()) {
        out += "null";
      } else {
        append_json_string(out, message.content);
      }
      if (!message.tool_calls.empty()) {
        out += ",\"tool_calls\":[";
        bool first_call = true;
        for (const auto& call : message.tool_calls) {
          out += first_call ? "{\"id\":" : ",{\"id\":";
          first_call = false;
          append_json_string(out, call.id);
          out += ",\"type\":\"function\",\"function\":{\"name\":";
          append_json_string(out, call.name);
          out += ",\"arguments\":";
          if (arguments_as_objects_) {
            out += call.arguments_json();
          } else {
            append_json_string(out, call.arguments_json());
          }
          out += "}}";
        }
        out += "]";
      }
      out += "}";
    }
    out += "]";
    if (conversation.tools && !conversation.tools->empty()) {
      out += ",\"tools\":";
      out += conversation.tools->rendered(ToolList::Rendering::compact_json, [](const Json& tools, std::string& text) {
        text = tools.dump(-1, ' ', false, Json::error_handler_t::strict);
      });
    }
    out += "}";
  }

 private:
  bool arguments_as_objects_;
};

}  // namespace

std::unique_ptr<Writer> make_openai_writer_with_argument_objects() { return std::make_unique<OpenAiWriter>(true); }

std::unique_ptr<Writer> make_openai_writer(bool arguments_as_objects) {
  return std::make_unique<OpenAiWriter>(arguments_as_objects);
}

const RecordReader& openai_messages_reader() {
  static const OpenAiMessagesReader reader;
  return reader;
}

const TargetRow& openai_target() {
  static const TargetRow row{
      {"openai", {}, "OpenAI messages with structured tool_calls and role \"tool\" results", false, {}, {}},
      [](const WriterOptions&) -> std::unique_ptr<Writer> { return std::make_unique<OpenAiWriter>(); }};
  return row;
}

// The two encodings this record shape carries in its structure, not its text.
const EncodingRow& structured_tool_calls_encoding() {
  static const EncodingRow row{
      {"structured-tool-calls", EncodingKind::tool_call, "the OpenAI \"tool_calls\" array of an assistant message"},
      {}};
  return row;
}

const EncodingRow& tool_role_encoding() {
  static const EncodingRow row{{"tool-role", EncodingKind::tool_result, "a role \"tool\" message"}, {}};
  return row;
}

}  // namespace chatfmt
