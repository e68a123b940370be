#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <type_traits>
#include <unordered_map>

#include <utf8proc.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/json_internal.hpp"
#include "core/text.hpp"

namespace chatfmt {

std::string JsonParseError::describe() const {
  if (!position) return message;
  return "line " + std::to_string(position->line) + ", column " + std::to_string(position->column) + ": " + message;
}

namespace detail {

namespace {

std::vector<std::vector<Field>>& field_vector_pool() {
  thread_local std::vector<std::vector<Field>> pool;
  return pool;
}

static_assert(std::is_trivially_copyable_v<Field> && std::is_trivially_destructible_v<Field>);

}  // namespace

void FieldList::give_back() {
  spilled_.clear();
  field_vector_pool().push_back(std::move(spilled_));
}

Field* FieldList::push_back_spilled(const Field* data, std::size_t size, const Field& field) {
  if (size == kInlineFields) {
    auto& pool = field_vector_pool();
    if (!pool.empty()) {
      spilled_ = std::move(pool.back());
      pool.pop_back();
    }
    spilled_.assign(data, data + size);
  }
  spilled_.push_back(field);
  return spilled_.data();
}

FieldList::FieldList(simdjson::dom::object object) {
  // Records, messages and calls have a handful of keys: a linear search is fastest. Objects with
  // thousands (arguments, schemas) switch to an index, made only then, so a big object never
  // costs quadratic time. The fields and their count stay in locals until the end: stores into
  // fields could otherwise be members' for all the compiler knows.
  constexpr std::size_t kLinearSearchLimit = 16;
  Field* data = reinterpret_cast<Field*>(inline_);
  std::size_t size = 0;
  std::optional<std::unordered_map<std::string_view, std::size_t>> index;
  for (const auto field : object) {
    const std::string_view key = field.key;
    if (size < kLinearSearchLimit) {
      std::size_t same = 0;
      while (same < size && data[same].key != key) ++same;
      if (same < size) {
        data[same].value = field.value;
        continue;
      }
      if (size < kInlineFields) {
        new (data + size) Field{key, field.value};
      } else {
        data = push_back_spilled(data, size, {key, field.value});
      }
      if (++size == kLinearSearchLimit) {
        index.emplace();
        for (std::size_t i = 0; i < size; ++i) index->emplace(data[i].key, i);
      }
    } else if (const auto [at, inserted] = index->emplace(key, size); inserted) {
      data = push_back_spilled(data, size, {key, field.value});
      ++size;
    } else {
      data[at->second].value = field.value;
    }
  }
  data_ = data;
  size_ = size;
}

std::optional<simdjson::dom::element> find_field(simdjson::dom::object object, std::string_view key) {
  std::optional<simdjson::dom::element> found;
  for (const auto [k, value] : object) {
    if (k == key) found = value;
  }
  return found;
}

Json to_json(simdjson::dom::element element) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::ARRAY: {
      Json array = Json::array();
      const simdjson::dom::array items = element.get_array().value_unsafe();
      for (auto item : items) array.push_back(to_json(item));
      return array;
    }
    case element_type::OBJECT: {
      // Keys are already unique: append without ordered_map's linear search for an existing key.
      const FieldList fields(element.get_object().value_unsafe());
      Json object = Json::object();
      auto& items = object.get_ref<Json::object_t&>();
      items.reserve(fields.size());
      for (const auto& field : fields) items.emplace_back(std::string(field.key), to_json(field.value));
      return object;
    }
    case element_type::INT64:
      return element.get_int64().value_unsafe();
    case element_type::UINT64:
      return element.get_uint64().value_unsafe();
    case element_type::DOUBLE:
      return element.get_double().value_unsafe();
    case element_type::STRING:
      return std::string(element.get_string().value_unsafe());
    case element_type::BOOL:
      return element.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      return nullptr;
  }
  return nullptr;
}

