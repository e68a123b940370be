#include "json_call.hpp"

#include <re2/re2.h>

#include "chatfmt/errors.hpp"
#include "core/text.hpp"

namespace chatfmt::json_call {
namespace {

std::string at(std::string_view where, std::string_view what) { return std::string(where) + ": " + std::string(what); }

}  // namespace

void check_function_name(const std::string& name, std::string_view where) {
  static const RE2 pattern("[A-Za-z0-9_\\-]{1,64}");
  // A file calls a handful of functions, each thousands of times: the last name found valid on
  // this thread is not matched again.
  thread_local std::string last_valid;
  if (name == last_valid) return;
  if (!RE2::FullMatch(name, pattern)) {
    throw RecordError(Rule::tool_call_name,
                      at(where, "function name '" + text::excerpt(name) + "' is not 1-64 characters of [A-Za-z0-9_-]"));
  }
  last_valid = name;
}

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
    if (!parsed->is_object()) {
      throw RecordError(Rule::tool_call_json, at(where, "arguments are JSON but not an object"));
    }
    return std::move(*parsed);
  }
  throw RecordError(Rule::tool_call_json, at(where, "arguments must be an object or a JSON string of one"));
}

ToolCall from_json(const Json& object, std::string_view where) {
  if (!object.is_object()) {
    throw RecordError(Rule::tool_call_json, at(where, "the tool call is JSON but not an object"));
  }
  ToolCall call;
  for (const auto& [key, value] : object.items()) {
    if (key == "name" && value.is_string()) {
      call.name = value.get<std::string>();
    } else if (key == "arguments") {
      call.arguments() = arguments_object(value, where);
    } else if (key == "id" && value.is_string()) {
      call.id = value.get<std::string>();
    } else {
      throw RecordError(Rule::tool_call_json,
                        at(where, "unexpected key '" + key + "' in a tool call (expected name, arguments, id)"));
    }
  }
  if (call.name.empty()) throw RecordError(Rule::tool_call_json, at(where, "the tool call has no \"name\""));
  if (!object.contains("arguments")) {
    throw RecordError(Rule::tool_call_json, at(where, "the tool call has no \"arguments\""));
  }
  check_function_name(call.name, where);
  return call;
}

ToolCall from_text(std::string_view body, std::string_view where, std::string_view what) {
  JsonParseError error;
  auto parsed = parse_json(body, error);
  if (!parsed) {
    throw RecordError(Rule::tool_call_json, at(where, std::string(what) + " is not valid JSON (" + error.describe() +
                                                          "); fix the JSON in the source data"));
  }
  return from_json(*parsed, where);
}

}  // namespace chatfmt::json_call
