// JSONL records through everything `convert` and `tokens` do with them: the line splitting of
// process_jsonl, parsing, both readers, normalization, every writer, the rejects line and the
// trainer text. Input: one selector byte (which target and options, and whether through
// process_jsonl), then JSONL bytes.
#include <memory>
#include <vector>

#include "chatfmt/errors.hpp"
#include "fuzz_support.hpp"

namespace chatfmt::fuzz {
namespace {

// tools/make_fuzz_seeds.py writes selectors for targets() x 4 variants: keep the two in step.
constexpr std::size_t kVariants = 4;

ConvertOptions variant_options(const TargetInfo& target, std::size_t variant) {
  ConvertOptions options;
  options.target = std::string(target.name);
  switch (variant) {
    case 1:  // --tools FILE: XML parameters typed by a schema, unknown-tool checks
      options.read.tools_json = typed_tools_json();
      break;
    case 2:  // --no-tools --on-foreign-delimiter=keep --tool-result-prefix ''
      options.no_tools = true;
      options.foreign_delimiters = ForeignDelimiterPolicy::keep;
      options.read.tool_result_prefixes = {""};
      break;
    case 3:  // --drop-text-with-tool-calls (where honoured) --ignore-key id --ignore-key metadata
             // --tool-result-prefix Observation: --tool-result-prefix 'Tool result:'
      // RecordConverter refuses an option its target does not honour, as the CLI does.
      if (target.honours(WriterOption::drop_text_with_tool_calls)) {
        options.writer.enable(WriterOption::drop_text_with_tool_calls);
      }
      options.read.ignored_keys = {"id", "metadata"};
      options.read.tool_result_prefixes = {"Observation:", std::string(kDefaultToolResultPrefix)};
      break;
    default:  // what `chatfmt convert` does without options: tools inferred from the calls
      break;
  }
  return options;
}

// Built once: a converter is immutable and reused by every worker thread in the real pipeline.
const std::vector<Target>& converters() {
  static const std::vector<Target> all = [] {
    std::vector<Target> list;
    for (std::size_t variant = 0; variant < kVariants; ++variant) {
      for (const TargetInfo* info : targets()) list.push_back(make_target(variant_options(*info, variant)));
    }
    require_read_back(list);
    return list;
  }();
  return all;
}

// The non-blank lines of a JSONL text as JsonlReader promises to cut them (newline-separated,
// one trailing \r dropped, a UTF-8 BOM dropped from line 1), with their 1-based numbers.
std::vector<std::pair<std::uint64_t, std::string_view>> expected_records(std::string_view text,
                                                                         std::uint64_t& blank_lines) {
  std::vector<std::pair<std::uint64_t, std::string_view>> records;
  std::uint64_t number = 0;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (++number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    if (line.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos) {
      ++blank_lines;
    } else {
      records.emplace_back(number, line);
    }
  }
  return records;
}

}  // namespace
}  // namespace chatfmt::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chatfmt;
  using namespace chatfmt::fuzz;
  if (size == 0) return 0;
  const Target& target = converters()[(data[0] & 0x7F) % converters().size()];
  const std::string_view jsonl = as_text(data + 1, size - 1);

  std::uint64_t blank_lines = 0;
  const auto expected = expected_records(jsonl, blank_lines);
  // The selector's top bit sends an input of several records through process_jsonl; otherwise
  // each record is converted directly. JsonlReader's 1 MiB read buffer makes a process_jsonl call
  // cost more than most records, and the line splitting only needs some of the inputs.
  if ((data[0] & 0x80) == 0 || expected.size() < 2) {
    for (const auto& [number, line] : expected) {
      const SourceRef source{"fuzz.jsonl", number};
      check_record(target, source, line, target.converter->convert(line, source));
    }
    return 0;
  }
  const MemoryFile file(jsonl);
  PipelineOptions options;
  options.threads = 1;
  options.batch_records = 2;  // several batches from a few lines: batch boundaries are exercised
  FileCounters counters;
  std::uint64_t budget_used = 0;
  std::size_t seen = 0;
  try {
    process_jsonl(
        file.path(),
        [&](std::string_view line, const SourceRef& source, RecordOutcome& outcome) {
          target.converter->convert(line, source, outcome);
        },
        [&](const SourceRef& source, std::string_view line, RecordOutcome& outcome) {
          FUZZ_REQUIRE(seen < expected.size() && expected[seen].first == source.line && expected[seen].second == line,
                       "process_jsonl handed over a line other than the next record", line);
          ++seen;
          // The pipeline reuses outcomes from batch to batch: nothing of an earlier record may stay.
          const RecordOutcome fresh = target.converter->convert(line, source);
          FUZZ_REQUIRE(fresh.accepted == outcome.accepted && fresh.output == outcome.output &&
                           fresh.rule == outcome.rule && fresh.reason == outcome.reason && fresh.shape == outcome.shape,
                       "a reused outcome differs from a fresh conversion of the same line", line);
          check_record(target, source, line, outcome);
        },
        options, counters, budget_used);
  } catch (const UsageError& error) {
    finding("process_jsonl failed on a readable file", error.what());
  }
  FUZZ_REQUIRE(seen == expected.size(), "process_jsonl lost records");
  FUZZ_REQUIRE(counters.records == expected.size() && counters.converted + counters.rejected == counters.records &&
                   counters.blank_lines == blank_lines,
               "the counters do not add up");
  return 0;
}
