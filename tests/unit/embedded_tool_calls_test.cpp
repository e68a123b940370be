#include <gtest/gtest.h>

#include "chatfmt/errors.hpp"
#include "core/normalize.hpp"
#include "embedded.hpp"
#include "encodings/json_call.hpp"
#include "encodings/tool_response_tags.hpp"

#include <re2/re2.h>

namespace chatfmt::embedded {
namespace {

// decode_assistant with a context made for the test: where "m", the given tool list.
DecodedAssistant decode_assistant(std::string_view text, std::string_view where, const Json* tools) {
  static const ReadSetup setup{ReadOptions{}};
  const detail::ToolIndex index(tools);
  return embedded::decode_assistant(text, ReadContext{where, index, setup});
}

std::optional<std::vector<std::string>> decode_tool_responses(std::string_view text, std::string_view where) {
  std::vector<std::string_view> bodies;
  if (!responses::read_blocks(text, where, "a user turn", bodies)) return std::nullopt;
  return std::vector<std::string>(bodies.begin(), bodies.end());
}

EncodingSet bit(std::string_view name) { return encoding_bit(*find_encoding(name)); }

std::string rule_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const RecordError& error) {
    return std::string(error.rule_id());
  }
  return "none";
}

TEST(DecodeAssistant, CodeModeXmlAsPunieWritesIt) {
  const auto decoded = decode_assistant(
      "Let me "
      "look.\n\n<tool_call><function=execute_code>\n<parameter=code>\nprint(1)\n</parameter>\n</function></tool_call>",
      "m", nullptr);
  EXPECT_EQ(decoded.content, "Let me look.");
  ASSERT_EQ(decoded.calls.size(), 1U);
  EXPECT_EQ(decoded.calls[0].name, "execute_code");
  EXPECT_EQ(decoded.calls[0].arguments()["code"], "print(1)");
  EXPECT_EQ(decoded.encodings, bit("code-mode-xml"));
}

TEST(DecodeAssistant, ValueLosesExactlyOneNewlineEachSideAndKeepsEveryOtherByte) {
  const std::string code = "\n  indented\t \n\nblank above  \n";
  const auto decoded = decode_assistant(
      "<tool_call><function=execute_code><parameter=code>\n" + code + "\n</parameter></function></tool_call>", "m",
      nullptr);
  EXPECT_EQ(decoded.calls.at(0).arguments()["code"], code);
}

TEST(DecodeAssistant, DirectXmlWithSeveralParametersAndSeveralCalls) {
  const auto decoded = decode_assistant(
      "<tool_call>\n<function=write_file>\n<parameter=path>\na.py\n</parameter>\n<parameter=content>\nx\n</parameter>\n"
      "</function>\n</tool_call>\n<tool_call>\n<function=read_file>\n<parameter=path>\nb.py\n</parameter>\n</"
      "function>\n"
      "</tool_call>",
      "m", nullptr);
  ASSERT_EQ(decoded.calls.size(), 2U);
  EXPECT_EQ(decoded.calls[0].arguments().dump(), R"({"path":"a.py","content":"x"})");
  EXPECT_EQ(decoded.calls[1].name, "read_file");
  EXPECT_EQ(decoded.encodings, bit("direct-xml"));
  EXPECT_EQ(decoded.content, "");
}

TEST(DecodeAssistant, JsonInTagsJsonInFenceAndBareCode) {
  auto tags = decode_assistant("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n</tool_call>", "m", nullptr);
  EXPECT_EQ(tags.encodings, bit("json-in-tags"));
  EXPECT_EQ(tags.calls.at(0).arguments()["x"], 1);
  auto fence =
      decode_assistant("Sure.\n\n```json\n{\"name\": \"f\", \"arguments\": \"{\\\"y\\\": true}\"}\n```", "m", nullptr);
  EXPECT_EQ(fence.encodings, bit("json-in-fence"));
  EXPECT_EQ(fence.content, "Sure.");
  EXPECT_EQ(fence.calls.at(0).arguments()["y"], true);
  auto bare = decode_assistant("<tool_call>\n  x = 1\n</tool_call>", "m", nullptr);
  EXPECT_EQ(bare.encodings, bit("bare-code"));
  EXPECT_EQ(bare.calls.at(0).arguments()["code"], "  x = 1");
}

