// qwen3-xml: ChatML text byte-identical to Qwen3-Coder's official chat template (tools described
// in the system turn, XML tool calls, tool results as <tool_response> blocks in user turns).
#include "chatfmt/errors.hpp"
#include "core/arguments.hpp"
#include "core/text.hpp"
#include "qwen3_chatml.hpp"
#include "qwen3_vocabulary.hpp"
#include "registry_entries.hpp"

namespace chatfmt {

namespace {

bool is_container(const Json& value) { return value.is_object() || value.is_array(); }

// The template's render_extra_keys: every key not handled, as <key>value</key>.
void render_extra_keys(const Json& dict, std::initializer_list<std::string_view> handled, std::string& out) {
  if (!dict.is_object()) return;
  for (const auto& [key, value] : dict.items()) {
    bool skip = false;
    for (auto h : handled) skip = skip || key == h;
    if (skip) continue;
    out += "\n<" + key + ">";
    out += is_container(value) ? python_json(value) : python_str(value);
    out += "</" + key + ">";
  }
}

// Calls each argument of `call` with its name and its value as the template writes it: a string
// as it is, a container as tojson, anything else as str() (True, None, nan; numbers as json.dumps
// writes them). Read from the call's json.dumps text, where a container is already its tojson.
template <class Emit>
void for_each_argument(const ToolCall& call, Emit&& emit) {
  detail::for_each_argument(call.arguments_json(), [&](const detail::ArgumentEntry& entry) {
    std::string_view value = entry.value;
    if (!entry.is_string) {
      if (value == "true") {
        value = "True";
      } else if (value == "false") {
        value = "False";
      } else if (value == "null") {
        value = "None";
      } else if (value == "NaN") {
        value = "nan";
      } else if (value == "Infinity") {
        value = "inf";
      } else if (value == "-Infinity") {
        value = "-inf";
      }
    }
    emit(entry.key, value);
  });
}

}  // namespace

void qwen3::render_tools(const Json& tools, std::string& out) {
  out += qwen3::kToolsIntro;
  for (const auto& entry : tools) {
    const Json& tool = entry.is_object() && entry.contains("function") ? entry["function"] : entry;
    out += "\n<function>\n<name>";
    out += python_str(tool.value("name", Json("")));
    out += "</name>";
    if (tool.contains("description")) {
      out += "\n<description>";
      out += text::python_strip(python_str(tool["description"]));
      out += "</description>";
    }
    out += "\n<parameters>";
    const Json parameters = tool.value("parameters", Json());
    if (parameters.is_object() && parameters.contains("properties") && parameters["properties"].is_object()) {
      for (const auto& [name, fields] : parameters["properties"].items()) {
        out += "\n<parameter>\n<name>" + name + "</name>";
        if (fields.is_object() && fields.contains("type")) out += "\n<type>" + python_str(fields["type"]) + "</type>";
        if (fields.is_object() && fields.contains("description")) {
          out += "\n<description>";
          out += text::python_strip(python_str(fields["description"]));
          out += "</description>";
        }
        render_extra_keys(fields, {"name", "type", "description"}, out);
        out += "\n</parameter>";
      }
    }
    render_extra_keys(parameters, {"type", "properties"}, out);
    out += "\n</parameters>";
    render_extra_keys(tool, {"type", "name", "description", "parameters"}, out);
    out += "\n</function>";
  }
  out += qwen3::kToolsOutro;
}

namespace {

class Qwen3XmlWriter final : public TextWriter {
 public:
  bool render_text(const Conversation& conversation, std::string& text, EscapedPieces* pieces) const override {
    const auto& messages = conversation.messages;
    std::size_t start = 0;
    const std::string* system_message = nullptr;
    if (!messages.empty() && messages.front().role == Role::system) {
      system_message = &messages.front().content;
      start = 1;
    }
    const bool has_tools = conversation.tools && !conversation.tools->empty();
    text.clear();
    if (system_message != nullptr) {
      text += qwen3::kTurnOpen;
      text += "system\n";
      text += *system_message;
    } else if (has_tools) {
      text += qwen3::kTurnOpen;
      text += "system\n";
      text += qwen3::kDefaultSystem;
    }
    if (has_tools) {
      const auto rendering = ToolList::Rendering::qwen3_tools_section;
      const std::string& section = conversation.tools->rendered(rendering, &qwen3::render_tools);
      if (pieces != nullptr) {
        pieces->push_back(
            {text.size(), section.size(), &conversation.tools->rendered_escaped(rendering, &qwen3::render_tools)});
      }
      text += section;
    }
    if (system_message != nullptr || has_tools) {
      text += qwen3::kTurnClose;
      text += "\n";
    }
    for (std::size_t k = start; k < messages.size(); ++k) {
      const Message& message = messages[k];
      if (message.role == Role::assistant && !message.tool_calls.empty()) {
        text += qwen3::kTurnOpen;
        text += "assistant";
        const std::string_view trimmed = text::python_strip(message.content);
        if (!trimmed.empty()) {
          text += "\n";
          text += trimmed;
          text += "\n";
        }
        for (const auto& call : message.tool_calls) {
          text += "\n";
          text += qwen3::kCallOpen;
          text += "\n";
          text += qwen3::kFunctionOpen;
          text += call.name;
          text += ">\n";
          for_each_argument(call, [&](std::string_view name, std::string_view value) {
            // Readers (ours and Qwen's tool parser) take the name up to the first '>': with one
            // inside, the text would read back as a different call.
            if (name.find('>') != std::string_view::npos) {
              throw RecordError(Rule::tool_call_xml, "messages[" + std::to_string(k) + "]: argument name '" +
                                                         text::excerpt(name) + "' of '" + call.name +
                                                         "' contains '>', which ends <parameter=…> early; rename it");
            }
            text += qwen3::kParameterOpen;
            text += name;
            text += ">\n";
            text += value;
            text += "\n";
            text += qwen3::kParameterClose;
            text += "\n";
          });
          text += qwen3::kFunctionClose;
          text += "\n";
          text += qwen3::kCallClose;
        }
        text += qwen3::kTurnClose;
        text += "\n";
      } else if (message.role == Role::tool) {
        if (k > start && messages[k - 1].role != Role::tool) {
          text += qwen3::kTurnOpen;
          text += "user\n";
        }
        text += qwen3::kResponseOpen;
        text += "\n";
        text += message.content;
        text += "\n";
        text += qwen3::kResponseClose;
        text += "\n";
        if (k + 1 == messages.size() || messages[k + 1].role != Role::tool) {
          text += qwen3::kTurnClose;
          text += "\n";
        }
      } else {
        text += qwen3::kTurnOpen;
        text += role_name(message.role);
        text += "\n";
        text += message.content;
        text += qwen3::kTurnClose;
        text += "\n";
      }
    }
    return true;
  }
};

std::unique_ptr<Writer> make_writer(const WriterOptions&) { return std::make_unique<Qwen3XmlWriter>(); }

}  // namespace

const TargetRow& qwen3_xml_target() {
  using namespace qwen3;
  constexpr auto D = ControlUse::delimiter;
  constexpr auto M = ControlUse::markup;
  static const TargetRow row{{"qwen3-xml",
                              {"qwen3-coder"},
                              "ChatML text as Qwen3-Coder's chat template renders it (XML tool calls)",
                              true,
                              {{kTurnOpen, D},
                               {kTurnClose, D},
                               {kCallOpen, D},
                               {kCallClose, D},
                               {kResponseOpen, D},
                               {kResponseClose, D},
                               {kFunctionOpen, M},
                               {kFunctionClose, M},
                               {kParameterOpen, M},
                               {kParameterClose, M},
                               {kEndOfText, ControlUse::reserved}},
                              {}},
                             &make_writer};
  return row;
}

}  // namespace chatfmt
