// Duplicate keys are read as Python's json.loads reads them: the last value wins, the key keeps
// the position of its first occurrence. Each test gives a line with a duplicate and, written out,
// the line Python's reading of it amounts to; chatfmt must do the same with both, for every
// target, down to the rejection rule and reason. tests/differential/run_duplicate_keys.py checks
// the same against Python itself on the real records.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "chatfmt/convert.hpp"
#include "core/json_internal.hpp"
#include "core/record.hpp"
#include "format.hpp"

namespace chatfmt {
namespace {

RecordOutcome convert(std::string_view line, std::string_view target) {
  ConvertOptions options;
  options.target = std::string(target);
  return RecordConverter(options).convert(line, {"t", 1});
}

// chatfmt gives `duplicated` exactly what it gives `python` (json.loads' reading of it, by hand).
void expect_read_as(std::string_view duplicated, std::string_view python) {
  for (auto target : {"openai", "mistral-v13", "qwen3-xml"}) {
    const RecordOutcome got = convert(duplicated, target);
    const RecordOutcome want = convert(python, target);
    EXPECT_EQ(got.accepted, want.accepted) << target << ": " << duplicated;
    EXPECT_EQ(got.rule, want.rule) << target << ": " << duplicated;
    EXPECT_EQ(got.reason, want.reason) << target << ": " << duplicated;
    EXPECT_EQ(got.output, want.output) << target << ": " << duplicated;
  }
}

Conversation read(std::string_view line) { return detail::read_record(line, {"t", 1}, ReadSetup(ReadOptions{})); }

std::string rule_of(std::string_view line) {
  const RecordOutcome outcome = convert(line, "openai");
  return outcome.accepted ? std::string("none") : std::string(outcome.rule);
}

constexpr std::string_view kCall =
    R"({"id": "abcDEF123", "type": "function", "function": {"name": "f", "arguments": "{\"x\": 1}"}})";

std::string with_call(std::string_view call, std::string_view result = R"({"role": "tool", "content": "ok"})") {
  return R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": null, "tool_calls": [)" +
         std::string(call) + "]}, " + std::string(result) + "]}";
}

TEST(DuplicateKeys, RecordMessagesLastWins) {
  const auto c = read(R"({"messages": [{"role": "user", "content": "first"}],
                          "messages": [{"role": "user", "content": "last"}]})");
  ASSERT_EQ(c.messages.size(), 1U);
  EXPECT_EQ(c.messages[0].content, "last");
  expect_read_as(R"({"messages": 5, "messages": [{"role": "user", "content": "q"}]})",
                 R"({"messages": [{"role": "user", "content": "q"}]})");
  expect_read_as(R"({"messages": [{"role": "user", "content": "q"}], "messages": 5})", R"({"messages": 5})");
  EXPECT_EQ(rule_of(R"({"messages": [{"role": "user", "content": "q"}], "messages": 5})"), "record-shape");
}

TEST(DuplicateKeys, RecordToolsLastWinsAtTheFirstPosition) {
  expect_read_as(
      R"({"tools": [{"type": "function", "function": {"name": "f"}}], "messages": [{"role": "user", "content": "q"}],
          "tools": [{"type": "function", "function": {"name": "g"}}]})",
      R"({"tools": [{"type": "function", "function": {"name": "g"}}], "messages": [{"role": "user", "content": "q"}]})");
  expect_read_as(R"({"messages": [{"role": "user", "content": "q"}], "tools": "x", "tools": null})",
                 R"({"messages": [{"role": "user", "content": "q"}], "tools": null})");
  // The call to f is unknown to the tool list Python keeps.
  EXPECT_EQ(rule_of(R"({"tools": [{"type": "function", "function": {"name": "f"}}], "messages": [{"role": "user",
      "content": "q"}, {"role": "assistant", "content": "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>"}],
      "tools": [{"type": "function", "function": {"name": "g"}}]})"),
            "unknown-tool");
}