TEST(DecodeAssistant, PlainJsonFenceStaysText) {
  const auto decoded = decode_assistant("Config:\n```json\n{\"debug\": true}\n```\n", "m", nullptr);
  EXPECT_TRUE(decoded.calls.empty());
  EXPECT_EQ(decoded.content, "Config:\n```json\n{\"debug\": true}\n```\n");
}

TEST(DecodeAssistant, SchemaTypesXmlValues) {
  const Json tools = Json::parse(R"([{"type": "function", "function": {"name": "f", "parameters": {"type": "object",
      "properties": {"n": {"type": "integer"}, "b": {"type": "boolean"}, "s": {"type": "string"}}}}}])");
  const auto decoded = decode_assistant(
      "<tool_call><function=f><parameter=n>\n42\n</parameter><parameter=b>\nfalse\n</parameter><parameter=s>\n42\n"
      "</parameter></function></tool_call>",
      "m", &tools);
  EXPECT_EQ(decoded.calls.at(0).arguments().dump(), R"({"n":42,"b":false,"s":"42"})");
  EXPECT_EQ(rule_of([&] {
              decode_assistant("<tool_call><function=f><parameter=n>\nforty\n</parameter></function></tool_call>", "m",
                               &tools);
            }),
            "parameter-type");
}

TEST(FunctionNames, ValidExactlyWhenMistralCommonsPatternMatches) {
  // mistral-common's rule as a regex is the reference for the byte-by-byte check.
  const RE2 pattern("[A-Za-z0-9_\\-]{1,64}");
  std::vector<std::string> names = {"",  "execute_code", "a-b_C9", std::string(64, 'x'), std::string(65, 'x'),
                                    "é", "a b"};
  for (int byte = 0; byte < 256; ++byte) {
    names.emplace_back(1, static_cast<char>(byte));
    names.push_back("f" + std::string(1, static_cast<char>(byte)) + "g");
  }
  for (const auto& name : names) {
    bool accepted = true;
    try {
      json_call::check_function_name(name, "m");
    } catch (const RecordError& error) {
      accepted = false;
      EXPECT_EQ(error.rule_id(), "tool-call-name");
    }
    EXPECT_EQ(accepted, RE2::FullMatch(name, pattern)) << "name of " << name.size() << " bytes: " << name;
  }
}

TEST(DecodeAssistant, RejectsWhatItCannotPlace) {
  EXPECT_EQ(rule_of([] { decode_assistant("<tool_call>\nx\n</tool_call>\nthen text", "m", nullptr); }),
            "text-after-tool-call");
  EXPECT_EQ(rule_of([] { decode_assistant("<tool_call>\nx\n", "m", nullptr); }), "tool-call-unclosed");
  EXPECT_EQ(rule_of([] {
              decode_assistant("<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": \"\\{\"}}</tool_call>", "m",
                               nullptr);
            }),
            "tool-call-json");
  EXPECT_EQ(rule_of([] {
              decode_assistant("```json\n{\"name\": \"f\", \"arguments\": {\"a\": \"\\{\"}}\n```", "m", nullptr);
            }),
            "tool-call-json");
  EXPECT_EQ(rule_of([] {
              decode_assistant("<tool_call><function=f><parameter=a>\n1\n</function></tool_call>", "m", nullptr);
            }),
            "tool-call-xml");
  EXPECT_EQ(rule_of([] { decode_assistant("<tool_call><function=bad name></function></tool_call>", "m", nullptr); }),
            "tool-call-name");
  EXPECT_EQ(rule_of([] { decode_assistant("<tool_call>{\"name\": \"f\"}</tool_call>", "m", nullptr); }),
            "tool-call-json");
}

