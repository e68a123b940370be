// chatfmt detect PATH... [--json]
#include <cstdio>

#include "chatfmt/detect.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/terminal.hpp"

namespace chatfmt::cli {
namespace {

struct DetectArgs {
  std::vector<std::string> paths;
  ReadArgs read;
  bool json = false;
  bool quiet = false;
  InputOptions input;
  PipelineOptions pipeline;
};

void print_counts(const char* title, const std::map<std::string, std::uint64_t>& counts) {
  if (counts.empty()) return;
  std::printf("    %s:", title);
  for (const auto& [name, n] : counts) std::printf(" %s %llu", name.c_str(), static_cast<unsigned long long>(n));
  std::printf("\n");
}

int run_detect(const DetectArgs& args) {
  PipelineOptions pipeline = args.pipeline;
  Progress progress(args.quiet || args.json);
  pipeline.on_progress = progress.callback();
  std::vector<SkippedInput> skipped;
  const auto reports = detect_paths(args.paths, args.read.options(), pipeline, args.input, &skipped);
  progress.clear();
  report_inputs({}, skipped, false);
  bool any_unknown = false;
  for (const auto& report : reports) any_unknown = any_unknown || !report.unknown.empty();
  if (args.json) {
    std::printf("%s\n", detect_report_json(reports).c_str());
    return any_unknown ? 1 : 0;
  }
  for (const auto& report : reports) {
    std::printf("%s: %llu records, %llu messages (%llu without tool calls or results)\n",
                report.counters.input_path.c_str(), static_cast<unsigned long long>(report.counters.records),
                static_cast<unsigned long long>(report.messages),
                static_cast<unsigned long long>(report.plain_messages));
    print_counts("record shapes", report.records_by_shape);
    print_counts("messages by encoding", report.messages_by_encoding);
    print_counts("records by encoding", report.records_by_encoding);
    std::printf("    records mixing call encodings: %zu", report.mixed_lines.size());
    for (std::size_t k = 0; k < report.mixed_lines.size() && k < 20; ++k) {
      std::printf("%s%llu", k == 0 ? " (lines " : ", ", static_cast<unsigned long long>(report.mixed_lines[k]));
    }
    std::printf("%s\n", report.mixed_lines.empty() ? "" : report.mixed_lines.size() > 20 ? ", …)" : ")");
    std::printf("    unknown records: %zu\n", report.unknown.size());
    for (const auto& unknown : report.unknown) {
      std::printf("      %s:%llu: [%s] %s\n", report.counters.input_path.c_str(),
                  static_cast<unsigned long long>(unknown.line), unknown.rule.c_str(), unknown.reason.c_str());
    }
  }
  return any_unknown ? 1 : 0;
}

}  // namespace

void add_detect_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DetectArgs>();
  CLI::App* cmd = app.add_subcommand("detect", "Report record shapes and tool-call encodings per file");
  cmd->add_option("PATH", args->paths, "files or directories (every *.jsonl below)")->required();
  add_read_options(*cmd, args->read);
  add_pipeline_options(*cmd, args->pipeline);
  add_input_options(*cmd, args->input);
  cmd->add_flag("--json", args->json, "print the report as JSON");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress line");
  cmd->callback([args, &exit_code] { exit_code = run_detect(*args); });
}

}  // namespace chatfmt::cli