TEST(DuplicateKeys, RecordTextLastWins) {
  constexpr std::string_view chatml = R"("<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\na<|im_end|>\n")";
  const std::string first_bad = R"({"text": 5, "text": )" + std::string(chatml) + "}";
  const std::string last_bad = R"({"text": )" + std::string(chatml) + R"(, "text": 5})";
  expect_read_as(first_bad, R"({"text": )" + std::string(chatml) + "}");
  expect_read_as(last_bad, R"({"text": 5})");
  EXPECT_EQ(rule_of(first_bad), "none");
  EXPECT_EQ(rule_of(last_bad), "record-shape");
  // What a trainer reads of a text record is also Python's reading of it.
  ConvertOptions options;
  options.target = "qwen3-xml";
  const RecordConverter converter(options);
  const RecordOutcome text = converter.trainer_text(first_bad, {"t", 1});
  ASSERT_TRUE(text.accepted) << text.reason;
  EXPECT_EQ(text.output, "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\na<|im_end|>\n");
  EXPECT_FALSE(converter.trainer_text(last_bad, {"t", 1}).accepted);
}

TEST(DuplicateKeys, MessageRoleLastWins) {
  // A first "role" that is not even a string does not count: the record is valid.
  expect_read_as(R"({"messages": [{"role": 5, "content": "q", "role": "user"}]})",
                 R"({"messages": [{"role": "user", "content": "q"}]})");
  EXPECT_EQ(rule_of(R"({"messages": [{"role": 5, "content": "q", "role": "user"}]})"), "none");
  expect_read_as(R"({"messages": [{"role": "user", "content": "q", "role": 5}]})",
                 R"({"messages": [{"role": 5, "content": "q"}]})");
  EXPECT_EQ(rule_of(R"({"messages": [{"role": "user", "content": "q", "role": 5}]})"), "record-shape");
  const auto c = read(R"({"messages": [{"role": "user", "content": "q"}, {"role": "user", "content": "a",
                          "role": "assistant"}]})");
  EXPECT_EQ(c.messages.at(1).role, Role::assistant);
  EXPECT_EQ(rule_of(R"({"messages": [{"role": "user", "content": "q", "role": "developer"}]})"), "unknown-role");
}

TEST(DuplicateKeys, MessageContentLastWins) {
  expect_read_as(R"({"messages": [{"role": "user", "content": 5, "content": "q"}]})",
                 R"({"messages": [{"role": "user", "content": "q"}]})");
  expect_read_as(R"({"messages": [{"content": "first", "role": "user", "content": [{"type": "text", "text": "x"}]}]})",
                 R"({"messages": [{"content": [{"type": "text", "text": "x"}], "role": "user"}]})");
  EXPECT_EQ(rule_of(R"({"messages": [{"role": "user", "content": "q", "content": 5}]})"), "unsupported-content");
  EXPECT_EQ(read(R"({"messages": [{"role": "user", "content": "first", "content": "last"}]})").messages.at(0).content,
            "last");
}

TEST(DuplicateKeys, ContentPartKeysLastWin) {
  expect_read_as(R"({"messages": [{"role": "user", "content": [{"type": "image_url", "text": "a", "type": "text"}]}]})",
                 R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]}]})");
  expect_read_as(R"({"messages": [{"role": "user", "content": [{"type": "text", "text": 5, "text": "b"}]}]})",
                 R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "b"}]}]})");
  EXPECT_EQ(rule_of(R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "a", "type": "x"}]}]})"),
            "unsupported-content");
}

