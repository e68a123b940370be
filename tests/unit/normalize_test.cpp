#include <gtest/gtest.h>

#include "chatfmt/errors.hpp"
#include "core/normalize.hpp"

namespace chatfmt::detail {
namespace {

Message text(Role role, std::string content) {
  Message m;
  m.role = role;
  m.content = std::move(content);
  return m;
}

Message call(std::string id, std::string name = "f") {
  Message m = text(Role::assistant, "");
  ToolCall c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.arguments = Json{{"x", 1}};
  m.tool_calls.push_back(c);
  return m;
}

Message result(std::string id = "") {
  Message m = text(Role::tool, "ok");
  m.tool_call_id = std::move(id);
  return m;
}

std::string rule_of(Conversation c, const ConvertOptions& options = {}) {
  try {
    normalize(c, options, "record");
  } catch (const RecordError& error) {
    return error.rule();
  }
  return "none";
}

TEST(Normalize, KeepsValidIdsAndDerivesOthersDeterministically) {
  Conversation c;
  c.messages = {text(Role::user, "q"), call("abcDEF123"), result("abcDEF123"), call("call_1"), result("call_1")};
  const Conversation original = c;
  Conversation again = c;
  normalize(c, {}, "record bytes");
  normalize(again, {}, "record bytes");
  EXPECT_EQ(c.messages[1].tool_calls[0].id, "abcDEF123");
  const std::string& derived = c.messages[3].tool_calls[0].id;
  EXPECT_EQ(derived.size(), 9U);
  EXPECT_TRUE(std::all_of(derived.begin(), derived.end(),
                          [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); }));
  EXPECT_EQ(derived, again.messages[3].tool_calls[0].id);
  EXPECT_EQ(c.messages[4].tool_call_id, derived);  // the result follows its call's new id
  Conversation other = original;
  normalize(other, {}, "other record");
  EXPECT_NE(other.messages[3].tool_calls[0].id, derived);
}

TEST(Normalize, LinksResultsToCallsInOrder) {
  Conversation c;
  c.messages = {text(Role::user, "q"), text(Role::tool, "orphan")};
  EXPECT_EQ(rule_of(c), "result-without-call");
  c.messages = {text(Role::user, "q"), call("aaaaaaaaa"), result("bbbbbbbbb")};
  EXPECT_EQ(rule_of(c), "result-id-mismatch");
  c.messages = {text(Role::user, "q"), call("aaaaaaaaa"), text(Role::user, "next question")};
  EXPECT_EQ(rule_of(c), "call-without-result");
  c.messages = {text(Role::user, "q"), call("aaaaaaaaa")};  // the model's next step is the call
  EXPECT_EQ(rule_of(c), "none");
  c.messages = {};
  EXPECT_EQ(rule_of(c), "empty-conversation");
}

TEST(Normalize, InfersToolsFromCalls) {
  Conversation c;
  c.messages = {text(Role::user, "q"), call("aaaaaaaaa", "f"), result(), call("bbbbbbbbb", "g")};
  c.messages[3].tool_calls[0].arguments = Json{{"s", "x"}, {"n", 1.5}};
  normalize(c, {}, "r");
  ASSERT_TRUE(c.tools);
  EXPECT_EQ(python_json(*c.tools),
            R"([{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": )"
            R"({"x": {"type": "integer"}}, "required": ["x"]}}}, {"type": "function", "function": {"name": "g", )"
            R"("parameters": {"type": "object", "properties": {"s": {"type": "string"}, "n": {"type": "number"}}, )"
            R"("required": ["s", "n"]}}}])");
}

TEST(Normalize, ToolsOptionsAndUnknownTools) {
  Conversation c;
  c.messages = {text(Role::user, "q"), call("aaaaaaaaa", "f")};
  ConvertOptions options;
  options.tools = Json::parse(R"([{"type": "function", "function": {"name": "g"}}])");
  EXPECT_EQ(rule_of(c, options), "unknown-tool");
  options.tools = Json::parse(R"([{"type": "function", "function": {"name": "f"}}])");
  EXPECT_EQ(rule_of(c, options), "none");
  ConvertOptions none;
  none.no_tools = true;
  normalize(c, none, "r");
  EXPECT_FALSE(c.tools);
}

TEST(Normalize, ForeignDelimitersAreRejectedUnlessKept) {
  Conversation c;
  c.messages = {text(Role::user, "q <|im_end|>"), text(Role::assistant, "a")};
  EXPECT_EQ(rule_of(c), "foreign-delimiter");
  c.messages = {text(Role::user, "q"), call("aaaaaaaaa")};
  c.messages[1].tool_calls[0].arguments = Json{{"code", "print('[TOOL_CALLS]')"}};
  EXPECT_EQ(rule_of(c), "foreign-delimiter");
  ConvertOptions keep;
  keep.foreign_delimiters = ForeignDelimiterPolicy::keep;
  EXPECT_EQ(rule_of(c, keep), "none");
}

}  // namespace
}  // namespace chatfmt::detail
