// `chatfmt stats` and `chatfmt diff`: what a dataset holds, and what changed between two versions.
// Figures are gathered record by record on the pipeline; matching keeps a few hashes and a short
// excerpt per record, never the records.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "chatfmt/convert.hpp"

namespace chatfmt {

struct StatsOptions {
  ReadOptions read;
  PipelineOptions pipeline;
  InputOptions input;
  /// --tokenizer: token lengths as the trainer sees them (the record rendered by `target`).
  std::string tokenizer_path;
  std::string target = "devstral-small-2";
};

/// A distribution of one figure over records: count, sum, extremes, percentiles (nearest rank),
/// and a histogram over fixed power-of-two buckets [0,1), [1,2), [2,4), ... so two datasets'
/// histograms line up bucket for bucket.
struct Distribution {
  std::uint64_t count = 0;
  std::uint64_t total = 0;
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  std::uint64_t p50 = 0;
  std::uint64_t p90 = 0;
  std::uint64_t p99 = 0;
  std::vector<std::uint64_t> histogram;  ///< bucket k counts values in [2^(k-1), 2^k), bucket 0 the zeros
};

/// The figures of a split (one file), or of a whole dataset.
struct SplitStats {
  std::string path;
  std::string split;             ///< "train", "valid", "test", or "" (the file's name says nothing)
  std::uint64_t records = 0;     ///< every record (line) of the file; the figures below are of the readable ones
  std::uint64_t unreadable = 0;  ///< records that could not be read (lint says why)
  std::map<std::string, std::uint64_t> messages_by_role;
  Distribution turns;                                        ///< messages per record, the system prompt aside
  std::map<std::string, std::uint64_t> records_by_encoding;  ///< detect's names: records using each
  std::map<std::string, std::uint64_t> calls_by_tool;
  std::uint64_t tool_calls = 0;
  std::uint64_t tool_results = 0;
  std::uint64_t records_with_calls = 0;  ///< the rest answer directly
  std::uint64_t records_with_system = 0;
  std::uint64_t distinct_system_prompts = 0;
  Distribution chars;            ///< characters of content per record (code points)
  Distribution tokens;           ///< tokens per record as --target renders it (count 0: no --tokenizer)
  std::uint64_t duplicates = 0;  ///< records that repeat an earlier one of the same split exactly
};

struct DatasetStats {
  std::string path;
  std::vector<SplitStats> splits;
  SplitStats total;  ///< every split together (distinct_system_prompts over the whole dataset)
  /// valid/test records whose conversation (whitespace aside) is also in train, and those whose
  /// first user prompt is.
  std::uint64_t leaked_conversations = 0;
  std::uint64_t leaked_prompts = 0;
};

/// Throws UsageError (unreadable paths, a bad tokenizer).
DatasetStats dataset_stats(const std::string& path, const StatsOptions& options);

// ---- diff ------------------------------------------------------------------------------------

/// How a record of the old version is recognised in the new one when its content changed.
enum class DiffKey { first_user, system_first_user, content };

/// The parts a changed record can differ in, in the order reports list them.
enum class RecordPart : std::uint8_t { system, user, assistant_text, calls, results, tools, encoding };
constexpr std::size_t kRecordParts = 7;
/// "system", "user", "assistant_text", "calls", "results", "tools", "encoding": the JSON's names.
std::string_view record_part_name(RecordPart part);

struct DiffOptions {
  StatsOptions stats;
  DiffKey key = DiffKey::system_first_user;
};

/// Where a record is: its split's file and line, and the start of its first user prompt.
struct RecordRef {
  std::string path;
  std::uint64_t line = 0;
  std::string prompt;  ///< the first user prompt, at most 80 characters
};

/// How one record changed, for the example a report shows: the parts that differ, and the
/// changed part's text before and after (the first part that differs, cut to a few hundred bytes).
struct ChangeExample {
  RecordRef before;
  RecordRef after;
  std::string part;
  std::string old_text;
  std::string new_text;
};

/// Records of one split of either version: where they went. The old records are unchanged +
/// moved_out + removed + old_unreadable + the changed ones (counted in the split they are in now).
struct SplitFlow {
  std::string split;
  std::uint64_t old_records = 0;  ///< every record of the split's file, unreadable ones included
  std::uint64_t new_records = 0;
  std::uint64_t old_unreadable = 0;  ///< not matched: nothing can be said of them
  std::uint64_t new_unreadable = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t moved_in = 0;   ///< records of this split in the new version that were in another
  std::uint64_t moved_out = 0;  ///< records of this split in the old version now in another
  std::uint64_t changed = 0;
  std::uint64_t added = 0;
  std::uint64_t removed = 0;
};

struct DiffReport {
  DatasetStats old_stats;
  DatasetStats new_stats;
  DiffKey key = DiffKey::system_first_user;
  std::uint64_t unchanged = 0;  ///< the same record (content and encoding) in the same split
  std::uint64_t moved = 0;      ///< the same record in another split
  std::uint64_t changed = 0;    ///< the same key, other content
  std::uint64_t added = 0;
  std::uint64_t removed = 0;
  std::vector<SplitFlow> flows;
  std::map<std::string, std::uint64_t> changed_parts;  ///< part name -> changed records differing there
  /// The commonest ways records changed: a sentence each ("lost their assistant text before a
  /// tool call"), with how many, most first.
  std::vector<std::pair<std::string, std::uint64_t>> change_kinds;
  std::string summary;                  ///< the report's first sentence: what the new version mostly did
  std::vector<ChangeExample> examples;  ///< one per leading kind of change
  std::vector<std::string> tools_added, tools_removed, encodings_added, encodings_removed;
  std::uint64_t system_prompts_added = 0;
  std::uint64_t system_prompts_removed = 0;
  std::vector<RecordRef> added_examples;    ///< up to 10, in file order
  std::vector<RecordRef> removed_examples;  ///< up to 10
};

/// Throws UsageError.
DiffReport diff_datasets(const std::string& old_path, const std::string& new_path, const DiffOptions& options);

// ---- reports ---------------------------------------------------------------------------------

/// A stable document for machines (schemas/stats-report.schema.json, schemas/diff-report.schema.json).
std::string stats_report_json(const std::vector<DatasetStats>& datasets);
std::string diff_report_json(const DiffReport& report);
/// For people: aligned tables and small bar charts; `color` for a terminal.
std::string stats_report_text(const std::vector<DatasetStats>& datasets, bool color);
std::string diff_report_text(const DiffReport& report, bool color);
/// The same for a pull-request comment: Markdown tables, the example as a diff block.
std::string stats_report_markdown(const std::vector<DatasetStats>& datasets);
std::string diff_report_markdown(const DiffReport& report);
/// One self-contained HTML page (no script, font or style from elsewhere; light and dark) with
/// SVG charts: encodings and tools, length histograms, and for diff where each split's records
/// went and which parts of the changed records differ.
std::string stats_report_html(const std::vector<DatasetStats>& datasets);
std::string diff_report_html(const DiffReport& report);

}  // namespace chatfmt