JsonParseError diagnose_json(std::string_view text, simdjson::error_code simdjson_error) {
  JsonParseError error;
  // simdjson says what failed but not where; nlohmann's parser (cold path only) says where.
  try {
    const auto ignored = nlohmann::json::parse(text.begin(), text.end());
    (void)ignored;
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // nlohmann: "[json.exception.parse_error.101] parse error at line 4, column 27: syntax error ..."
    const auto colon = what.find(": ", what.find("parse error"));
    // Its "last read: '…'" quotes raw input, which may not be UTF-8; reports must stay valid.
    error.message = text::valid_utf8(colon == std::string::npos ? what : what.substr(colon + 2));
    // Its byte offset (1-based, at the failing character) gives line and column in `text`.
    std::size_t offset = e.byte == 0 ? 0 : e.byte - 1;
    if (offset > text.size()) offset = text.size();
    JsonErrorPosition pos{1, 1};
    for (std::size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++pos.line;
        pos.column = 1;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++pos.column;
      }
    }
    error.position = pos;
    return error;
  } catch (const std::exception&) {
  }
  // nlohmann accepted it: the difference is one simdjson is stricter about (a number too large,
  // an unpaired surrogate, invalid UTF-8 ...). Its own message is then the best we have.
  error.message = simdjson::error_message(simdjson_error);
  return error;
}

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

}  // namespace detail

std::optional<Json> parse_json(std::string_view text, JsonParseError& error) {
  // Not thread_parser(): readers call this while they still walk the record parsed by that one,
  // and reusing a parser invalidates the document it holds.
  thread_local simdjson::dom::parser parser;
  auto result = parser.parse(text.data(), text.size());
  if (result.error()) {
    error = detail::diagnose_json(text, result.error());
    return std::nullopt;
  }
  return detail::to_json(result.value_unsafe());
}

namespace {

// The escape json.dumps(ensure_ascii=False) writes for each byte that needs one (empty: none).
// Eight bytes a slot, so an escape is copied as one 8-byte move and the length says how many count.
// Built at compile time: no guard to test on each call.
struct EscapeTable {
  std::array<std::array<char, 8>, 256> text{};
  std::array<std::uint8_t, 256> length{};
  std::array<std::uint8_t, 256> extra{};  // length - 1: how much longer the escape is than the byte
  constexpr EscapeTable() {
    constexpr char hex[] = "0123456789abcdef";
    for (unsigned c = 0; c < 0x20; ++c) set(c, {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]});
    set('"', {'\\', '"'});
    set('\\', {'\\', '\\'});
    set('\n', {'\\', 'n'});
    set('\r', {'\\', 'r'});
    set('\t', {'\\', 't'});
    set('\b', {'\\', 'b'});
    set('\f', {'\\', 'f'});
  }
  constexpr void set(unsigned c, std::initializer_list<char> escape) {
    std::copy(escape.begin(), escape.end(), text[c].begin());
    length[c] = static_cast<std::uint8_t>(escape.size());
    extra[c] = static_cast<std::uint8_t>(escape.size() - 1);
  }
};

constexpr EscapeTable kEscapes{};

// Writes escaped JSON string bodies through a raw pointer into room made in `out` beforehand:
// code is dense in quotes and newlines, and an append() per run between two escapes was a quarter
// of a conversion's instructions. `reserve(n, rest)` before writing up to n bytes (when it has to
// grow, it makes `rest` more room ahead for what follows); `finish()` trims.
class EscapeWriter {
 public:
  explicit EscapeWriter(std::string& out, std::size_t expected) : out_(out) {
    const std::size_t start = out_.size();
    out_.resize(start + expected);
    at_ = out_.data() + start;
    end_ = out_.data() + out_.size();
  }
  void reserve(std::size_t bytes, std::size_t rest) {
    if (static_cast<std::size_t>(end_ - at_) < bytes) grow(bytes + rest);
  }
  char*& at() { return at_; }
  /// Where writing up to `bytes` more still fits without reserve().
  const char* last_start(std::size_t bytes) const { return end_ - bytes; }
  void finish() { out_.resize(static_cast<std::size_t>(at_ - out_.data())); }

 private:
  // Only the new room is zero-filled; the string's capacity still grows geometrically.
  void grow(std::size_t bytes) {
    const std::size_t used = static_cast<std::size_t>(at_ - out_.data());
    out_.resize(used + bytes);
    at_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }

  std::string& out_;
  char* at_ = nullptr;
  char* end_ = nullptr;
};

