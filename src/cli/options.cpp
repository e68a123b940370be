#include "cli/options.hpp"

#include <charconv>
#include <cstdio>
#include <limits>

#include "chatfmt/errors.hpp"

namespace chatfmt::cli {

// CLI11 2.1 converts "-1" and overflowing numbers into unsigned options without complaint (they
// became "no limit"): numbers are checked here, as decimal digits in range, before conversion.
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& value) -> std::string {
        std::uint64_t number = 0;
        const char* end = value.data() + value.size();
        const auto [ptr, error] = std::from_chars(value.data(), end, number);
        if (value.empty() || error == std::errc::result_out_of_range) {
          return "'" + value + "' is not a number from " + std::to_string(min) + " to " + std::to_string(max);
        }
        if (error != std::errc() || ptr != end || number < min || number > max) {
          return "'" + value + "' is not a whole number from " + std::to_string(min) + " to " + std::to_string(max);
        }
        return {};
      },
      "N", "whole number");
}

CLI::Validator non_empty_path() {
  return CLI::Validator([](std::string& value) { return value.empty() ? std::string("an empty path") : std::string(); },
                        "PATH", "non-empty path");
}

ReadOptions ReadArgs::options() const {
  ReadOptions options;
  if (!tools_file.empty()) options.tools_json = read_tools_file(tools_file);
  options.ignored_keys = ignored_keys;
  if (!tool_result_prefixes.empty()) options.tool_result_prefixes = tool_result_prefixes;
  return options;
}

ConvertOptions ConvertArgs::options() const {
  if (no_tools && !read.tools_file.empty()) throw UsageError("--tools and --no-tools exclude each other");
  ConvertOptions options;
  options.target = target;
  options.read = read.options();
  options.no_tools = no_tools;
  options.foreign_delimiters = foreign == "keep" ? ForeignDelimiterPolicy::keep : ForeignDelimiterPolicy::reject;
  for (const WriterOption option : writer_flags) options.writer.enable(option);
  options.input = input;
  options.pipeline = pipeline;
  return options;
}

void add_read_options(CLI::App& cmd, ReadArgs& args) {
  cmd.add_option("--tools", args.tools_file,
                 "OpenAI tool list (JSON) for records without their own: types XML parameter values, and is the "
                 "tool list targets render")
      ->check(CLI::ExistingFile);
  cmd.add_option("--ignore-key", args.ignored_keys, "top-level record key to drop knowingly (repeatable)")
      ->allow_extra_args(false);
  cmd.add_option("--tool-result-prefix", args.tool_result_prefixes,
                 "a user turn starting with STR right after unanswered tool calls is their result (repeatable; "
                 "default '" +
                     std::string(kDefaultToolResultPrefix) + "'; '' turns it off)")
      ->allow_extra_args(false);
}

void add_convert_options(CLI::App& cmd, ConvertArgs& args, const std::string& target_help) {
  std::string help = target_help + " (default " + std::string(kDefaultTarget) + "):";
  for (const TargetInfo* target : targets()) {
    help += "\n  " + std::string(target->name);
    for (auto alias : target->aliases) help += " (alias " + std::string(alias) + ")";
    help += ": " + std::string(target->description);
  }
  cmd.add_option("--to", args.target, help)
      ->check(CLI::Validator(
          [](std::string& name) {
            return find_target(name) != nullptr ? std::string() : "unknown target '" + name + "' (see --help)";
          },
          "TARGET", "target"));
  add_read_options(cmd, args.read);
  cmd.add_flag("--no-tools", args.no_tools, "render no tool list at all");
  cmd.add_option("--on-foreign-delimiter", args.foreign,
                 "what to do with a record whose text holds another format's chat-control string")
      ->check(CLI::IsMember({"reject", "keep"}));
  for (const auto& option : writer_options()) {
    std::string targets_honouring;
    for (const TargetInfo* target : targets()) {
      if (target->honours(option.option))
        targets_honouring += (targets_honouring.empty() ? "" : ", ") + std::string(target->name);
    }
    cmd.add_flag_callback(
        std::string(option.flag), [&args, which = option.option] { args.writer_flags.push_back(which); },
        targets_honouring + " only: " + std::string(option.help));
  }
  add_pipeline_options(cmd, args.pipeline);
  add_input_options(cmd, args.input);
}

void add_input_options(CLI::App& cmd, InputOptions& options) {
  cmd.add_flag("--follow-symlinks", options.follow_symlinks,
               "in an input directory, follow symlinks that lead out of it, and symlinked directories");
  cmd.add_flag("--skip-unreadable", options.skip_unreadable,
               "skip (and list) input entries that cannot be read instead of stopping with exit 2");
}

void add_pipeline_options(CLI::App& cmd, PipelineOptions& options) {
  cmd.add_option("--threads", options.threads,
                 "worker threads, 1-1024 (default: all cores); output is the same for any N")
      ->check(whole_number(1, 1024));
  cmd.add_option("--max-record-bytes", options.max_record_bytes,
                 "refuse records longer than this (rule record-too-large) without holding them (default 64MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(whole_number(1, std::numeric_limits<std::uint64_t>::max()));
}

void add_limit_option(CLI::App& cmd, std::uint64_t& limit, const std::string& help) {
  cmd.add_option("--limit", limit, help)->check(whole_number(1, std::numeric_limits<std::uint64_t>::max()));
}

void report_inputs(const std::vector<std::string>& notices, const std::vector<SkippedInput>& skipped, bool quiet) {
  if (!quiet) {
    for (const auto& notice : notices) std::fprintf(stderr, "chatfmt: notice: %s\n", notice.c_str());
  }
  for (const auto& entry : skipped) {
    std::fprintf(stderr, "chatfmt: skipped (--skip-unreadable): %s: %s\n", entry.path.c_str(), entry.reason.c_str());
  }
}

StatsOptions DatasetReportArgs::options(std::function<void(const ProgressEvent&)> on_progress) const {
  StatsOptions options;
  options.read = read.options();
  options.input = input;
  options.pipeline = pipeline;
  options.pipeline.on_progress = std::move(on_progress);
  options.tokenizer_path = tokenizer;
  options.target = target;
  return options;
}

void add_dataset_report_options(CLI::App& cmd, DatasetReportArgs& args, const std::string& schema) {
  add_read_options(cmd, args.read);
  add_pipeline_options(cmd, args.pipeline);
  add_input_options(cmd, args.input);
  cmd.add_option("--tokenizer", args.tokenizer,
                 "tokenizer.json, tekken.json or a SentencePiece .model: token lengths as the trainer sees the "
                 "records (rendered by --to)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--to", args.target, "with --tokenizer: the text target the records are rendered by")
      ->capture_default_str();
  cmd.add_option("--format", args.format,
                 "text (default; for people), json (" + schema + ") or markdown (for a pull-request comment)")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  cmd.add_option("--html", args.html,
                 "also write the report as one self-contained HTML page with charts (opens offline)");
  cmd.add_flag("-q,--quiet", args.quiet, "no progress line");
}

}  // namespace chatfmt::cli
