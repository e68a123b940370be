#include "core/text.hpp"

#include <cstdint>

#include <utf8proc.h>

namespace chatfmt::text {
namespace {

// Decodes the code point starting at s[i]; returns its length in bytes (1 for invalid bytes).
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 1;
  if (i + len > s.size()) len = 1;
  if (len == 1) {
    cp = b0;
    return 1;
  }
  cp = b0 & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return len;
}

bool python_isspace(std::uint32_t cp) {
  if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
  switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

// Length in bytes of the code point that ends at s[end-1].
std::size_t last_codepoint_start(std::string_view s, std::size_t end) {
  std::size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80 && end - start < 4) --start;
  return start;
}

bool ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string_view python_strip(std::string_view s) {
  std::size_t begin = 0;
  while (begin < s.size()) {
    std::uint32_t cp = 0;
    const std::size_t len = decode(s, begin, cp);
    if (!python_isspace(cp)) break;
    begin += len;
  }
  std::size_t end = s.size();
  while (end > begin) {
    const std::size_t start = last_codepoint_start(s, end);
    std::uint32_t cp = 0;
    decode(s, start, cp);
    if (!python_isspace(cp)) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

std::string_view rstrip_ascii(std::string_view s) {
  while (!s.empty() && ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view lstrip_ascii(std::string_view s) {
  while (!s.empty() && ascii_space(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view strip_ascii(std::string_view s) { return rstrip_ascii(lstrip_ascii(s)); }

bool is_blank_ascii(std::string_view s) { return strip_ascii(s).empty(); }

std::string_view strip_one_newline_each_side(std::string_view s) {
  if (!s.empty() && s.front() == '\n') s.remove_prefix(1);
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

std::size_t codepoint_count(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  std::size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (len <= 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for one invalid byte
      ++i;
      continue;
    }
    out.append(s.substr(i, static_cast<std::size_t>(len)));
    i += static_cast<std::size_t>(len);
  }
  return out;
}

std::string excerpt(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "…";
}

}  // namespace chatfmt::text