// The most escaping `bytes` bytes may write past where it starts: all of them 6-byte escapes, then
// a 16-byte store of the (empty) run after the last one.
constexpr std::size_t step_room(std::size_t bytes) { return bytes * 6 + 16; }

#if defined(__SSE2__)
// One bit per byte of `v` that needs an escape: '"', '\\' and the controls 0x00 to 0x1F.
inline unsigned escape_mask(__m128i v) {
  // max(v, 0x1F) == 0x1F exactly for the bytes v <= 0x1F (unsigned).
  const __m128i last_control = _mm_set1_epi8(0x1F);
  const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, last_control), last_control);
  const __m128i hit = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))), control);
  return static_cast<unsigned>(_mm_movemask_epi8(hit));
}

// The bytes at `src` have already been stored as they are at `at`, which is right up to the first
// escape. Writes each escape of `bits` (bit k: byte k of `src`) in turn, each followed by a 16-byte
// store of the input after it, which is right up to the next escape. Returns `at` moved by what
// the escapes added: byte k after the last escape is at the result + k. Reads `src` up to 17 bytes
// past the last escape, and writes up to 16 bytes past the end.
inline char* write_escapes(const char* src, unsigned bits, char* at) {
  // Byte k, unless escaped, goes to shifted + k: each escape shifts what follows it.
  char* shifted = at;
  while (bits != 0) {
    const auto k = static_cast<unsigned>(__builtin_ctz(bits));
    const auto c = static_cast<unsigned char>(src[k]);
    std::memcpy(shifted + k, kEscapes.text[c].data(), 8);
    shifted += kEscapes.extra[c];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(shifted + k + 1),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + k + 1)));
    bits &= bits - 1;
  }
  return shifted;
}

// Escapes the first `limit` (1 to 16) bytes at `src` to `at` and returns the end of what it wrote.
// Reads the 32 bytes at `src`; writes up to step_room(limit) bytes from `at`. The block is loaded
// and compared once however many escapes it has.
inline char* escape_block(const char* src, unsigned limit, char* at) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(at), v);
  return write_escapes(src, escape_mask(v) & ((1U << limit) - 1), at) + limit;
}

#endif

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  append_json_string_body(out, text);
  out.push_back('"');
}

void append_json_string_body(std::string& out, std::string_view text) {
  const char* in = text.data();
  const std::size_t n = text.size();
  // Room for the text, an escape every few bytes and the worst case of the last 31 bytes (a 6-byte
  // escape each, and a block's store past them); grown only past that.
  EscapeWriter writer(out, n + n / 4 + step_room(31));
  char*& at = writer.at();
#if defined(__SSE2__)
  std::size_t i = 0;
  // Sixteen bytes at a time (SSE2 is on every x86-64) while 16 more follow the block: the 16-byte
  // copy after an escape may read them.
  if (n >= 32) {
    const char* const last = in + (n - 32);
    const char* p = in;
    char* to = at;
    const char* room = writer.last_start(step_room(16));
    for (; p <= last; p += 16) {
      if (to > room) {
        at = to;
        writer.reserve(step_room(16), static_cast<std::size_t>(in + n - p));
        to = at;
        room = writer.last_start(step_room(16));
      }
      to = escape_block(p, 16, to);
    }
    at = to;
    i = static_cast<std::size_t>(p - in);
  }
  // The last 0 to 31 bytes, from a copy with room behind them.
  if (const std::size_t rest = n - i; rest != 0) {
    writer.reserve(step_room(rest), 0);
    alignas(16) std::array<char, 64> copy{};
    const char* src = copy.data();
    if (n >= 32) {
      // The text's last 32 bytes, end to end with the copy's first 32.
      const __m128i low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + n - 32));
      const __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + n - 16));
      _mm_store_si128(reinterpret_cast<__m128i*>(copy.data()), low);
      _mm_store_si128(reinterpret_cast<__m128i*>(copy.data() + 16), high);
      src += 32 - rest;
    } else {
      std::memcpy(copy.data(), in, n);
    }
    at = escape_block(src, static_cast<unsigned>(std::min<std::size_t>(rest, 16)), at);
    if (rest > 16) at = escape_block(src + 16, static_cast<unsigned>(rest - 16), at);
  }
