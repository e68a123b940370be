// Lint's rules as small functions, one file per family, joined in one table (check_table.cpp).
// A record check sees one conversation as read; a dataset check sees the facts every record of a
// dataset left (record_facts.hpp). The reasons convert refuses records for need no function here:
// the engine (engine.cpp) reports what reading, normalizing and writing throw, under the same ids.
#pragma once

#include <string>
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

/// One record of a dataset's split, with where it is.
struct RecordEntry {
  std::uint64_t line = 0;
  const RecordFacts* facts = nullptr;
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
