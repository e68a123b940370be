// Every option more than one subcommand takes, declared once: each command adds the groups it
// needs, and the values become the library's options in one place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "chatfmt/convert.hpp"
#include "chatfmt/stats.hpp"

namespace chatfmt::cli {

/// How records are read: --tools, --ignore-key, --tool-result-prefix.
struct ReadArgs {
  std::string tools_file;
  std::vector<std::string> ignored_keys;
  std::vector<std::string> tool_result_prefixes;  ///< empty: not given (the default prefix)
  ReadOptions options() const;
};

/// How records are converted: --to, the read options, --no-tools, --on-foreign-delimiter, the
/// writer options of the targets table, the pipeline and input options.
struct ConvertArgs {
  std::string target = std::string(kDefaultTarget);
  ReadArgs read;
  bool no_tools = false;
  std::string foreign = "reject";
  std::vector<WriterOption> writer_flags;
  InputOptions input;
  PipelineOptions pipeline;
  ConvertOptions options() const;
};

/// What stats and diff share: how records are read, token lengths, the report's forms.
struct DatasetReportArgs {
  ReadArgs read;
  InputOptions input;
  PipelineOptions pipeline;
  std::string tokenizer;
  std::string target = std::string(kDefaultTarget);
  std::string format = "text";
  std::string html;
  bool quiet = false;
  /// The StatsOptions they say, progress on a terminal given by `on_progress`.
  StatsOptions options(std::function<void(const ProgressEvent&)> on_progress) const;
};
/// Adds them; `schema` names the JSON report's schema file in --format's help.
void add_dataset_report_options(CLI::App& cmd, DatasetReportArgs& args, const std::string& schema);

void add_read_options(CLI::App& cmd, ReadArgs& args);
/// `target_help`: what --to is for in this command.
void add_convert_options(CLI::App& cmd, ConvertArgs& args, const std::string& target_help);

/// --follow-symlinks and --skip-unreadable (docs/cli.md "Files").
void add_input_options(CLI::App& cmd, InputOptions& options);
/// --threads (1-1024; default all cores) and --max-record-bytes, validated before anything runs.
void add_pipeline_options(CLI::App& cmd, PipelineOptions& options);
/// --limit N (N >= 1; a negative, zero or overflowing N is a usage error).
void add_limit_option(CLI::App& cmd, std::uint64_t& limit, const std::string& help);

/// A number option from min to max, checked as decimal digits before CLI11 converts it.
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max);
/// A path option given as "" is a usage error, never "not given".
CLI::Validator non_empty_path();

/// Prints the skipped entries of a listing to stderr, and its notices unless quiet.
void report_inputs(const std::vector<std::string>& notices, const std::vector<SkippedInput>& skipped, bool quiet);

}  // namespace chatfmt::cli
