#include <gtest/gtest.h>

#include "chatfmt/errors.hpp"
#include "core/record.hpp"

namespace chatfmt::detail {
namespace {

Conversation read(std::string_view line, const ReadOptions& options = {}) {
  return read_record(line, {"t", 1}, ReadSetup(options));
}

std::string rule_of(std::string_view line, const ReadOptions& options = {}) {
  try {
    read(line, options);
  } catch (const RecordError& error) {
    return std::string(error.rule_id());
  }
  return "none";
}

TEST(OpenAiReader, StructuredCallsAndToolMessages) {
  const auto c = read(R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": null,
      "tool_calls": [{"id": "123456789", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]},
      {"role": "tool", "tool_call_id": "123456789", "name": "f", "content": "22"}], "tools": []})");
  ASSERT_EQ(c.messages.size(), 3U);
  EXPECT_EQ(c.messages[1].tool_calls.at(0).arguments()["a"], 1);
  EXPECT_EQ(c.messages[1].source_encodings, encoding_bit(*find_encoding("structured-tool-calls")));
  EXPECT_EQ(c.messages[2].tool_call_id, "123456789");
  ASSERT_TRUE(c.tools);
  EXPECT_TRUE(c.tools->json().empty());
}

TEST(OpenAiReader, ToolResponseBlocksBecomeToolMessages) {
  const auto c = read(
      R"({"messages": [{"role": "user", "content": "<tool_response>\na\n</tool_response>\n<tool_response>\nb\n</tool_response>"}]})");
  ASSERT_EQ(c.messages.size(), 2U);
  EXPECT_EQ(c.messages[0].role, Role::tool);
  EXPECT_EQ(c.messages[1].content, "b");
}

TEST(OpenAiReader, NothingUnknownPassesSilently) {
  EXPECT_EQ(rule_of(R"({"messages": [], "id": 7})"), "unknown-key");
  ReadOptions ignore;
  ignore.ignored_keys = {"id"};
  EXPECT_EQ(rule_of(R"({"messages": [], "id": 7})", ignore), "none");
  EXPECT_EQ(rule_of(R"({"messages": [{"role": "user", "content": "q", "weight": 0}]})"), "unknown-key");
  EXPECT_EQ(rule_of(R"({"messages": [{"role": "developer", "content": "q"}]})"), "unknown-role");
  EXPECT_EQ(rule_of(R"({"prompt": "q", "completion": "a"})"), "record-shape");
  EXPECT_EQ(rule_of(R"([1, 2])"), "record-shape");
  EXPECT_EQ(rule_of(R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})"), "unsupported-content");
}

TEST(RecordReader, InvalidJsonNamesTheColumn) {
  try {
    read(R"({"messages": [}")");
    FAIL() << "accepted invalid JSON";
  } catch (const RecordError& error) {
    EXPECT_EQ(error.rule_id(), "invalid-json");
    EXPECT_NE(std::string(error.what()).find("column 15"), std::string::npos) << error.what();
  }
}

TEST(ChatmlReader, SplitsTurnsAndDecodesCallsAndResults) {
  const auto c = read(
      R"({"text": "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<tool_call>\n<function=f>\n<parameter=a>\n1\n</parameter>\n</function>\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\nR\n</tool_response>\n<|im_end|>\n"})");
  ASSERT_EQ(c.messages.size(), 4U);
  EXPECT_EQ(c.messages[0].content, "S");
  EXPECT_EQ(c.messages[2].tool_calls.at(0).arguments()["a"], "1");
  EXPECT_EQ(c.messages[3].role, Role::tool);
  EXPECT_EQ(c.messages[3].content, "R");
  EXPECT_EQ(rule_of(R"({"text": "<|im_start|>user\nQ"})"), "chatml-structure");
  EXPECT_EQ(rule_of(R"({"text": "junk<|im_start|>user\nQ<|im_end|>"})"), "chatml-structure");
  EXPECT_EQ(rule_of(R"({"text": "[INST]hi[/INST]"})"), "unknown-text-format");
}

}  // namespace
}  // namespace chatfmt::detail
