#include <set>

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
  c.arguments() = Json{{"x", 1}};
  m.tool_calls.push_back(c);
  return m;
}

Message result(std::string id = "") {
  Message m = text(Role::tool, "ok");
  m.tool_call_id = std::move(id);
  return m;
}

std::string rule_of(Conversation c, const ConvertOptions& options = {}, const SharedToolList& tools = nullptr) {
  try {
    normalize(c, options, tools, 1);
  } catch (const RecordError& error) {
    return std::string(error.rule_id());
  }
  return "none";
}

TEST(Normalize, KeepsValidIdsAndDerivesOthersDeterministically) {
  Conversation c;
  c.messages = {text(Role::user, "q"), call("abcDEF123"), result("abcDEF123"), call("call_1"), result("call_1")};
  const Conversation original = c;
  Conversation again = c;
  normalize(c, {}, nullptr, 0x5EED);
  normalize(again, {}, nullptr, 0x5EED);
  EXPECT_EQ(c.messages[1].tool_calls[0].id, "abcDEF123");
  const std::string& derived = c.messages[3].tool_calls[0].id;
  EXPECT_EQ(derived.size(), 9U);
  EXPECT_TRUE(std::all_of(derived.begin(), derived.end(),
                          [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); }));
  EXPECT_EQ(derived, again.messages[3].tool_calls[0].id);
  EXPECT_EQ(c.messages[4].tool_call_id, derived);  // the result follows its call's new id
  Conversation other = original;
  normalize(other, {}, nullptr, 0x07E5);  // another record
  EXPECT_NE(other.messages[3].tool_calls[0].id, derived);
}

TEST(Normalize, DerivedIdsAreDistinctFromEveryOtherIdOfTheRecord) {
  // 40,000 calls in one turn: every derived id valid and distinct, each result carrying its call's.
  Conversation c;
  c.messages = {text(Role::user, "q"), text(Role::assistant, "")};
  constexpr std::size_t kCalls = 40000;
  for (std::size_t i = 0; i < kCalls; ++i) c.messages[1].tool_calls.push_back(call("").tool_calls[0]);
  for (std::size_t i = 0; i < kCalls; ++i) c.messages.push_back(result());
  normalize(c, {}, nullptr, 0x5EED);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < kCalls; ++i) {
    const std::string& id = c.messages[1].tool_calls[i].id;
    EXPECT_EQ(id, derive_call_id(0x5EED, 1, i));
    EXPECT_EQ(c.messages[2 + i].tool_call_id, id);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), kCalls);
  // A kept id that happens to be the one a call would derive: that call takes the next candidate.
  Conversation clash;
  clash.messages = {text(Role::user, "q"), call(""), result(), call(derive_call_id(7, 1, 0)), result()};
  normalize(clash, {}, nullptr, 7);
  EXPECT_EQ(clash.messages[1].tool_calls[0].id, derive_call_id(7, 1, 0, 1));
  EXPECT_EQ(clash.messages[3].tool_calls[0].id, derive_call_id(7, 1, 0));
  EXPECT_NE(derive_call_id(7, 1, 0, 1), derive_call_id(7, 1, 0));
  // The position counts in full: (message 1, call 2^20) is not (message 2, call 0), as it was when
  // the two were packed into one 64-bit seed.
  EXPECT_NE(derive_call_id(7, 1, std::size_t{1} << 20), derive_call_id(7, 2, 0));
}

TEST(Normalize, ToolIndexFindsTheFirstDefinitionBeforeAndAfterIndexing) {
  const Json tools = Json::parse(R"([{"type": "function", "function": {"name": "f", "description": "first"}},
      {"name": "g"}, {"type": "function", "function": {"name": 5}}, "junk", {"type": "function", "function": "h"},
      {"type": "function", "function": {"name": "f", "description": "second"}}])");
  const ToolIndex index(&tools);
  // The first lookups scan, later ones use the index: the answers must not change.
  for (int round = 0; round < 20; ++round) {
    ASSERT_NE(index.find("f"), nullptr);
    EXPECT_EQ((*index.find("f"))["description"], "first");
    ASSERT_NE(index.find("g"), nullptr);
    EXPECT_EQ(index.find("g"), &tools[1]);
    EXPECT_EQ(index.find("h"), nullptr);
    EXPECT_EQ(index.find("5"), nullptr);
  }
  EXPECT_EQ(ToolIndex(nullptr).find("f"), nullptr);
}

