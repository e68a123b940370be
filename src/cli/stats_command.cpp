// chatfmt stats PATH... [--tokenizer FILE [--to T]] [--format text|json|markdown] [--html FILE]
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
  DatasetReportArgs report;
};

int run_stats(const StatsArgs& args) {
  Progress progress(args.report.quiet);
  const StatsOptions options = args.report.options(progress.callback());
  std::vector<DatasetStats> datasets;
  for (const auto& path : args.paths) datasets.push_back(dataset_stats(path, options));
  progress.clear();
  if (!args.report.html.empty()) {
    write_report_file(args.report.html, stats_report_html(datasets), args.paths, args.report.input, "--html file");
  }
  if (args.report.format == "markdown") {
    std::fputs(stats_report_markdown(datasets).c_str(), stdout);
  } else if (args.report.format == "json") {
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
  add_dataset_report_options(*cmd, args->report, "schemas/stats-report.schema.json");
  cmd->callback([args, &exit_code] { exit_code = run_stats(*args); });
}

}  // namespace chatfmt::cli
