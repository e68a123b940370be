// Tool-call arguments are written as json.dumps text straight from the parsed source
// (ArgumentsBuilder); the JSON tree is made only when asked for. Both ways must give the same text
// and signature: the expectations here come from the tree path (to_json, append_python_json of a
// Json), which the golden and differential tests prove against Python.
#include <gtest/gtest.h>

#include <fstream>

#include "chatfmt/errors.hpp"
#include "core/arguments.hpp"
#include "core/json_internal.hpp"
#include "core/record.hpp"

namespace chatfmt {
namespace {

std::string from_tree(simdjson::dom::element value) { return python_json(detail::to_json(value)); }

std::string from_element(simdjson::dom::element value) {
  std::string out;
  detail::append_python_json(out, value);
  return out;
}

void expect_same_text(std::string_view json) {
  simdjson::dom::parser parser;
  const auto parsed = parser.parse(json.data(), json.size());
  ASSERT_FALSE(parsed.error()) << json;
  EXPECT_EQ(from_element(parsed.value_unsafe()), from_tree(parsed.value_unsafe())) << json;
}

TEST(Arguments, ElementTextEqualsTreeTextForEdgeValues) {
  for (
      const char* json : {
          R"({})",
          R"({"a": 1, "b": -0.0, "c": 1e16, "d": 1e-5, "e": 0.1, "f": 18446744073709551615, "g": -9223372036854775808})",
          R"({"k": 1, "k": "last wins", "j": [1, {"x": null, "x": true}], "k": [false]})",
          R"({"s": "quote \" backslash \\ newline \n tab \t control \u0001 \u001f del \u007f é 😀 \u2028"})",
          R"({"nested": {"deep": [[[]], {}, [{"a": [1.5, 2.25e300]}]]}})",
          R"([1, "two", null])",
          R"("just a string")",
          R"(3.0)",
      }) {
    expect_same_text(json);
  }
}

TEST(Arguments, ElementTextEqualsTreeTextOnTheSample) {
  // Every value of every record of the real sample, whole records included.
  std::ifstream in(std::string(CHATFMT_SOURCE_DIR) + "/data/samples/train.jsonl");
  std::string line;
  std::size_t lines = 0;
  while (std::getline(in, line)) {
    expect_same_text(line);
    ++lines;
  }
  EXPECT_GT(lines, 900U);  // the sample's train split
}

TEST(Arguments, BuilderTextAndSignatureEqualTheTreeForm) {
  simdjson::dom::parser parser;
  const std::string json =
      R"({"code": "print(1)\n", "n": 7, "x": 2.5, "ok": true, "none": null, "l": [1], "o": {"a": 1}})";
  const simdjson::dom::element element = parser.parse(json).value();
  const simdjson::dom::object object = element.get_object().value();

  ToolCall built;
  detail::ArgumentsBuilder builder(json.size());
  builder.add_fields(object);
  builder.finish(built);

  const ToolCall tree("id", "f", detail::to_json(element));
  EXPECT_EQ(built.arguments_json(), tree.arguments_json());
  EXPECT_EQ(built.signature(), tree.signature());
  EXPECT_EQ(built.arguments(), tree.arguments());  // the text read back into a tree
  EXPECT_FALSE(built.has_only_argument("code"));
}

TEST(Arguments, LiteralsAndStringsEqualTheirTreeForm) {
  ToolCall built;
  detail::ArgumentsBuilder builder;
  builder.add_string("s", "a\"b");
  builder.add_literal("t", "true", JsonType::boolean);
  builder.add_literal("z", "null", JsonType::null);
  builder.finish(built);
  const ToolCall tree("", "f", Json{{"s", "a\"b"}, {"t", true}, {"z", nullptr}});
  EXPECT_EQ(built.arguments_json(), tree.arguments_json());
  EXPECT_EQ(built.signature(), tree.signature());
}

TEST(Arguments, ChangingTheTreeRendersTheTextAgain) {
  ToolCall call;
  EXPECT_EQ(call.arguments_json(), "{}");
  EXPECT_EQ(call.signature(), "");
  detail::ArgumentsBuilder builder;
  builder.add_string("code", "x");
  builder.finish(call);
  EXPECT_TRUE(call.has_only_argument("code"));
  EXPECT_FALSE(call.has_only_argument("cod"));
  call.arguments()["more"] = 1;
  EXPECT_EQ(call.arguments_json(), R"({"code": "x", "more": 1})");
  EXPECT_FALSE(call.has_only_argument("code"));
  const ToolCall copy = call;
  EXPECT_EQ(copy.arguments_json(), call.arguments_json());
}

