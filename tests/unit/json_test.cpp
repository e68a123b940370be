// Serializer facts are checked against Python itself in tests/differential/check_python_json.py;
// these cover the error paths and the parse side.
#include <gtest/gtest.h>

#include "core/json.hpp"

namespace chatfmt {
namespace {

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

}  // namespace
}  // namespace chatfmt
