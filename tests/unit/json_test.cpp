// Serializer facts are checked against Python itself in tests/differential/check_python_json.py;
// these cover the error paths and the parse side.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace chatfmt {
namespace {

// What json.dumps(ensure_ascii=False) writes between the quotes, one byte at a time: the reference
// for the block-wise escaping.
std::string escaped_per_byte(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", c);
          out += escape;
        } else {
          out.push_back(ch);
        }
    }
  }
  return out;
}

// append_json_string_body() of `text` held in a heap block of exactly its size (AddressSanitizer
// then sees any read past its end), appended to `out`.
std::string escaped_body(std::string_view text, std::string out = {}) {
  const std::unique_ptr<char[]> exact(new char[text.size()]);
  if (!text.empty()) std::memcpy(exact.get(), text.data(), text.size());
  append_json_string_body(out, std::string_view(exact.get(), text.size()));
  return out;
}

TEST(ParseJson, KeepsKeyOrderAndTakesTheLastDuplicateInTheFirstPosition) {
  JsonParseError error;
  const auto value = parse_json(R"({"b": 1, "a": 2, "b": 3})", error);
  ASSERT_TRUE(value);
  EXPECT_EQ(python_json(*value), python_json(Json::parse(R"({"b": 3, "a": 2})", nullptr, true, false)));
  EXPECT_EQ(value->begin().key(), "b");
}

TEST(ParseJson, ReportsLineAndColumnOfAnInvalidEscape) {
  JsonParseError error;
  EXPECT_FALSE(parse_json("{\n  \"command\": \"grep '\\{'\"\n}", error));
  ASSERT_TRUE(error.position);
  EXPECT_EQ(error.position->line, 2U);
  EXPECT_EQ(error.position->column, 22U);  // the character after the backslash
  EXPECT_NE(error.message.find("backslash"), std::string::npos);
}

TEST(ParseJson, RefusesWhatPythonCouldNotWriteBack) {
  JsonParseError error;
  EXPECT_FALSE(parse_json(R"({"x": "\ud800"})", error));              // lone surrogate
  EXPECT_FALSE(parse_json("123456789012345678901234567890", error));  // beyond 64 bits
  EXPECT_FALSE(parse_json("{} trailing", error));
}

TEST(JsonString, EscapesControlCharactersAndKeepsUnicode) {
  std::string out;
  append_json_string(out, std::string("a\"\\\n\x01\x7f\xC3\xA9", 8));
  EXPECT_EQ(out, "\"a\\\"\\\\\\n\\u0001\x7f\xC3\xA9\"");
}

// Escapes are found 16 bytes at a time and the last bytes of a text from a copy: an escape at
// every position of every length up to five blocks (block edges, the first and the last byte),
// escapes back to back, texts of nothing but escapes of either length.
TEST(JsonString, BodyIsThePerByteEscapeAtEveryPositionAndLength) {
  const std::string_view escaped_bytes("\"\\\n\r\t\b\f\x01\x1f\0", 10);
  std::size_t checked = 0;
  for (std::size_t n = 0; n <= 80; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      for (const char c : escaped_bytes) {
        std::string text(n, 'a');
        text[at] = c;
        ASSERT_EQ(escaped_body(text), escaped_per_byte(text)) << "length " << n << ", byte " << at;
        // And the next byte too: two escapes back to back, across a block edge when at % 16 == 15.
        if (at + 1 < n) {
          text[at + 1] = '\x02';
          ASSERT_EQ(escaped_body(text), escaped_per_byte(text)) << "length " << n << ", bytes " << at;
        }
        checked += 2;
      }
    }
    for (const char c : std::string_view("\"\x01\\", 3)) {
      const std::string all(n, c);
      EXPECT_EQ(escaped_body(all), escaped_per_byte(all)) << n;
      std::string every_other(n, 'b');
      for (std::size_t i = 0; i < n; i += 2) every_other[i] = c;
      EXPECT_EQ(escaped_body(every_other), escaped_per_byte(every_other)) << n;
    }
  }
  EXPECT_GT(checked, 50000U);
}

// Random texts dense in escapes, UTF-8 and DEL (which stay as they are), appended after what the
// string already holds; and long texts that grow sixfold, past the room made beforehand.
TEST(JsonString, BodyIsThePerByteEscapeOfRandomAndLongTexts) {
  const std::string_view alphabet("ab \"\\\n\t\r\x01\x1f\x7f\xC3\xA9{}:\0", 17);
  std::mt19937 random(20240601);
  for (int round = 0; round < 3000; ++round) {
    const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 300)(random);
    std::string text;
    for (std::size_t i = 0; i < n; ++i) {
      text.push_back(alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(random)]);
    }
    const std::string prefix = round % 2 == 0 ? "" : "{\"text\": \"";
    ASSERT_EQ(escaped_body(text, prefix), prefix + escaped_per_byte(text)) << round;
  }
  for (const char c : std::string_view("\x01\"a", 3)) {
    const std::string text(100000, c);
    EXPECT_EQ(escaped_body(text, "x"), "x" + escaped_per_byte(text)) << static_cast<int>(c);
  }
  std::string mixed;
  for (int i = 0; i < 20000; ++i) mixed += i % 7 == 0 ? "\x01\x02\x03" : "ab\"c";
  EXPECT_EQ(escaped_body(mixed), escaped_per_byte(mixed));
}

}  // namespace
}  // namespace chatfmt