TEST(DecodeAssistant, TagsAndFencesInAnyOrderWithEachInsideTheOther) {
  // The decoder remembers the next tag and the next fence between calls (one search each, not one
  // per call); a fence inside a call's code and a tag inside a fence's JSON must not be taken for
  // calls, and each call must be found in order.
  const auto decoded = decode_assistant(
      "Intro.\n\n```json\n{\"name\": \"a\", \"arguments\": {}}\n```\n"
      "<tool_call>\n<function=b>\n<parameter=code>\nx = '```json\n{\"name\": \"no\"}\n'\n</parameter>\n</function>\n"
      "</tool_call>\n"
      "```json\n{\"name\": \"c\", \"arguments\": {\"s\": \"<tool_call>\"}}\n```\n"
      "<tool_call>\n<function=d>\n</function>\n</tool_call>\n",
      "m", nullptr);
  EXPECT_EQ(decoded.content, "Intro.");
  ASSERT_EQ(decoded.calls.size(), 4U);
  EXPECT_EQ(decoded.calls[0].name, "a");
  EXPECT_EQ(decoded.calls[1].name, "b");
  EXPECT_EQ(decoded.calls[1].arguments()["code"], "x = '```json\n{\"name\": \"no\"}\n'");
  EXPECT_EQ(decoded.calls[2].name, "c");
  EXPECT_EQ(decoded.calls[2].arguments()["s"], "<tool_call>");
  EXPECT_EQ(decoded.calls[3].name, "d");
}

TEST(DecodeAssistant, ManyCallsAndParametersInOneMessage) {
  // 40,000 XML calls in one message, then one call with 40,000 parameters: both once were
  // quadratic (a fence search to the end per call; a linear key search per parameter).
  std::string text = "Go.\n";
  for (int i = 0; i < 40000; ++i) {
    text += "<tool_call>\n<function=f>\n<parameter=i>\n" + std::to_string(i) +
            "\n</parameter>\n</function>\n</tool_call>\n";
  }
  text += "<tool_call>\n<function=g>\n";
  for (int i = 0; i < 40000; ++i) text += "<parameter=p" + std::to_string(i) + ">\nv\n</parameter>\n";
  text += "</function>\n</tool_call>";
  const Json tools = Json::parse(R"([{"type": "function", "function": {"name": "f", "parameters": {"type": "object",
      "properties": {"i": {"type": "integer"}}}}}, {"type": "function", "function": {"name": "g"}}])");
  const auto decoded = decode_assistant(text, "m", &tools);
  ASSERT_EQ(decoded.calls.size(), 40001U);
  EXPECT_EQ(decoded.calls[39999].arguments()["i"], 39999);  // typed through the tool list
  const Json& wide = decoded.calls[40000].arguments();
  ASSERT_EQ(wide.size(), 40000U);
  EXPECT_EQ(std::next(wide.begin(), 39999).key(), "p39999");
  EXPECT_EQ(rule_of([] {
              decode_assistant(
                  "<tool_call><function=f><parameter=a>\n1\n</parameter><parameter=a>\n2\n</parameter>"
                  "</function></tool_call>",
                  "m", nullptr);
            }),
            "tool-call-xml");
}

TEST(DecodeToolResponses, BlocksLoseOneNewlineEachSide) {
  const auto results =
      decode_tool_responses("<tool_response>\n a \n\n</tool_response>\n<tool_response>b</tool_response>", "m");
  ASSERT_TRUE(results);
  ASSERT_EQ(results->size(), 2U);
  EXPECT_EQ((*results)[0], " a \n");
  EXPECT_EQ((*results)[1], "b");
  EXPECT_FALSE(decode_tool_responses("no blocks here", "m"));
  EXPECT_EQ(rule_of([] { decode_tool_responses("Here: <tool_response>x</tool_response>", "m"); }),
            "tool-response-mixed");
  EXPECT_EQ(rule_of([] { decode_tool_responses("<tool_response>x", "m"); }), "tool-response-unclosed");
}

}  // namespace
}  // namespace chatfmt::embedded
