#include "json_call.hpp"

#include <re2/re2.h>

#include "chatfmt/errors.hpp"
#include "core/arguments.hpp"
#include "core/json_internal.hpp"
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

namespace {

// Arguments given as an object or as a JSON string of one (the OpenAI API's form).
void read_arguments(ToolCall& call, simdjson::dom::element arguments, std::string_view where) {
  detail::ArgumentsBuilder builder;
  simdjson::dom::object object;
  std::string_view textual;
  if (arguments.get(object) == simdjson::SUCCESS) {
    builder.add_fields(object);
  } else if (arguments.get(textual) == simdjson::SUCCESS) {
    if (!textual.empty()) {  // the templates render "" as {}
      detail::NestedParser parser;
      auto parsed = parser.get().parse(textual.data(), textual.size());
      if (parsed.error()) {
        throw RecordError(Rule::tool_call_json,
                          at(where, "arguments are not valid JSON (" +
                                        detail::diagnose_json(textual, parsed.error()).describe() + ")"));
      }
      if (parsed.value_unsafe().get(object)) {
        throw RecordError(Rule::tool_call_json, at(where, "arguments are JSON but not an object"));
      }
      builder.add_fields(object);
    }
  } else {
    throw RecordError(Rule::tool_call_json, at(where, "arguments must be an object or a JSON string of one"));
  }
  builder.finish(call);
}

}  // namespace

ToolCall from_json(simdjson::dom::element value, std::string_view where) {
  simdjson::dom::object object;
  if (value.get(object)) throw RecordError(Rule::tool_call_json, at(where, "the tool call is JSON but not an object"));
  ToolCall call;
  bool has_arguments = false;
  for (const auto& field : detail::FieldList(object)) {
    std::string_view text;
    if (field.key == "name" && field.value.get(text) == simdjson::SUCCESS) {
      call.name = std::string(text);
    } else if (field.key == "arguments") {
      read_arguments(call, field.value, where);
      has_arguments = true;
    } else if (field.key == "id" && field.value.get(text) == simdjson::SUCCESS) {
      call.id = std::string(text);
    } else {
      throw RecordError(Rule::tool_call_json, at(where, "unexpected key '" + std::string(field.key) +
                                                            "' in a tool call (expected name, arguments, id)"));
    }
  }
  if (call.name.empty()) throw RecordError(Rule::tool_call_json, at(where, "the tool call has no \"name\""));
  if (!has_arguments) throw RecordError(Rule::tool_call_json, at(where, "the tool call has no \"arguments\""));
  check_function_name(call.name, where);
  return call;
}

ToolCall from_text(std::string_view body, std::string_view where, std::string_view what) {
  detail::NestedParser parser;
  auto parsed = parser.get().parse(body.data(), body.size());
  if (parsed.error()) {
    throw RecordError(Rule::tool_call_json, at(where, std::string(what) + " is not valid JSON (" +
                                                          detail::diagnose_json(body, parsed.error()).describe() +
                                                          "); fix the JSON in the source data"));
  }
  return from_json(parsed.value_unsafe(), where);
}

}  // namespace chatfmt::json_call
