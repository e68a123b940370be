#include "core/arguments.hpp"

#include "core/json_internal.hpp"

namespace chatfmt::detail {

using simdjson::dom::element;
using simdjson::dom::element_type;

void append_python_json(std::string& out, element value) {
  switch (value.type()) {
    case element_type::OBJECT: {
      const FieldList fields(value.get_object().value_unsafe());
      out.push_back('{');
      bool first = true;
      for (const auto& field : fields) {
        if (!first) out += ", ";
        first = false;
        append_json_string(out, field.key);
        out += ": ";
        append_python_json(out, field.value);
      }
      out.push_back('}');
      return;
    }
    case element_type::ARRAY: {
      const simdjson::dom::array items = value.get_array().value_unsafe();
      out.push_back('[');
      bool first = true;
      for (const element item : items) {
        if (!first) out += ", ";
        first = false;
        append_python_json(out, item);
      }
      out.push_back(']');
      return;
    }
    case element_type::STRING:
      append_json_string(out, value.get_string().value_unsafe());
      return;
    case element_type::INT64:
      out += std::to_string(value.get_int64().value_unsafe());
      return;
    case element_type::UINT64:
      out += std::to_string(value.get_uint64().value_unsafe());
      return;
    case element_type::DOUBLE:
      out += python_float_repr(value.get_double().value_unsafe());
      return;
    case element_type::BOOL:
      out += value.get_bool().value_unsafe() ? "true" : "false";
      return;
    case element_type::NULL_VALUE:
      out += "null";
      return;
  }
}

std::string_view json_type_name(element value) {
  switch (value.type()) {
    case element_type::OBJECT:
      return "object";
    case element_type::ARRAY:
      return "array";
    case element_type::STRING:
      return "string";
    case element_type::INT64:
    case element_type::UINT64:
      return "integer";
    case element_type::DOUBLE:
      return "number";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "null";
}

ArgumentsBuilder::ArgumentsBuilder(std::size_t expected_size) {
  // Escapes lengthen code by a few percent; growing the text by doubling would copy it each time.
  text_.reserve(expected_size + expected_size / 8 + 16);
  text_ = "{";
}

void ArgumentsBuilder::add_key(std::string_view key, std::string_view type_name) {
  if (text_.size() > 1) text_ += ", ";
  append_json_string(text_, key);
  text_ += ": ";
  append_signature_entry(signature_, key, type_name);
}

void ArgumentsBuilder::add_string(std::string_view key, std::string_view value) {
  add_key(key, "string");
  append_json_string(text_, value);
}

void ArgumentsBuilder::add(std::string_view key, element value) {
  add_key(key, json_type_name(value));
  append_python_json(text_, value);
}

void ArgumentsBuilder::add_literal(std::string_view key, std::string_view json_text, std::string_view type_name) {
  add_key(key, type_name);
  text_ += json_text;
}

void ArgumentsBuilder::add_fields(simdjson::dom::object object) {
  for (const auto& field : FieldList(object)) add(field.key, field.value);
}

void ArgumentsBuilder::finish(ToolCall& call) {
  text_.push_back('}');
  call.set_arguments(std::move(text_), std::move(signature_));
}

namespace {

struct ParserStack {
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;
  std::size_t in_use = 0;
};

ParserStack& parser_stack() {
  thread_local ParserStack stack;
  return stack;
}

}  // namespace

NestedParser::NestedParser() {
  ParserStack& stack = parser_stack();
  if (stack.in_use == stack.parsers.size()) stack.parsers.push_back(std::make_unique<simdjson::dom::parser>());
  parser_ = stack.parsers[stack.in_use++].get();
}

NestedParser::~NestedParser() { --parser_stack().in_use; }

}  // namespace chatfmt::detail