TEST(DuplicateKeys, ToolCallsAreReplacedNotConcatenated) {
  const std::string other = R"({"id": "zzzzzzzzz", "type": "function", "function": {"name": "g", "arguments": "{}"}})";
  const std::string duplicated =
      R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": null, "tool_calls": [)" +
      other + R"(], "tool_calls": [)" + std::string(kCall) + R"(]}, {"role": "tool", "content": "ok"}]})";
  const auto c = read(duplicated);
  ASSERT_EQ(c.messages.at(1).tool_calls.size(), 1U);
  EXPECT_EQ(c.messages[1].tool_calls[0].name, "f");
  expect_read_as(duplicated, with_call(kCall));
  const std::string emptied = R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a",
      "tool_calls": [)" + std::string(kCall) +
                              R"(], "tool_calls": null}]})";
  expect_read_as(emptied, R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a",
      "tool_calls": null}]})");
}

TEST(DuplicateKeys, ToolCallIdLastWins) {
  const std::string matches = with_call(
      kCall, R"({"role": "tool", "tool_call_id": "zzzzzzzzz", "content": "ok", "tool_call_id": "abcDEF123"})");
  expect_read_as(matches, with_call(kCall, R"({"role": "tool", "tool_call_id": "abcDEF123", "content": "ok"})"));
  EXPECT_EQ(rule_of(matches), "none");
  const std::string mismatches = with_call(
      kCall, R"({"role": "tool", "tool_call_id": "abcDEF123", "content": "ok", "tool_call_id": "zzzzzzzzz"})");
  EXPECT_EQ(rule_of(mismatches), "result-id-mismatch");
  expect_read_as(
      with_call(kCall, R"({"role": "tool", "tool_call_id": 5, "content": "ok", "tool_call_id": "abcDEF123"})"),
      with_call(kCall, R"({"role": "tool", "tool_call_id": "abcDEF123", "content": "ok"})"));
}

TEST(DuplicateKeys, MessageNameIsIgnoredWhateverItsDuplicates) {
  expect_read_as(with_call(kCall, R"({"role": "tool", "name": 5, "content": "ok", "name": "f"})"),
                 with_call(kCall, R"({"role": "tool", "name": "f", "content": "ok"})"));
}

TEST(DuplicateKeys, CallKeysLastWin) {
  const auto c = read(with_call(
      R"({"id": "zzzzzzzzz", "type": "function", "function": {"name": "f", "arguments": "{}"}, "id": "abcDEF123"})"));
  EXPECT_EQ(c.messages.at(1).tool_calls.at(0).id, "abcDEF123");
  expect_read_as(with_call(R"({"id": 5, "type": "x", "function": 5, "type": "function", "id": "abcDEF123",
                    "function": {"name": "f", "arguments": "{\"x\": 1}"}})"),
                 with_call(kCall));
  EXPECT_EQ(rule_of(with_call(R"({"type": "function", "function": {"name": "f", "arguments": "{}"}, "type": null})")),
            "tool-call-json");
}

TEST(DuplicateKeys, FunctionNameAndArgumentsLastWin) {
  expect_read_as(with_call(R"({"id": "abcDEF123", "type": "function", "function": {"name": "bad name", "arguments": 5,
                    "name": "f", "arguments": "{\"x\": 1}"}})"),
                 with_call(kCall));
  EXPECT_EQ(rule_of(with_call(R"({"type": "function", "function": {"name": "f", "arguments": "{}", "name": "a b"}})")),
            "tool-call-name");
}

TEST(DuplicateKeys, ArgumentKeysKeepTheFirstPositionAndTheLastValue) {
  // Key order is training signal: "b" stays first, with its last value, in objects and in strings.
  const std::string object_form = with_call(R"({"id": "abcDEF123", "type": "function", "function": {"name": "f",
                    "arguments": {"b": 1, "a": [2], "b": {"c": 3, "d": 4, "c": "5"}}}})");
  const std::string string_form = with_call(
      R"({"id": "abcDEF123", "type": "function", "function": {"name": "f",
          "arguments": "{\"b\": 1, \"a\": [2], \"b\": {\"c\": 3, \"d\": 4, \"c\": \"5\"}}"}})");
  const std::string python = with_call(
      R"({"id": "abcDEF123", "type": "function", "function": {"name": "f",
          "arguments": "{\"b\": {\"c\": \"5\", \"d\": 4}, \"a\": [2]}"}})");
  expect_read_as(object_form, python);
  expect_read_as(string_form, python);
  EXPECT_EQ(python_json(read(object_form).messages.at(1).tool_calls.at(0).arguments()),
            R"({"b": {"c": "5", "d": 4}, "a": [2]})");
}

