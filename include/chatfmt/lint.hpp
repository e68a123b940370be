// `chatfmt lint`: what would ruin a training run, found before it runs. Every rule is a row of
// the one rule table (chatfmt/rules.hpp); findings carry the rule, where (path:line:col) and what
// to do. The reports for people and CI (text, JSON, JUnit, GitHub, SARIF) are made from a
// LintReport by the functions at the end.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatfmt/convert.hpp"
#include "chatfmt/rules.hpp"

namespace chatfmt {

/// A --template value naming a Jinja chat template file rather than a template chatfmt renders
/// itself: it ends in .jinja or .j2, holds a '/', or names a file that exists.
bool is_jinja_template(const std::string& value);

/// The dataset rules' thresholds (docs/rules.md gives each one's meaning).
struct LintThresholds {
  double tool_share_min = 0.05;             ///< tool-imbalance: a tool under this share of calls
  double system_prompt_coverage_min = 0.9;  ///< system-prompt-coverage
  /// unshuffled: a kind of record (its call encodings, or none) with at least this many records...
  std::uint64_t unshuffled_min_records = 20;
  /// ...whose positions in the file stray from evenly spread by more than this (the largest gap
  /// between its share of records seen and its share of the file, 0-1)...
  double unshuffled_max_deviation = 0.25;
};

struct LintOptions {
  /// How records are read and which target's rules apply (convert's options: --to, --tools, ...).
  ConvertOptions convert;
  /// --template: a target whose official template the records' own text is compared with
  /// ("qwen3-coder", "mistral-v13", ...), or a .jinja file; "" for none.
  std::string template_name;
  /// --arguments, with a .jinja --template: tool-call arguments reach the template as objects
  /// (transformers' convention) or as JSON strings (the OpenAI shape, which Mistral's v3 and v7
  /// templates need: given objects they HTML-escape the quotes).
  bool template_arguments_as_strings = false;
  std::string tokenizer_path;        ///< --tokenizer: for too-long and for naming control tokens
  std::uint64_t max_seq_length = 0;  ///< --max-seq-length (0: not given)
  LintThresholds thresholds;
  /// --select / --ignore: rule ids, codes or code prefixes ("T", "Q00"); empty select: all.
  std::vector<std::string> select;
  std::vector<std::string> ignore;
  std::map<Rule, Severity> severities;  ///< --config: severities that differ from the table's
  std::vector<std::string> exclude;     ///< --config: globs of files (relative to a PATH) not linted
};

struct LintFinding {
  Rule rule = Rule::internal_error;
  Severity severity = Severity::error;
  std::string path;          ///< the file; the dataset's path for findings about a whole dataset
  std::uint64_t line = 0;    ///< 1-based; 0: the whole file or dataset
  std::uint64_t column = 0;  ///< 1-based inside the line when known, else 0
  std::string message;       ///< what is wrong and what to do
  /// The record's content hash (XXH3-128 of its line, hex), "" for file-level findings: what a
  /// baseline matches findings by, so adding records above one does not break it.
  std::string record_hash;
};

struct LintFileSummary {
  std::string path;
  std::string split;  ///< "train", "valid", "test" (from the file name) or ""
  std::uint64_t records = 0;
};

struct LintReport {
  std::vector<LintFileSummary> files;
  std::vector<Rule> rules_run;  ///< the rules that were selected and could run, in table order
  /// Dataset by dataset (in the order given), file by file, line by line (0: the whole file first); a
  /// record's own findings before the dataset checks' on the same line.
  std::vector<LintFinding> findings;
  std::vector<std::string> notes;  ///< what was not checked, and why
  std::uint64_t errors() const;
  std::uint64_t warnings() const;
};

/// Lints every *.jsonl below each path (each a dataset: a file, or a directory of splits).
/// Throws UsageError for unusable options or inputs.
LintReport lint_paths(const std::vector<std::string>& paths, const LintOptions& options);

/// Whether a rule runs under `select` and `ignore` (ids, codes or code prefixes).
bool rule_selected(const RuleInfo& rule, const std::vector<std::string>& select,
                   const std::vector<std::string>& ignore);

// ---- baselines (docs/cli.md, "lint --baseline") ---------------------------------------------

/// Writes the report's findings to `path` as a baseline (JSON), atomically, never over one of the
/// files under `paths` (the linted PATHs; findings are kept relative to them). Throws UsageError.
void write_lint_baseline(const LintReport& report, const std::vector<std::string>& paths, const std::string& path,
                         const InputOptions& input = {});

struct LintBaselineResult {
  std::uint64_t matched = 0;       ///< findings the baseline held, dropped from the report
  std::vector<std::string> stale;  ///< baseline entries no finding matched (fixed since)
};

/// Drops from `report` the findings the baseline at `path` holds (by rule, relative path and
/// record content hash; by rule and path for file-level findings). Throws UsageError for a file
/// that is not a baseline.
LintBaselineResult apply_lint_baseline(LintReport& report, const std::vector<std::string>& paths,
                                       const std::string& path);

// ---- configuration (docs/cli.md, "lint --config") --------------------------------------------

/// Applies a JSON config file to `options`: "select", "ignore" (lists of ids, codes, prefixes),
/// "severity" ({rule id or code: "error"|"warning"|"info"}), "thresholds" (LintThresholds by
/// field name), "exclude" (file globs relative to the linted path, not read). Throws UsageError
/// naming the file and the key for anything else.
void apply_lint_config(const std::string& path, LintOptions& options);

// ---- lint --fix (docs/cli.md, "lint --fix") ------------------------------------------------------

/// One input file of a fix, and what became of its records.
struct LintFixFile {
  std::string input;
  std::string output;
  std::uint64_t records = 0;    ///< written + dropped + rejected
  std::uint64_t written = 0;    ///< in the output: untouched (the same bytes) or rewritten
  std::uint64_t rewritten = 0;  ///< of those written: rewritten as the template renders them
  std::uint64_t dropped = 0;    ///< removed by a fix (duplicate-record, split-leakage)
  std::uint64_t rejected = 0;   ///< not read, so not fixable; like dropped ones, in the rejects file
  std::uint64_t blank_lines = 0;
};

struct LintFixSummary {
  std::string input;
  std::string output;
  std::string template_name;  ///< the template drifting records were rewritten for; "" for none
  std::vector<LintFixFile> files;
  /// The records each rule changed: dropped (duplicate-record, split-leakage), rewritten
  /// (template-drift) or rejected (the rule a record could not be read by).
  std::map<Rule, std::uint64_t> by_rule;
  std::string rejects_path;  ///< every record not in the output is here, with path, line, rule, reason
  std::vector<SkippedInput> skipped;
  std::vector<std::string> notices;
  std::vector<std::string> notes;  ///< what was not fixed, and why
  LintReport remaining;            ///< the written dataset, linted with the same options
  std::uint64_t records() const;
  std::uint64_t written() const;
  std::uint64_t rewritten() const;
  std::uint64_t dropped() const;
  std::uint64_t rejected() const;
};

/// `chatfmt lint IN --fix -o OUT`: a corrected copy of IN (a file, or a dataset directory
/// mirrored below OUT), never IN itself: exact duplicates dropped (the first kept), train records
/// whose conversation is in valid or test dropped, records that drift from --template rewritten,
/// records that cannot be read rejected; the rules not selected are not fixed. Output files follow
/// convert's file policy. Throws UsageError.
LintFixSummary lint_fix(const std::string& input, const std::string& output, const std::string& rejects_path,
                        const LintOptions& options);

// ---- reports ---------------------------------------------------------------------------------

/// For people: `path:line:col: severity CODE id: message`, grouped by file, then the notes and a
/// table of findings by rule. `color`: ANSI colours (the CLI passes a terminal's, NO_COLOR aside).
std::string lint_report_text(const LintReport& report, bool color);
/// A stable document for machines (schemas/lint-report.schema.json).
std::string lint_report_json(const LintReport& report);
/// JUnit XML: a testsuite per file, a testcase per rule that ran; a rule with findings in a file
/// fails there, its failure listing them.
std::string lint_report_junit(const LintReport& report);
/// GitHub Actions workflow commands (::error file=…,line=…,col=…,title=…::message), a line each.
std::string lint_report_github(const LintReport& report);
/// SARIF 2.1.0 for code-scanning UIs: the rules that ran, with help; results with locations.
std::string lint_report_sarif(const LintReport& report);

/// The formats of write_lint_report, by the names --format takes.
enum class LintReportFormat { text, json, junit, github, sarif };
std::optional<LintReportFormat> parse_lint_report_format(std::string_view name);
const std::vector<std::string_view>& lint_report_format_names();
/// The report in `format` to `out`, written as it is made: with a finding per record a report can
/// be larger than the dataset. `color` is for text only. Throws UsageError when `out` fails.
void write_lint_report(const LintReport& report, LintReportFormat format, std::FILE* out, bool color = false);

/// What --fix changed, per file and per rule, and what is left in the output by rule.
std::string lint_fix_summary_text(const LintFixSummary& summary);
std::string lint_fix_summary_json(const LintFixSummary& summary);

}  // namespace chatfmt