TEST(Arguments, TextReadsBackIntoATreeWhateverTheBytesOfAString) {
  // An XML parameter value is the source's bytes; where those were never checked as UTF-8 (the
  // fuzz harness), the tree must still hold them as they are (fuzz regression
  // parameter-value-not-utf8.txt).
  ToolCall call;
  detail::ArgumentsBuilder builder;
  builder.add_string("code", "ok \xff\xfe \"quoted\"\n");
  builder.add_literal("n", "12", JsonType::integer);
  builder.finish(call);
  EXPECT_EQ(call.arguments().at("code").get<std::string>(), "ok \xff\xfe \"quoted\"\n");
  EXPECT_EQ(call.arguments().at("n"), 12);
}

TEST(Arguments, SignaturesOfDifferentKeyListsDiffer) {
  // Keys holding the separators cannot make two lists write alike.
  const ToolCall one("", "f", Json{{"a;1:b", 1}});
  const ToolCall two("", "f", Json{{"a", 1}, {"b", 1}});
  EXPECT_NE(one.signature(), two.signature());
}

// for_each_argument against simdjson reading the same text: keys and string values unescaped,
// anything else as append_python_json writes it.
void expect_walk_equals_parse(const std::string& text) {
  std::vector<std::string> walked;
  detail::for_each_argument(text, [&](const detail::ArgumentEntry& entry) {
    walked.push_back(std::string(entry.key) + (entry.is_string ? "=s:" : "=j:") + std::string(entry.value));
  });
  simdjson::dom::parser parser;
  const simdjson::dom::object object = parser.parse(text).get_object().value();
  std::vector<std::string> parsed;
  for (const auto& field : detail::FieldList(object)) {
    std::string_view string;
    if (field.value.get(string) == simdjson::SUCCESS) {
      parsed.push_back(std::string(field.key) + "=s:" + std::string(string));
    } else {
      parsed.push_back(std::string(field.key) + "=j:" + from_element(field.value));
    }
  }
  EXPECT_EQ(walked, parsed) << text;
}

TEST(Arguments, WalkingTheTextReadsWhatAParserReads) {
  std::vector<std::string> texts = {"{}"};
  // Escapes at every position around the 16-byte blocks, consecutive and at the ends.
  for (std::size_t at = 0; at < 40; ++at) {
    for (const char* escaped : {"\"", "\\", "\n", "\u0001", "é", "😀", "\"\\\n\t"}) {
      std::string value(at, 'x');
      value += escaped;
      value += std::string(at % 7, 'y');
      Json object = Json::object();
      object[value] = value;
      object["n"] = static_cast<int>(at);
      object["nested"] = Json::array({value, Json{{"k]}", "v\"]}"}}, nullptr, true, 1.5});
      texts.push_back(python_json(object));
    }
  }
  texts.push_back(
      python_json(Json{{"", ""}, {"t", true}, {"f", false}, {"z", nullptr}, {"big", 18446744073709551615ULL}}));
  texts.push_back(R"({"pair": "\ud83d\ude00", "slash": "a\/b", "ctl": "\b\f\r"})");  // escapes we never write
  for (const auto& text : texts) expect_walk_equals_parse(text);
}

TEST(Arguments, WalkingTheSampleCallsReadsWhatAParserReads) {
  // The arguments of every call of the real sample, as the readers wrote them.
  std::ifstream in(std::string(CHATFMT_SOURCE_DIR) + "/data/samples/train.jsonl");
  std::size_t calls = 0;
  for (std::string line; std::getline(in, line);) {
    Conversation conversation;
    try {
      conversation = detail::read_record(line, {"t", 1}, ReadSetup(ReadOptions{}));
    } catch (const RecordError&) {
      continue;
    }
    for (const auto& message : conversation.messages) {
      for (const auto& call : message.tool_calls) {
        expect_walk_equals_parse(std::string(call.arguments_json()));
        ++calls;
      }
    }
  }
  EXPECT_GT(calls, 500U);
}

TEST(Arguments, WalkingRefusesTextItDidNotWrite) {
  for (const char* text :
       {"", "{", "[1]", R"({"a" 1})", R"({"a": "unclosed})", R"({"a": 1,"b": 2})", R"({"a": "\q"})"}) {
    EXPECT_THROW(detail::for_each_argument(text, [](const detail::ArgumentEntry&) {}), std::logic_error) << text;
  }
}

TEST(Arguments, NestedParsersKeepTheOuterDocument) {
  detail::NestedParser outer;
  const simdjson::dom::element document = outer.get().parse(std::string(R"({"a": "outer"})")).value();
  {
    detail::NestedParser inner;
    ASSERT_FALSE(inner.get().parse(std::string(R"({"b": "inner"})")).error());
  }
  EXPECT_EQ(std::string_view(document["a"].get_string().value()), "outer");
}

}  // namespace
}  // namespace chatfmt
