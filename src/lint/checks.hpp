// Lint's rules as small functions, one file per family, joined in one table (check_table.cpp).
// A record check sees one conversation as read; a dataset check sees the facts every record of a
// dataset left (record_facts.hpp). The reasons convert refuses records for need no function here:
// the engine (engine.cpp) reports what reading, normalizing and writing throw, under the same ids.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "chatfmt/lint.hpp"
#include "chatfmt/tokenizer.hpp"
#include "core/conversation.hpp"
#include "lint/record_facts.hpp"

namespace chatfmt::lint {

/// One record as the record checks see it.
struct RecordView {
  const Conversation& conversation;  ///< as read: calls and results decoded, not normalized
  const Json* tools;                 ///< the record's tool list, else --tools; null: none
  const Tokenizer* tokenizer;        ///< --tokenizer, or null
  std::string_view tokenizer_name;   ///< its file name, for messages
};

using RecordCheck = void (*)(const RecordView& record, std::vector<RecordFinding>& findings);

/// What the dataset checks keep of one record: where it is and its facts, about 80 bytes (a
/// record's RecordFacts go back to the pipeline for the next record).
struct RecordEntry {
  std::uint64_t line = 0;
  Hash128 exact;
  Hash128 loose;
  Hash128 first_prompt;
  EncodingSet encodings = 0;
  std::uint32_t tools_begin = 0;  ///< its calls' tools: DatasetFacts::record_tools[begin, begin + count)
  std::uint32_t tools_count = 0;
  bool readable = false;
  bool has_system = false;
  bool drifted = false;  ///< template-drift found it (lint --fix rewrites it)
};

/// One file of a dataset: its split (by file name) and its records in order.
struct SplitFacts {
  std::string path;
  std::string split;  ///< "train", "valid", "test" or ""
  std::vector<RecordEntry> records;
};

/// A dataset: a file, or the splits of a directory.
struct DatasetFacts {
  std::string path;
  std::vector<SplitFacts> splits;
  std::vector<std::string> tool_names;      ///< every tool called, once
  std::vector<std::uint32_t> record_tools;  ///< indexes into tool_names, record after record

  /// Keeps what the dataset checks need of a record's facts.
  void add(SplitFacts& split, std::uint64_t line, const RecordFacts& facts);

 private:
  std::unordered_map<std::string, std::uint32_t> tool_index_;
};

using DatasetCheck = void (*)(const DatasetFacts& dataset, const LintThresholds& thresholds,
                              std::vector<LintFinding>& findings);

struct CheckRow {
  std::vector<Rule> rules;  ///< what it may report: it runs when one of them is selected
  RecordCheck record = nullptr;
  DatasetCheck dataset = nullptr;
};

const std::vector<CheckRow>& check_table();

// structure_rules.cpp
void check_empty_content(const RecordView& record, std::vector<RecordFinding>& findings);
void check_system_first(const RecordView& record, std::vector<RecordFinding>& findings);
// tool_call_rules.cpp
void check_parameters(const RecordView& record, std::vector<RecordFinding>& findings);
// leakage_rules.cpp
void check_control_strings(const RecordView& record, std::vector<RecordFinding>& findings);
// quality_rules.cpp
void check_duplicates(const DatasetFacts& dataset, const LintThresholds& thresholds,
                      std::vector<LintFinding>& findings);
void check_split_leakage(const DatasetFacts& dataset, const LintThresholds& thresholds,
                         std::vector<LintFinding>& findings);
void check_encodings_and_tools(const DatasetFacts& dataset, const LintThresholds& thresholds,
                               std::vector<LintFinding>& findings);
void check_shuffled(const DatasetFacts& dataset, const LintThresholds& thresholds, std::vector<LintFinding>& findings);
void check_system_prompt_coverage(const DatasetFacts& dataset, const LintThresholds& thresholds,
                                  std::vector<LintFinding>& findings);

/// "messages[2]": where a message is, in findings.
std::string message_where(std::size_t index);

}  // namespace chatfmt::lint