#else
  writer.reserve(n * 6 + 8, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (kEscapes.length[c] == 0) {
      *at++ = static_cast<char>(c);
    } else {
      std::memcpy(at, kEscapes.text[c].data(), 8);
      at += kEscapes.length[c];
    }
  }
#endif
  writer.finish();
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  // Shortest round-trip digits in scientific form: "d[.ddd]e±XX".
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::scientific);
  (void)ec;
  std::string_view sci(buf.data(), static_cast<std::size_t>(end - buf.data()));
  const bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  const auto e_pos = sci.find('e');
  std::string digits;
  for (char ch : sci.substr(0, e_pos)) {
    if (ch != '.') digits.push_back(ch);
  }
  int exponent = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exponent);
  // Python's float_repr_style "short": decpt is where the decimal point goes after the first
  // digit's position; exponent notation when decpt <= -4 or decpt > 16.
  const int decpt = exponent + 1;
  std::string out = negative ? "-" : "";
  if (decpt <= -4 || decpt > 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += exponent < 0 ? "e-" : "e+";
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out += digits;
  } else if (static_cast<std::size_t>(decpt) >= digits.size()) {
    out += digits;
    out.append(static_cast<std::size_t>(decpt) - digits.size(), '0');
    out += ".0";
  } else {
    out += digits.substr(0, static_cast<std::size_t>(decpt));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(decpt));
  }
  return out;
}

namespace {

// Python writes containers the same way for json.dumps and for repr(); only leaves differ.
enum class PythonSyntax { json_dumps, repr };

// Python's str.isprintable(): every code point but the categories Cc, Cf, Cs, Co, Cn, Zl, Zp
// and the separators Zs other than the space.
bool python_printable(utf8proc_int32_t cp) {
  if (cp == ' ') return true;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_ZS:
      return false;
    default:
      return true;
  }
}

void append_repr_string(std::string& out, const std::string& s) {
  // Python picks single quotes unless the string has ' and no ".
  const bool use_double = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
  const char quote = use_double ? '"' : '\'';
  out.push_back(quote);
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  std::size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    const std::size_t n = len > 0 ? static_cast<std::size_t>(len) : 1;
    if (cp == quote || cp == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (len > 0 && python_printable(cp)) {
      out.append(s, i, n);
    } else {
      std::array<char, 12> escaped{};
      const auto value = static_cast<unsigned>(len > 0 ? cp : static_cast<unsigned char>(s[i]));
      std::snprintf(escaped.data(), escaped.size(),
                    value < 0x100     ? "\\x%02x"
                    : value < 0x10000 ? "\\u%04x"
                                      : "\\U%08x",
                    value);
      out += escaped.data();
    }
    i += n;
  }
  out.push_back(quote);
}

void append_python(std::string& out, const Json& value, PythonSyntax syntax) {
  const bool repr = syntax == PythonSyntax::repr;
  switch (value.type()) {
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ", ";
        first = false;
        repr ? append_repr_string(out, key) : append_json_string(out, key);
        out += ": ";
        append_python(out, item, syntax);
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ", ";
        first = false;
        append_python(out, item, syntax);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::string:
      repr ? append_repr_string(out, value.get_ref<const std::string&>())
           : append_json_string(out, value.get_ref<const std::string&>());
      return;
    case Json::value_t::boolean:
      out += value.get<bool>() ? (repr ? "True" : "true") : (repr ? "False" : "false");
      return;
    case Json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      return;
    case Json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return;
    case Json::value_t::number_float: {
      const double d = value.get<double>();
      if (repr && std::isnan(d)) {
        out += "nan";
      } else if (repr && std::isinf(d)) {
        out += d > 0 ? "inf" : "-inf";
      } else {
        out += python_float_repr(d);
      }
      return;
    }
    case Json::value_t::null:
    case Json::value_t::discarded:
    case Json::value_t::binary:
      out += repr ? "None" : "null";
      return;
  }
}

}  // namespace

void append_python_json(std::string& out, const Json& value) { append_python(out, value, PythonSyntax::json_dumps); }

std::string python_str(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  std::string out;
  append_python(out, value, PythonSyntax::repr);
  return out;
}

std::string python_json(const Json& value) {
  std::string out;
  append_python_json(out, value);
  return out;
}

}  // namespace chatfmt
