#include "core/arguments.hpp"

#include <stdexcept>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
      return json_type_name(JsonType::object);
    case element_type::ARRAY:
      return json_type_name(JsonType::array);
    case element_type::STRING:
      return json_type_name(JsonType::string);
    case element_type::INT64:
    case element_type::UINT64:
      return json_type_name(JsonType::integer);
    case element_type::DOUBLE:
      return json_type_name(JsonType::number);
    case element_type::BOOL:
      return json_type_name(JsonType::boolean);
    case element_type::NULL_VALUE:
      break;
  }
  return json_type_name(JsonType::null);
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
  add_key(key, json_type_name(JsonType::string));
  append_json_string(text_, value);
}

void ArgumentsBuilder::add(std::string_view key, element value) {
  add_key(key, json_type_name(value));
  append_python_json(text_, value);
}

void ArgumentsBuilder::add_literal(std::string_view key, std::string_view json_text, JsonType type) {
  add_key(key, json_type_name(type));
  text_ += json_text;
}

void ArgumentsBuilder::add_fields(simdjson::dom::object object) {
  for (const auto& field : FieldList(object)) add(field.key, field.value);
}

void ArgumentsBuilder::finish(ToolCall& call) {
  text_.push_back('}');
  call.set_arguments(std::move(text_), std::move(signature_));
}

void malformed_arguments(std::string_view text) {
  throw std::logic_error("tool call arguments not written by append_python_json: " + std::string(text.substr(0, 80)));
}

namespace {

// Writes a code point as UTF-8 at `at`; returns the end. Up to four bytes.
char* put_utf8(char* at, std::uint32_t code_point) {
  if (code_point < 0x80) {
    *at++ = static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *at++ = static_cast<char>(0xC0 | (code_point >> 6));
    *at++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    *at++ = static_cast<char>(0xE0 | (code_point >> 12));
    *at++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *at++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    *at++ = static_cast<char>(0xF0 | (code_point >> 18));
    *at++ = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    *at++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *at++ = static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return at;
}

std::uint32_t hex4(std::string_view text, std::size_t at) {
  if (at + 4 > text.size()) malformed_arguments(text);
  std::uint32_t value = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const char c = text[i];
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      value |= static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      value |= static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      malformed_arguments(text);
    }
  }
  return value;
}

// The next '"' or '\\' at or after `at` (npos: none), sixteen bytes at a time.
std::size_t next_quote_or_backslash(std::string_view text, std::size_t at) {
  const char* p = text.data();
  const std::size_t n = text.size();
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; at + 16 <= n; at += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
    const auto mask =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
    if (mask != 0) return at + static_cast<std::size_t>(__builtin_ctz(mask));
  }
#endif
  for (; at < n; ++at) {
    if (p[at] == '"' || p[at] == '\\') return at;
  }
  return std::string_view::npos;
}

}  // namespace

std::size_t read_json_string(std::string_view text, std::size_t at, std::string& out) {
  if (at >= text.size() || text[at] != '"') malformed_arguments(text);
  ++at;
  // Unescaped, a string is never longer than written; room for one whole 16-byte store past that.
  const std::size_t start = out.size();
  out.resize(start + (text.size() - at) + 16);
  char* const base = out.data();
  char* write = base + start;
  const char* const input = text.data();
  const std::size_t n = text.size();
  for (;;) {
    // Copy up to the next quote or backslash: whole blocks are stored, the pointer advances to it.
    std::size_t stop = std::string_view::npos;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (at + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(input + at));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(write), v);
      const auto mask = static_cast<unsigned>(
          _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
      if (mask == 0) {
        at += 16;
        write += 16;
        continue;
      }
      const auto before = static_cast<std::size_t>(__builtin_ctz(mask));
      at += before;
      write += before;
      stop = at;
      break;
    }
#endif
    if (stop == std::string_view::npos) {
      for (; at < n && input[at] != '"' && input[at] != '\\'; ++at) *write++ = input[at];
      stop = at;
    }
    if (stop + 1 >= n) malformed_arguments(text);  // unclosed: the object's brace must follow
    if (input[stop] == '"') {
      out.resize(static_cast<std::size_t>(write - base));
      return stop + 1;
    }
    const char escape = input[stop + 1];
    at = stop + 2;
    switch (escape) {
      case '"':
      case '\\':
      case '/':
        *write++ = escape;
        break;
      case 'b':
        *write++ = '\b';
        break;
      case 'f':
        *write++ = '\f';
        break;
      case 'n':
        *write++ = '\n';
        break;
      case 'r':
        *write++ = '\r';
        break;
      case 't':
        *write++ = '\t';
        break;
      case 'u': {
        std::uint32_t code_point = hex4(text, at);
        at += 4;
        // A high surrogate followed by a low one is one code point. A lone one is written as is
        // (WTF-8); append_json_string never writes one.
        if (code_point >= 0xD800 && code_point < 0xDC00 && text.substr(at, 2) == "\\u") {
          const std::uint32_t low = hex4(text, at + 2);
          if (low >= 0xDC00 && low < 0xE000) {
            code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
            at += 6;
          }
        }
        write = put_utf8(write, code_point);
        break;
      }
      default:
        malformed_arguments(text);
    }
  }
}

std::size_t skip_json_value(std::string_view text, std::size_t at) {
  if (at >= text.size()) malformed_arguments(text);
  if (text[at] != '{' && text[at] != '[') {
    // A number or a literal: none holds a ',' or a closing bracket.
    const std::size_t end = text.find_first_of(",]}", at);
    if (end == std::string_view::npos || end == at) malformed_arguments(text);
    return end;
  }
  std::size_t depth = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c == '"') {
      // Past the string: its escapes matter only for finding where it ends.
      ++at;
      for (;;) {
        const std::size_t stop = next_quote_or_backslash(text, at);
        if (stop == std::string_view::npos) malformed_arguments(text);
        if (text[stop] == '"') {
          at = stop + 1;
          break;
        }
        at = stop + 2;
      }
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) return at + 1;
    }
    ++at;
  }
  malformed_arguments(text);
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