TEST(DuplicateKeys, JsonCallsInTextLastWin) {
  expect_read_as(
      R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content":
          "Sure.\n\n```json\n{\"name\": \"a b\", \"arguments\": {\"p\": 1, \"q\": 2, \"p\": 3}, \"name\": \"f\"}\n```"}]})",
      R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content":
          "Sure.\n\n```json\n{\"name\": \"f\", \"arguments\": {\"p\": 3, \"q\": 2}}\n```"}]})");
}

TEST(DuplicateKeys, ToolSchemasKeepTheFirstPositionAndTheLastValue) {
  // Property order decides the order of the tools section; the XML value's type comes from the
  // last "type" given for it.
  constexpr std::string_view messages =
      R"("messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content":
         "<tool_call>\n<function=f>\n<parameter=n>\n7\n</parameter>\n</function>\n</tool_call>"}])";
  const std::string duplicated =
      R"({"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties":
          {"n": {"type": "string"}, "m": {"type": "string"}, "n": {"type": "integer", "type": "number"}}}}}], )" +
      std::string(messages) + "}";
  const std::string python =
      R"({"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties":
          {"n": {"type": "number"}, "m": {"type": "string"}}}}}], )" +
      std::string(messages) + "}";
  expect_read_as(duplicated, python);
  const auto c = read(duplicated);
  EXPECT_EQ(c.messages.at(1).tool_calls.at(0).arguments()["n"], 7);  // typed by the last "type": a number
  EXPECT_EQ(c.tools->json().at(0)["function"]["parameters"]["properties"].begin().key(), "n");
}

TEST(DuplicateKeys, BigObjectsTooAndWithoutQuadraticLookups) {
  // Past 16 keys the reader looks keys up through an index: the same semantics must hold there.
  std::string object = "{";
  std::string python = "{";
  for (int i = 0; i < 40; ++i) {
    object += (i ? ", " : "") + ("\"k" + std::to_string(i) + "\": ") + std::to_string(i);
    python += (i ? ", " : "") + ("\"k" + std::to_string(i) + "\": ") +
              (i == 3    ? "\"three\""
               : i == 30 ? "[30]"
                         : std::to_string(i));
  }
  object += R"(, "k30": "x", "k3": "three", "k30": [30]})";
  python += "}";
  JsonParseError error;
  const auto parsed = parse_json(object, error);
  ASSERT_TRUE(parsed) << error.describe();
  EXPECT_EQ(python_json(*parsed), python_json(*parse_json(python, error)));
  simdjson::dom::parser parser;
  const simdjson::dom::object dom = parser.parse(object).get_object().value();
  const auto fields = detail::unique_fields(dom);
  ASSERT_EQ(fields.size(), 40U);
  EXPECT_EQ(fields[3].key, "k3");
  EXPECT_EQ(std::string_view(fields[3].value.get_string().value()), "three");
  EXPECT_TRUE(fields[30].value.is_array());
  EXPECT_TRUE(detail::find_field(dom, "k30")->is_array());
  EXPECT_FALSE(detail::find_field(dom, "k40"));
}

