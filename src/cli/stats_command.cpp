// chatfmt stats PATH... [--format text|json] [--tools FILE]
#include <cstdio>

#include "chatfmt/stats.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/report_file.hpp"
#include "cli/terminal.hpp"

namespace chatfmt::cli {
namespace {

struct StatsArgs {
  std::vector<std::string> paths;
  ReadArgs read;
  std::string format = "text";
  std::string html;
  std::string tokenizer;
  std::string target = std::string(kDefaultTarget);
  bool quiet = false;
  InputOptions input;
  PipelineOptions pipeline;
};

int run_stats(const StatsArgs& args) {
  StatsOptions options;
  options.read = args.read.options();
  options.input = args.input;
  options.pipeline = args.pipeline;
  options.tokenizer_path = args.tokenizer;
  options.target = args.target;
  Progress progress(args.quiet);
  options.pipeline.on_progress = progress.callback();
  std::vector<DatasetStats> datasets;
  for (const auto& path : args.paths) datasets.push_back(dataset_stats(path, options));
  progress.clear();
  if (!args.html.empty()) {
    write_report_file(args.html, stats_report_html(datasets), args.paths, args.input, "--html file");
  }
  if (args.format == "markdown") {
    std::fputs(stats_report_markdown(datasets).c_str(), stdout);
  } else if (args.format == "json") {
    std::printf("%s\n", stats_report_json(datasets).c_str());
  } else {
    std::fputs(stats_report_text(datasets, color_on_stdout()).c_str(), stdout);
  }
  return 0;
}

}  // namespace

void add_stats_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = app.add_subcommand("stats", "What a dataset holds: records, roles, encodings, tools, lengths");
  cmd->add_option("PATH", args->paths, "files or dataset directories (every *.jsonl below; train/valid/test by name)")
      ->required();
  add_read_options(*cmd, args->read);
  add_pipeline_options(*cmd, args->pipeline);
  add_input_options(*cmd, args->input);
  cmd->add_option("--format", args->format,
                  "text (default; for people), json (schemas/stats-report.schema.json) or "
                  "markdown (for a pull-request comment)")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  cmd->add_option("--tokenizer", args->tokenizer,
                  "tokenizer.json, tekken.json or a SentencePiece .model: token lengths as the trainer sees the "
                  "records (rendered by --to)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--to", args->target, "with --tokenizer: the text target the records are rendered by")
      ->capture_default_str();
  cmd->add_option("--html", args->html,
                  "also write the report as one self-contained HTML page with charts (opens offline)");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress line");
  cmd->callback([args, &exit_code] { exit_code = run_stats(*args); });
}

}  // namespace chatfmt::cli
