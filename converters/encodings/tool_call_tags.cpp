#include "tool_call_tags.hpp"

#include <algorithm>
#include <unordered_set>

#include "chatfmt/errors.hpp"
#include "core/arguments.hpp"
#include "core/normalize.hpp"
#include "core/text.hpp"
#include "json_call.hpp"
#include "qwen3_vocabulary.hpp"

namespace chatfmt::tags {
namespace {

using qwen3::kCallClose;
using qwen3::kCallOpen;
using qwen3::kFunctionClose;
using qwen3::kFunctionOpen;
using qwen3::kParameterClose;
using qwen3::kParameterOpen;

std::string at(std::string_view where, std::string_view what) { return std::string(where) + ": " + std::string(what); }

// The schema "type" of a parameter, as a list of type names (empty: unknown).
std::vector<std::string> parameter_types(const Json* tool, std::string_view parameter) {
  if (tool == nullptr) return {};
  const auto params = tool->find("parameters");
  if (params == tool->end() || !params->is_object()) return {};
  const auto props = params->find("properties");
  if (props == params->end() || !props->is_object()) return {};
  const auto prop = props->find(std::string(parameter));
  if (prop == props->end() || !prop->is_object()) return {};
  const auto type = prop->find("type");
  if (type == prop->end()) return {};
  if (type->is_string()) return {type->get<std::string>()};
  std::vector<std::string> types;
  if (type->is_array()) {
    for (const auto& t : *type) {
      if (t.is_string()) types.push_back(t.get<std::string>());
    }
  }
  return types;
}

// Adds an XML parameter value typed by the tools schema: a string unless the schema says otherwise.
void add_typed_parameter(detail::ArgumentsBuilder& arguments, std::string_view value,
                         const std::vector<std::string>& types, std::string_view call_where,
                         std::string_view parameter) {
  const bool is_string =
      types.empty() || std::find(types.begin(), types.end(), json_type_name(JsonType::string)) != types.end();
  if (is_string) return arguments.add_string(parameter, value);
  for (const auto& type : types) {
    if (type == json_type_name(JsonType::boolean)) {
      if (value == "true" || value == "True") return arguments.add_literal(parameter, "true", JsonType::boolean);
      if (value == "false" || value == "False") return arguments.add_literal(parameter, "false", JsonType::boolean);
    } else if (type == json_type_name(JsonType::null)) {
      if (value == "null" || value == "None") return arguments.add_literal(parameter, "null", JsonType::null);
    } else {
      // integer, number, object, array: the value read as JSON, of that type (an integer is a
      // number too). A type the schema names that JSON has not fits nothing.
      detail::NestedParser parser;
      auto parsed = parser.get().parse(value.data(), value.size());
      if (parsed.error()) continue;
      const simdjson::dom::element element = parsed.value_unsafe();
      const std::string_view parsed_type = detail::json_type_name(element);
      const bool fits = type == parsed_type ||
                        (type == json_type_name(JsonType::number) && parsed_type == json_type_name(JsonType::integer));
      if (fits) return arguments.add(parameter, element);
    }
  }
  std::string expected;
  for (const auto& type : types) expected += (expected.empty() ? "" : " or ") + type;
  const std::string where = std::string(call_where) + " parameter " + std::string(parameter);
  throw RecordError(
      Rule::parameter_type,
      at(where, "value '" + text::excerpt(value) + "' is not " + expected +
                    " as the tools schema requires; fix the value, or the schema (the record's \"tools\" or --tools)"));
}

}  // namespace

bool tag_body_starts(std::string_view text, std::size_t at, bool (*accepts)(std::string_view body_start)) {
  return accepts(text::lstrip_ascii(text.substr(at + kCallOpen.size())));
}

TagBody call_tag_body(std::string_view text, std::size_t at_tag, std::string_view where) {
  const std::size_t body_start = at_tag + kCallOpen.size();
  const std::size_t close = text.find(kCallClose, body_start);
  if (close == std::string_view::npos) {
    throw RecordError(Rule::tool_call_unclosed, at(where, "<tool_call> is not closed by </tool_call>"));
  }
  const std::string_view body = text.substr(body_start, close - body_start);
  if (body.find(kCallOpen) != std::string_view::npos) {
    throw RecordError(Rule::tool_call_unclosed, at(where, "<tool_call> opens again before </tool_call>"));
  }
  return {body, close + kCallClose.size()};
}

bool starts_xml_function(std::string_view body_start) { return text::starts_with(body_start, kFunctionOpen); }

ToolCall parse_xml_function(std::string_view body, const ReadContext& context) {
  const std::string_view where = context.where;
  std::string_view rest = text::strip_ascii(body);
  rest.remove_prefix(kFunctionOpen.size());
  const auto name_end = rest.find('>');
  if (name_end == std::string_view::npos) {
    throw RecordError(Rule::tool_call_xml, at(where, "<function= has no closing '>'"));
  }
  ToolCall call;
  call.name = std::string(rest.substr(0, name_end));
  json_call::check_function_name(call.name, where);
  const Json* tool = context.tools.find(call.name);
  rest.remove_prefix(name_end + 1);
  // Parameter names seen in this call: an ordered object's contains() is a linear search, and a
  // call may have thousands of parameters. Views into `body`, which outlives the loop. A set
  // kept per thread (cleared, not freed), and used only past a few names.
  thread_local std::unordered_set<std::string_view> seen;
  thread_local std::vector<std::string_view> names;
  seen.clear();
  names.clear();
  constexpr std::size_t kLinearSearchLimit = 8;
  detail::ArgumentsBuilder arguments(body.size());
  for (;;) {
    rest = text::lstrip_ascii(rest);
    if (text::starts_with(rest, kParameterOpen)) {
      rest.remove_prefix(kParameterOpen.size());
      const auto pname_end = rest.find('>');
      if (pname_end == std::string_view::npos) {
        throw RecordError(Rule::tool_call_xml, at(where, "<parameter= has no closing '>'"));
      }
      const std::string_view pname = rest.substr(0, pname_end);
      rest.remove_prefix(pname_end + 1);
      const auto value_end = rest.find(kParameterClose);
      if (value_end == std::string_view::npos) {
        throw RecordError(Rule::tool_call_xml,
                          at(where, "<parameter=" + std::string(pname) + "> is not closed by </parameter>"));
      }
      bool repeated = false;
      if (names.size() < kLinearSearchLimit) {
        repeated = std::find(names.begin(), names.end(), pname) != names.end();
        if (!repeated) names.push_back(pname);
        if (names.size() == kLinearSearchLimit) seen.insert(names.begin(), names.end());
      } else {
        repeated = !seen.insert(pname).second;
      }
      if (repeated) {
        throw RecordError(Rule::tool_call_xml,
                          at(where, "parameter '" + std::string(pname) + "' appears twice in one call"));
      }
      const std::string_view value = text::strip_one_newline_each_side(rest.substr(0, value_end));
      add_typed_parameter(arguments, value, parameter_types(tool, pname), where, pname);
      rest.remove_prefix(value_end + kParameterClose.size());
    } else if (text::starts_with(rest, kFunctionClose)) {
      rest.remove_prefix(kFunctionClose.size());
      if (!text::is_blank_ascii(rest)) {
        throw RecordError(Rule::tool_call_xml, at(where, "text after </function> inside <tool_call>: '" +
                                                             text::excerpt(text::strip_ascii(rest)) + "'"));
      }
      arguments.finish(call);
      return call;
    } else {
      throw RecordError(Rule::tool_call_xml,
                        at(where, rest.empty() ? "<function=" + call.name + "> is not closed by </function>"
                                               : "unexpected text inside <function=" + call.name + ">: '" +
                                                     text::excerpt(rest) + "'"));
    }
  }
}

CallMatch read_xml_call(std::string_view text, std::size_t at_tag, const ReadContext& context, bool code_mode) {
  const TagBody tag = call_tag_body(text, at_tag, context.where);
  CallMatch match;
  match.call = parse_xml_function(tag.body, context);
  const ToolCall& call = match.call;
  const bool is_code_mode = call.name == "execute_code" && call.has_only_argument("code");
  match.kind = is_code_mode == code_mode ? CallMatch::Kind::call : CallMatch::Kind::not_mine;
  match.end = tag.end;
  return match;
}

}  // namespace chatfmt::tags
