#include "embedded_tool_calls.hpp"

#include <unordered_set>

#include <re2/re2.h>

#include "chatfmt/errors.hpp"
#include "core/normalize.hpp"
#include "core/text.hpp"

namespace chatfmt::embedded {
namespace {

constexpr std::string_view kCallOpen = "<tool_call>";
constexpr std::string_view kCallClose = "</tool_call>";
constexpr std::string_view kFunctionOpen = "<function=";
constexpr std::string_view kFunctionClose = "</function>";
constexpr std::string_view kParameterOpen = "<parameter=";
constexpr std::string_view kParameterClose = "</parameter>";
constexpr std::string_view kResponseOpen = "<tool_response>";
constexpr std::string_view kResponseClose = "</tool_response>";

std::string at(std::string_view where, std::string_view what) { return std::string(where) + ": " + std::string(what); }

const RE2& fence_open() {
  static const RE2 re("(```json[ \\t]*\\r?\\n)");
  return re;
}

const RE2& function_name_pattern() {
  static const RE2 re("[A-Za-z0-9_\\-]{1,64}");
  return re;
}

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

// An XML parameter value typed by the tools schema: strings unless the schema says otherwise.
Json typed_parameter_value(std::string_view value, const std::vector<std::string>& types, std::string_view where) {
  if (types.empty()) return std::string(value);
  for (const auto& type : types) {
    if (type == "string") return std::string(value);
  }
  for (const auto& type : types) {
    if (type == "boolean") {
      if (value == "true" || value == "True") return true;
      if (value == "false" || value == "False") return false;
    } else if (type == "null") {
      if (value == "null" || value == "None") return nullptr;
    } else if (type == "integer" || type == "number" || type == "object" || type == "array") {
      JsonParseError error;
      auto parsed = parse_json(value, error);
      if (!parsed) continue;
      const bool fits = (type == "integer" && parsed->is_number_integer()) ||
                        (type == "number" && parsed->is_number()) || (type == "object" && parsed->is_object()) ||
                        (type == "array" && parsed->is_array());
      if (fits) return std::move(*parsed);
    }
  }
  std::string expected;
  for (const auto& type : types) expected += (expected.empty() ? "" : " or ") + type;
  throw RecordError(Rule::parameter_type,
                    at(where, "value '" + text::excerpt(value) + "' is not " + expected +
                                  " as the tools schema requires; fix the value or the schema in --tools"));
}

// Parses "<function=NAME> (<parameter=P>VALUE</parameter>)* </function>" (whitespace between tags).
ToolCall parse_xml_function(std::string_view body, std::string_view where, const detail::ToolIndex& tools) {
  std::string_view rest = text::strip_ascii(body);
  rest.remove_prefix(kFunctionOpen.size());
  const auto name_end = rest.find('>');
  if (name_end == std::string_view::npos) {
    throw RecordError(Rule::tool_call_xml, at(where, "<function= has no closing '>'"));
  }
  ToolCall call;
  call.name = std::string(rest.substr(0, name_end));
  if (!RE2::FullMatch(call.name, function_name_pattern())) {
    throw RecordError(Rule::tool_call_name, at(where, "function name '" + text::excerpt(call.name) +
                                                      "' is not 1-64 characters of [A-Za-z0-9_-]"));
  }
  const Json* tool = tools.find(call.name);
  rest.remove_prefix(name_end + 1);
  // Parameter names seen in this call: an ordered object's contains() is a linear search, and a
  // call may have thousands of parameters. Views into `body`, which outlives the loop.
  std::unordered_set<std::string_view> seen;
  auto& arguments = call.arguments.get_ref<Json::object_t&>();
  for (;;) {
    rest = text::lstrip_ascii(rest);
    if (text::starts_with(rest, kParameterOpen)) {
      rest.remove_prefix(kParameterOpen.size());
      const auto pname_end = rest.find('>');
      if (pname_end == std::string_view::npos) {
        throw RecordError(Rule::tool_call_xml, at(where, "<parameter= has no closing '>'"));
      }
      const std::string_view pname_view = rest.substr(0, pname_end);
      const std::string pname(pname_view);
      rest.remove_prefix(pname_end + 1);
      const auto value_end = rest.find(kParameterClose);
      if (value_end == std::string_view::npos) {
        throw RecordError(Rule::tool_call_xml, at(where, "<parameter=" + pname + "> is not closed by </parameter>"));
      }
      if (!seen.insert(pname_view).second) {
        throw RecordError(Rule::tool_call_xml, at(where, "parameter '" + pname + "' appears twice in one call"));
      }
      const std::string_view value = text::strip_one_newline_each_side(rest.substr(0, value_end));
      arguments.emplace_back(pname, typed_parameter_value(value, parameter_types(tool, pname),
                                                          std::string(where) + " parameter " + pname));
      rest.remove_prefix(value_end + kParameterClose.size());
    } else if (text::starts_with(rest, kFunctionClose)) {
      rest.remove_prefix(kFunctionClose.size());
      if (!text::is_blank_ascii(rest)) {
        throw RecordError(Rule::tool_call_xml, at(where, "text after </function> inside <tool_call>: '" +
                                                         text::excerpt(text::strip_ascii(rest)) + "'"));
      }
      return call;
    } else {
      throw RecordError(Rule::tool_call_xml,
                        at(where, rest.empty() ? "<function=" + call.name + "> is not closed by </function>"
                                               : "unexpected text inside <function=" + call.name + ">: '" +
                                                     text::excerpt(rest) + "'"));
    }
  }
}

ToolCall parse_json_call_text(std::string_view body, std::string_view where, Rule rule,
                              std::string_view what) {
  JsonParseError error;
  auto parsed = parse_json(body, error);
  if (!parsed) {
    throw RecordError(rule, at(where, std::string(what) + " is not valid JSON (" + error.describe() +
                                                       "); fix the JSON in the source data"));
  }
  return tool_call_from_json(*parsed, where);
}

// One <tool_call>…</tool_call> body, classified by how it starts.
ToolCall parse_tagged_call(std::string_view body, std::string_view where, const detail::ToolIndex& tools,
                           EncodingSet& encodings) {
  const std::string_view trimmed = text::strip_ascii(body);
  if (text::starts_with(trimmed, kFunctionOpen)) {
    ToolCall call = parse_xml_function(body, where, tools);
    const bool code_mode = call.name == "execute_code" && call.arguments.size() == 1 && call.arguments.contains("code");
    encodings |= encoding_bit(code_mode ? Encoding::code_mode_xml : Encoding::direct_xml);
    return call;
  }
  if (text::starts_with(trimmed, "{")) {
    encodings |= encoding_bit(Encoding::json_in_tags);
    return parse_json_call_text(trimmed, where, Rule::tool_call_json, "the JSON inside <tool_call>");
  }
  if (trimmed.empty()) throw RecordError(Rule::tool_call_empty, at(where, "<tool_call></tool_call> holds nothing"));
  // Bare code: a Code Mode call without the XML wrapper; the same value rule as a parameter.
  encodings |= encoding_bit(Encoding::bare_code);
  ToolCall call;
  call.name = "execute_code";
  call.arguments["code"] = std::string(text::strip_one_newline_each_side(body));
  return call;
}

}  // namespace

Json arguments_object(const Json& arguments, std::string_view where) {
  if (arguments.is_object()) return arguments;
  if (arguments.is_string()) {
    const auto& textual = arguments.get_ref<const std::string&>();
    if (textual.empty()) return Json::object();  // the templates render "" as {}
    JsonParseError error;
    auto parsed = parse_json(textual, error);
    if (!parsed) {
      throw RecordError(Rule::tool_call_json, at(where, "arguments are not valid JSON (" + error.describe() + ")"));
    }
    if (!parsed->is_object()) throw RecordError(Rule::tool_call_json, at(where, "arguments are JSON but not an object"));
    return std::move(*parsed);
  }
  throw RecordError(Rule::tool_call_json, at(where, "arguments must be an object or a JSON string of one"));
}

ToolCall tool_call_from_json(const Json& object, std::string_view where) {
  if (!object.is_object()) throw RecordError(Rule::tool_call_json, at(where, "the tool call is JSON but not an object"));
  ToolCall call;
  for (const auto& [key, value] : object.items()) {
    if (key == "name" && value.is_string()) {
      call.name = value.get<std::string>();
    } else if (key == "arguments") {
      call.arguments = arguments_object(value, where);
    } else if (key == "id" && value.is_string()) {
      call.id = value.get<std::string>();
    } else {
      throw RecordError(Rule::tool_call_json,
                        at(where, "unexpected key '" + key + "' in a tool call (expected name, arguments, id)"));
    }
  }
  if (call.name.empty()) throw RecordError(Rule::tool_call_json, at(where, "the tool call has no \"name\""));
  if (!object.contains("arguments"))
    throw RecordError(Rule::tool_call_json, at(where, "the tool call has no \"arguments\""));
  if (!RE2::FullMatch(call.name, function_name_pattern())) {
    throw RecordError(Rule::tool_call_name, at(where, "function name '" + text::excerpt(call.name) +
                                                      "' is not 1-64 characters of [A-Za-z0-9_-]"));
  }
  return call;
}

DecodedAssistant decode_assistant(std::string_view text, std::string_view where, const Json* tools) {
  return decode_assistant(text, where, detail::ToolIndex(tools));
}

DecodedAssistant decode_assistant(std::string_view text, std::string_view where, const detail::ToolIndex& tools) {
  DecodedAssistant decoded;
  std::size_t pos = 0;       // scanning position
  std::size_t text_end = 0;  // end of the last stretch that is plain text (before any call)
  bool seen_call = false;
  auto check_gap = [&](std::size_t from, std::size_t to) {
    const std::string_view gap = text.substr(from, to - from);
    if (seen_call && !text::is_blank_ascii(gap)) {
      throw RecordError(Rule::text_after_tool_call,
                        at(where, "text after a tool call ('" + text::excerpt(text::strip_ascii(gap)) +
                                      "') has no place in the target's order (text, then calls); move it into the "
                                      "next assistant turn"));
    }
  };
  // The next <tool_call> and the next ```json fence at or after `pos`. Each is searched again
  // only once `pos` has passed it: searching both on every step scans the rest of the text once
  // per call, quadratic time for a message with thousands of calls of one kind.
  const re2::StringPiece input(text.data(), text.size());
  std::size_t tag = 0;
  std::size_t fence = 0;
  re2::StringPiece fence_match;
  bool tag_known = false;
  bool fence_known = false;
  for (;;) {
    if (!tag_known || (tag != std::string_view::npos && tag < pos)) {
      tag = text.find(kCallOpen, pos);
      tag_known = true;
    }
    if (!fence_known || (fence != std::string_view::npos && fence < pos)) {
      // The pattern has no anchors, so a match found from an earlier start is still the first one.
      fence = fence_open().Match(input, pos, text.size(), RE2::UNANCHORED, &fence_match, 1)
                  ? static_cast<std::size_t>(fence_match.data() - text.data())
                  : std::string_view::npos;
      fence_known = true;
    }
    if (tag == std::string_view::npos && fence == std::string_view::npos) break;
    if (tag != std::string_view::npos && (fence == std::string_view::npos || tag < fence)) {
      check_gap(pos, tag);
      if (!seen_call) text_end = tag;
      const std::size_t body_start = tag + kCallOpen.size();
      const std::size_t close = text.find(kCallClose, body_start);
      if (close == std::string_view::npos) {
        throw RecordError(Rule::tool_call_unclosed, at(where, "<tool_call> is not closed by </tool_call>"));
      }
      const std::string_view body = text.substr(body_start, close - body_start);
      if (body.find(kCallOpen) != std::string_view::npos) {
        throw RecordError(Rule::tool_call_unclosed, at(where, "<tool_call> opens again before </tool_call>"));
      }
      decoded.calls.push_back(parse_tagged_call(body, where, tools, decoded.encodings));
      seen_call = true;
      pos = close + kCallClose.size();
      continue;
    }
    // A ```json fence: a tool call when it holds {"name", "arguments"}; other valid JSON is text.
    const std::size_t body_start = fence + fence_match.size();
    const std::size_t close = text.find("```", body_start);
    if (close == std::string_view::npos) {
      throw RecordError(Rule::json_fence_unclosed, at(where, "```json fence is not closed by ```"));
    }
    const std::string_view body = text.substr(body_start, close - body_start);
    JsonParseError error;
    auto parsed = parse_json(body, error);
    if (!parsed) {
      throw RecordError(Rule::tool_call_json,
                        at(where, "the ```json block is not valid JSON (" + error.describe() +
                                      "), so it can be neither a tool call nor kept as text; fix the JSON in the "
                                      "source data"));
    }
    if (!parsed->is_object() || !parsed->contains("name")) {
      // Plain JSON shown to the reader: part of the text.
      check_gap(pos, close + 3);
      pos = close + 3;
      continue;
    }
    check_gap(pos, fence);
    if (!seen_call) text_end = fence;
    decoded.calls.push_back(tool_call_from_json(*parsed, where));
    decoded.encodings |= encoding_bit(Encoding::json_in_fence);
    seen_call = true;
    pos = close + 3;
  }
  if (!seen_call) {
    decoded.content = std::string(text);
    return decoded;
  }
  check_gap(pos, text.size());
  decoded.content = std::string(text::rstrip_ascii(text.substr(0, text_end)));
  return decoded;
}

std::optional<std::vector<std::string>> decode_tool_responses(std::string_view text, std::string_view where) {
  if (text.find(kResponseOpen) == std::string_view::npos) {
    if (text.find(kResponseClose) != std::string_view::npos) {
      throw RecordError(Rule::tool_response_unclosed, at(where, "</tool_response> without <tool_response>"));
    }
    return std::nullopt;
  }
  std::vector<std::string> results;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t open = text.find(kResponseOpen, pos);
    const std::string_view gap = text.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos);
    if (!text::is_blank_ascii(gap)) {
      throw RecordError(Rule::tool_response_mixed,
                        at(where, "a user turn mixes <tool_response> blocks with other text ('" +
                                      text::excerpt(text::strip_ascii(gap)) + "'); put the text in its own user turn"));
    }
    if (open == std::string_view::npos) break;
    const std::size_t body_start = open + kResponseOpen.size();
    const std::size_t close = text.find(kResponseClose, body_start);
    if (close == std::string_view::npos) {
      throw RecordError(Rule::tool_response_unclosed, at(where, "<tool_response> is not closed by </tool_response>"));
    }
    const std::string_view body = text.substr(body_start, close - body_start);
    if (body.find(kResponseOpen) != std::string_view::npos) {
      throw RecordError(Rule::tool_response_unclosed, at(where, "<tool_response> opens again before </tool_response>"));
    }
    results.emplace_back(text::strip_one_newline_each_side(body));
    pos = close + kResponseClose.size();
  }
  return results;
}

}  // namespace chatfmt::embedded

namespace chatfmt::embedded {

void append_text_turn(Conversation& conversation, Role role, std::string_view content, std::string_view where,
                      const Json* tools) {
  append_text_turn(conversation, role, content, where, detail::ToolIndex(tools));
}

void append_text_turn(Conversation& conversation, Role role, std::string_view content, std::string_view where,
                      const detail::ToolIndex& tools) {
  if (role == Role::assistant) {
    DecodedAssistant decoded = decode_assistant(content, where, tools);
    Message message;
    message.role = role;
    message.content = std::move(decoded.content);
    message.tool_calls = std::move(decoded.calls);
    message.source_encodings = decoded.encodings;
    conversation.messages.push_back(std::move(message));
    return;
  }
  if (role == Role::user) {
    if (auto results = decode_tool_responses(content, where)) {
      for (auto& result : *results) {
        Message message;
        message.role = Role::tool;
        message.content = std::move(result);
        message.source_encodings = encoding_bit(Encoding::tool_response_block);
        conversation.messages.push_back(std::move(message));
      }
      return;
    }
  }
  Message message;
  message.role = role;
  message.content = std::string(content);
  conversation.messages.push_back(std::move(message));
}

}  // namespace chatfmt::embedded
