#include "core/rejects.hpp"

#include "core/json.hpp"

#include <simdjson.h>

namespace chatfmt::detail {
namespace {

void append_base64(std::string& out, std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return;
  std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
  if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
  out += alphabet[v >> 18];
  out += alphabet[(v >> 12) & 63];
  out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
  out += '=';
}

}  // namespace

void append_reject_line(std::string& out, const SourceRef& source, std::string_view line,
                        const RecordOutcome& outcome) {
  out += "{\"path\": ";
  append_json_string(out, source.path);
  out += ", \"line\": " + std::to_string(source.line) + ", \"rule\": ";
  append_json_string(out, outcome.rule);
  out += ", \"reason\": ";
  append_json_string(out, outcome.reason);
  if (outcome.record_bytes != 0) {
    out += ", \"record_bytes\": " + std::to_string(outcome.record_bytes);  // too large to keep
  } else if (simdjson::validate_utf8(line.data(), line.size())) {
    out += ", \"record\": ";
    append_json_string(out, line);
  } else {
    out += ", \"record_base64\": \"";
    append_base64(out, line);
    out += "\"";
  }
  out += "}\n";
}

}  // namespace chatfmt::detail