// A FieldList holds its first fields in itself, moves to a pooled vector past them and to an index
// past the linear search: at every size around those limits, with duplicates of keys from each
// part arriving before and after each limit, its fields are a dict's (reference: a linear search
// over (key, value) pairs, first position, last value). Lists alive at once and made again reuse
// the pool and stay intact.
TEST(DuplicateKeys, FieldListsAreADictsFieldsAtEverySize) {
  std::mt19937 random(3);
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;
  auto check_object = [&](std::size_t distinct, std::size_t duplicates) {
    // Keys of different lengths and of the same length; values are the order of occurrence.
    std::vector<std::pair<std::string, int>> dict;
    std::string json = "{";
    for (std::size_t k = 0; k < distinct + duplicates; ++k) {
      const std::size_t key_number =
          k < distinct ? k : std::uniform_int_distribution<std::size_t>(0, distinct - 1)(random);
      const std::string key =
          key_number % 3 == 0 ? "k" + std::to_string(key_number) : "key_" + std::to_string(key_number);
      const int value = static_cast<int>(k);
      json += (k ? ", \"" : "\"") + key + "\": " + std::to_string(value);
      auto same = std::find_if(dict.begin(), dict.end(), [&](const auto& kv) { return kv.first == key; });
      if (same == dict.end()) {
        dict.emplace_back(key, value);
      } else {
        same->second = value;
      }
    }
    json += "}";
    parsers.push_back(std::make_unique<simdjson::dom::parser>());
    const simdjson::dom::object object = parsers.back()->parse(json).get_object().value();
    return std::make_pair(object, dict);
  };
  auto expect_dict = [](const detail::FieldList& fields, const std::vector<std::pair<std::string, int>>& dict,
                        const std::string& what) {
    ASSERT_EQ(fields.size(), dict.size()) << what;
    std::size_t i = 0;
    for (const auto& field : fields) {
      EXPECT_EQ(field.key, dict[i].first) << what << ", field " << i;
      EXPECT_EQ(field.value.get_int64().value(), dict[i].second) << what << ", field " << i;
      ++i;
    }
  };
  for (std::size_t distinct = 0; distinct <= 40; ++distinct) {
    for (const std::size_t duplicates : {0UL, 1UL, 3UL, 20UL}) {
      if (distinct == 0 && duplicates != 0) continue;
      const auto [object, dict] = check_object(distinct, duplicates);
      const std::string what = std::to_string(distinct) + " keys, " + std::to_string(duplicates) + " duplicates";
      const detail::FieldList fields(object);
      expect_dict(fields, dict, what);
      // Another list while this one is alive, then this one again after it is gone.
      const auto [other_object, other_dict] = check_object(distinct / 2 + 9, duplicates);
      {
        const detail::FieldList other(other_object);
        expect_dict(other, other_dict, what + ", second list");
        expect_dict(fields, dict, what + ", first list beside the second");
      }
      const detail::FieldList again(object);
      expect_dict(again, dict, what + ", made again");
    }
  }
}

TEST(DuplicateKeys, DerivedIdsDependOnTheConversationNotOnHowTheLineSpellsIt) {
  // No ids in the source: chatfmt derives them. Python reads these three lines alike, so must we.
  const std::string plain =
      R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}]}, {"role": "tool", "content": "ok"}]})";
  const std::string spaced =
      R"({ "messages" : [ {"content": "q", "role": "user"}, {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{ }"}}]}, {"role": "tool", "content": "o\u006b"} ] })";
  const std::string duplicated =
      R"({"messages": 1, "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}]}, {"role": "tool", "content": "ok"}]})";
  const RecordOutcome reference = convert(plain, "openai");
  ASSERT_TRUE(reference.accepted) << reference.reason;
  EXPECT_EQ(convert(spaced, "openai").output, reference.output);
  EXPECT_EQ(convert(duplicated, "openai").output, reference.output);
  // ... while another conversation gets other ids.
  const std::string other =
      R"({"messages": [{"role": "user", "content": "q2"}, {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}]}, {"role": "tool", "content": "ok"}]})";
  const auto id_of = [](const std::string& output) {
    return Json::parse(output)["messages"][1]["tool_calls"][0]["id"];
  };
  EXPECT_NE(id_of(convert(other, "openai").output), id_of(reference.output));
}

}  // namespace
}  // namespace chatfmt
