#include "json_call.hpp"

#include <algorithm>

#include "chatfmt/errors.hpp"
#include "core/arguments.hpp"
#include "core/json_internal.hpp"
#include "core/text.hpp"

namespace chatfmt::json_call {
namespace {

std::string at(std::string_view where, std::string_view what) { return std::string(where) + ": " + std::string(what); }

}  // namespace

void check_function_name(const std::string& name, std::string_view where) {
  // A character class, checked byte by byte: cheaper than a regex, which the fuzz test keeps as
  // the reference.
  const bool valid = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (!valid) {
    throw RecordError(Rule::tool_call_name,
                      at(where, "function name '" + text::excerpt(name) + "' is not 1-64 characters of [A-Za-z0-9_-]"));
  }
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