TEST(Normalize, InfersManyToolsAndWideCallsInOrderOfFirstUse) {
  // 3,000 names and calls with up to 40 keys: the hash-map paths must keep the documented result.
  Conversation c;
  c.messages = {text(Role::user, "q"), text(Role::assistant, "")};
  for (int i = 0; i < 3000; ++i) {
    ToolCall tool_call;
    tool_call.name = "f" + std::to_string(i % 1500);
    for (int k = 0; k < 40; ++k) {
      if (i < 1500 || k % 2 == 0) tool_call.arguments()["k" + std::to_string(39 - k)] = i < 1500 ? Json(k) : Json("s");
    }
    c.messages[1].tool_calls.push_back(tool_call);
  }
  const Json tools = infer_tools(c);
  ASSERT_EQ(tools.size(), 1500U);
  EXPECT_EQ(tools[7]["function"]["name"], "f7");
  const Json& parameters = tools[7]["function"]["parameters"];
  ASSERT_EQ(parameters["properties"].size(), 40U);
  EXPECT_EQ(parameters["properties"].begin().key(), "k39");
  EXPECT_EQ(parameters["properties"]["k39"]["type"], Json::parse(R"(["integer", "string"])"));
  EXPECT_EQ(parameters["properties"]["k38"]["type"], "integer");
  ASSERT_EQ(parameters["required"].size(), 20U);  // the keys the second call kept
  EXPECT_EQ(parameters["required"][0], "k39");
  EXPECT_EQ(parameters["required"][1], "k37");
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
  c.messages[3].tool_calls[0].arguments() = Json{{"s", "x"}, {"n", 1.5}};
  normalize(c, {}, nullptr, 1);
  ASSERT_TRUE(c.tools);
  EXPECT_EQ(python_json(c.tools->json()),
            R"([{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": )"
            R"({"x": {"type": "integer"}}, "required": ["x"]}}}, {"type": "function", "function": {"name": "g", )"
            R"("parameters": {"type": "object", "properties": {"s": {"type": "string"}, "n": {"type": "number"}}, )"
            R"("required": ["s", "n"]}}}])");
}

TEST(Normalize, ToolsOptionsAndUnknownTools) {
  Conversation c;
  c.messages = {text(Role::user, "q"), call("aaaaaaaaa", "f")};
  const auto g = std::make_shared<const ToolList>(Json::parse(R"([{"type": "function", "function": {"name": "g"}}])"));
  EXPECT_EQ(rule_of(c, {}, g), "unknown-tool");
  const auto f = std::make_shared<const ToolList>(Json::parse(R"([{"type": "function", "function": {"name": "f"}}])"));
  EXPECT_EQ(rule_of(c, {}, f), "none");
  ConvertOptions none;
  none.no_tools = true;
  normalize(c, none, nullptr, 1);
  EXPECT_FALSE(c.tools);
}

TEST(Normalize, ForeignDelimitersAreRejectedUnlessKept) {
  Conversation c;
  c.messages = {text(Role::user, "q <|im_end|>"), text(Role::assistant, "a")};
  EXPECT_EQ(rule_of(c), "foreign-delimiter");
  c.messages = {text(Role::user, "q"), call("aaaaaaaaa")};
  c.messages[1].tool_calls[0].arguments() = Json{{"code", "print('[TOOL_CALLS]')"}};
  EXPECT_EQ(rule_of(c), "foreign-delimiter");
  ConvertOptions keep;
  keep.foreign_delimiters = ForeignDelimiterPolicy::keep;
  EXPECT_EQ(rule_of(c, keep), "none");
}

}  // namespace
}  // namespace chatfmt::detail
