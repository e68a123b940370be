// {"text": "<|im_start|>system\n…<|im_end|>\n…"}: rendered ChatML split back into messages. A
// system turn carrying Qwen3-Coder's tools section gives the tool list back (parsed with
// pugixml), so qwen3-xml output reads back to the conversation it came from.
#include <pugixml.hpp>

#include "chatfmt/errors.hpp"
#include "core/json_internal.hpp"
#include "core/normalize.hpp"
#include "core/text.hpp"
#include "embedded.hpp"
#include "qwen3_chatml.hpp"
#include "qwen3_vocabulary.hpp"
#include "registry_entries.hpp"

namespace chatfmt {
namespace {

using qwen3::kTurnClose;
using qwen3::kTurnOpen;

// A value the template wrote with `|string` or `|tojson`: JSON containers come back as such when
// re-serializing them gives the same bytes, so rendering again is unchanged.
Json extra_value(const std::string& textual) {
  if (!textual.empty() && (textual.front() == '{' || textual.front() == '[')) {
    JsonParseError error;
    if (auto parsed = parse_json(textual, error); parsed && python_json(*parsed) == textual) return *parsed;
  }
  return textual;
}

void read_extra_keys(const pugi::xml_node& node, std::initializer_list<std::string_view> handled, Json& into) {
  for (const auto& child : node.children()) {
    const std::string_view name = child.name();
    bool skip = false;
    for (auto h : handled) skip = skip || name == h;
    if (!skip) into[std::string(name)] = extra_value(child.text().get());
  }
}

Json parse_tools_section(std::string_view xml) {
  pugi::xml_document document;
  // parse_minimal: no entity decoding, no end-of-line normalization (the template escapes nothing).
  const auto result = document.load_buffer(xml.data(), xml.size(), pugi::parse_minimal, pugi::encoding_utf8);
  if (!result) {
    throw RecordError(Rule::tools_section, "system turn: the <tools> section is not parseable XML at offset " +
                                               std::to_string(result.offset) + " (" + result.description() +
                                               "; the template writes descriptions unescaped, so markup in one "
                                               "breaks it); give the tools as a JSON list with --tools, or take "
                                               "the markup out");
  }
  Json tools = Json::array();
  for (const auto& function : document.child("tools").children("function")) {
    Json tool = Json::object();
    tool["name"] = function.child("name").text().get();
    if (function.child("description")) tool["description"] = function.child("description").text().get();
    Json parameters = Json::object();
    parameters["type"] = "object";
    Json properties = Json::object();
    for (const auto& parameter : function.child("parameters").children("parameter")) {
      Json fields = Json::object();
      if (parameter.child("type")) fields["type"] = parameter.child("type").text().get();
      if (parameter.child("description")) fields["description"] = parameter.child("description").text().get();
      read_extra_keys(parameter, {"name", "type", "description"}, fields);
      properties[parameter.child("name").text().get()] = std::move(fields);
    }
    parameters["properties"] = std::move(properties);
    read_extra_keys(function.child("parameters"), {"parameter"}, parameters);
    tool["parameters"] = std::move(parameters);
    read_extra_keys(function, {"name", "description", "parameters"}, tool);
    tools.push_back(Json{{"type", "function"}, {"function", std::move(tool)}});
  }
  return tools;
}

class Qwen3ChatmlReader final : public RecordReader {
 public:
  std::string_view name() const override { return "chatml-text"; }
  std::string_view shape_key() const override { return "text"; }

  std::vector<std::string_view> control_strings() const override { return {kTurnOpen, kTurnClose}; }

  void read(simdjson::dom::object record, const ReadSetup& setup, Conversation& conversation) const override {
    std::string_view text;
    for (const auto& field : detail::unique_fields(record)) {
      if (field.key == "text") {
        if (field.value.get(text)) throw RecordError(Rule::record_shape, "\"text\" must be a string");
      } else if (!setup.is_ignored(field.key)) {
        throw RecordError(Rule::unknown_key, "record: unknown key '" + std::string(field.key) +
                                                 "'; chatfmt drops nothing silently (pass --ignore-key " +
                                                 std::string(field.key) + " if it is metadata you mean to drop)");
      }
    }
    if (text.find(kTurnOpen) == std::string_view::npos) {
      throw RecordError(Rule::unknown_text_format,
                        "\"text\" holds no <|im_start|> turn: only ChatML text can be split back into messages");
    }
    // One index for all turns (the tools section can only come with the first turn).
    std::optional<detail::ToolIndex> tool_index;
    const Json* tool_index_of = nullptr;
    std::size_t pos = 0;
    std::size_t turn = 0;
    while (pos < text.size()) {
      const std::size_t open = text.find(kTurnOpen, pos);
      const std::string_view gap =
          text.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos);
      if (!text::is_blank_ascii(gap)) {
        throw RecordError(Rule::chatml_structure, "text outside any <|im_start|>…<|im_end|> turn: '" +
                                                      text::excerpt(text::strip_ascii(gap)) + "'");
      }
      if (open == std::string_view::npos) break;
      const std::size_t role_start = open + kTurnOpen.size();
      const std::size_t role_end = text.find('\n', role_start);
      const std::size_t close = text.find(kTurnClose, role_start);
      const std::string where = "turn " + std::to_string(turn);
      if (close == std::string_view::npos) {
        throw RecordError(Rule::chatml_structure, where + ": <|im_start|> is not closed by <|im_end|>");
      }
      if (role_end == std::string_view::npos || role_end > close) {
        throw RecordError(Rule::chatml_structure, where + ": the role line is not followed by a newline");
      }
      const std::string_view role_text = text.substr(role_start, role_end - role_start);
      const auto role = parse_role(role_text);
      if (!role || *role == Role::tool) {
        throw RecordError(Rule::unknown_role,
                          where + ": role '" + text::excerpt(role_text) + "' is not one of system, user, assistant");
      }
      std::string_view content = text.substr(role_end + 1, close - role_end - 1);
      if (content.find(kTurnOpen) != std::string_view::npos) {
        throw RecordError(Rule::chatml_structure, where + ": <|im_start|> opens again before <|im_end|>");
      }
      if (*role == Role::system && conversation.messages.empty()) {
        content = split_tools_section(content, conversation);
      }
      const Json* tools = conversation.tools ? &conversation.tools->json() : setup.default_tools();
      if (!tool_index || tool_index_of != tools) {
        tool_index.emplace(tools);
        tool_index_of = tools;
      }
      embedded::append_turn(conversation, *role, content, ReadContext{where, *tool_index, setup});
      pos = close + kTurnClose.size();
      ++turn;
    }
    embedded::check_conversation(conversation, setup);
  }

 private:
  // Takes Qwen3-Coder's tools section off a system text, returning the system message proper.
  static std::string_view split_tools_section(std::string_view content, Conversation& conversation) {
    const std::size_t intro = content.find(qwen3::kToolsIntro);
    if (intro == std::string_view::npos) return content;
    const std::size_t xml_start = intro + qwen3::kToolsIntro.size() - std::string_view("<tools>").size();
    const std::size_t outro = content.find(qwen3::kToolsOutro, xml_start);
    if (outro == std::string_view::npos || outro + qwen3::kToolsOutro.size() != content.size()) {
      throw RecordError(Rule::tools_section,
                        "system turn: the tools section does not end with Qwen3-Coder's fixed instructions");
    }
    std::string xml(content.substr(xml_start, outro - xml_start));
    xml += "\n</tools>";
    Json tools = parse_tools_section(xml);
    // The template writes descriptions and schema values unescaped, so markup inside them reads
    // back as XML structure and would be lost: only a section that renders back to its own bytes
    // is taken.
    std::string rendered;
    qwen3::render_tools(tools, rendered);
    if (rendered != content.substr(intro)) {
      throw RecordError(Rule::tools_section,
                        "system turn: the tools section does not read back to the same text (XML markup or "
                        "unusual spacing inside a tool's description or schema?); give the tools as a JSON "
                        "list with --tools, or fix the section");
    }
    conversation.tools = std::make_shared<const ToolList>(std::move(tools));
    return content.substr(0, intro);
  }
};

}  // namespace

const RecordReader& qwen3_chatml_reader() {
  static const Qwen3ChatmlReader reader;
  return reader;
}

}  // namespace chatfmt
