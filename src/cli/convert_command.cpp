// chatfmt convert IN -o OUT [--to TARGET] ...
#include <cstdio>
#include <map>

#include "chatfmt/convert.hpp"
#include "chatfmt/errors.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/report_json.hpp"
#include "cli/terminal.hpp"

namespace chatfmt::cli {
namespace {

struct ConvertCommandArgs {
  std::string input_path;
  std::string output;
  std::string rejects;
  bool quiet = false;
  bool json = false;
  ConvertArgs convert;
};

void print_summary(const ConvertCommandArgs& args, const ConvertSummary& summary) {
  std::FILE* out = args.output == "-" ? stderr : stdout;
  if (args.json) {
    ReportJson files = ReportJson::array();
    for (const auto& f : summary.files) {
      files.push_back(ReportJson{{"input", f.input_path},
                                 {"output", f.output_path},
                                 {"records", f.records},
                                 {"converted", f.converted},
                                 {"rejected", f.rejected},
                                 {"blank_lines", f.blank_lines},
                                 {"rejected_by_rule", f.rejected_by_rule}});
    }
    ReportJson skipped = ReportJson::array();
    for (const auto& entry : summary.skipped)
      skipped.push_back(ReportJson{{"path", entry.path}, {"reason", entry.reason}});
    const ReportJson report{
        {"target", summary.target},
        {"files", files},
        {"records", summary.records()},
        {"converted", summary.converted()},
        {"rejected", summary.rejected()},
        {"rejects", summary.rejects_path.empty() ? ReportJson(nullptr) : ReportJson(summary.rejects_path)},
        {"skipped", skipped},
        {"stopped_by_limit", summary.stopped_by_limit}};
    std::fprintf(out, "%s\n", report.dump(2).c_str());
    return;
  }
  std::fprintf(out, "chatfmt convert -> %.*s\n", static_cast<int>(summary.target.size()), summary.target.data());
  std::map<std::string, std::uint64_t> by_rule;
  for (const auto& f : summary.files) {
    std::fprintf(out, "  %s -> %s: %llu records, %llu converted, %llu rejected", f.input_path.c_str(),
                 f.output_path.c_str(), static_cast<unsigned long long>(f.records),
                 static_cast<unsigned long long>(f.converted), static_cast<unsigned long long>(f.rejected));
    if (f.blank_lines != 0)
      std::fprintf(out, " (%llu blank lines skipped)", static_cast<unsigned long long>(f.blank_lines));
    std::fprintf(out, "\n");
    for (const auto& [rule, n] : f.rejected_by_rule) by_rule[rule] += n;
  }
  std::fprintf(out, "  total: %llu records, %llu converted, %llu rejected (rejects: %s)\n",
               static_cast<unsigned long long>(summary.records()), static_cast<unsigned long long>(summary.converted()),
               static_cast<unsigned long long>(summary.rejected()),
               summary.rejects_path.empty() ? "none written" : summary.rejects_path.c_str());
  if (!summary.skipped.empty()) {
    std::fprintf(out, "  skipped %zu unreadable input entr%s (--skip-unreadable; listed above)\n",
                 summary.skipped.size(), summary.skipped.size() == 1 ? "y" : "ies");
  }
  for (const auto& [rule, n] : by_rule) {
    std::fprintf(out, "  rejected by %s: %llu\n", rule.c_str(), static_cast<unsigned long long>(n));
  }
  if (summary.stopped_by_limit) {
    std::fprintf(out, "  stopped after %llu records (--limit); the rest of the input was not read\n",
                 static_cast<unsigned long long>(args.convert.pipeline.limit));
  }
}

int run_convert(const ConvertCommandArgs& args) {
  ConvertOptions options = args.convert.options();
  Progress progress(args.quiet);
  options.pipeline.on_progress = progress.callback();
  const ConvertSummary summary = convert_paths(args.input_path, args.output, args.rejects, options);
  progress.clear();
  report_inputs(summary.notices, summary.skipped, args.quiet);
  print_summary(args, summary);
  if (summary.rejects_on_demand) {
    std::fprintf(stderr, "chatfmt: %llu rejected records written to %s\n",
                 static_cast<unsigned long long>(summary.rejected()), summary.rejects_path.c_str());
  }
  return summary.rejected() == 0 ? 0 : 1;
}

}  // namespace

void add_convert_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ConvertCommandArgs>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert chat records to a target format, accounting for every record");
  cmd->add_option("IN", args->input_path, "input .jsonl file, directory (every *.jsonl below it) or - for stdin")
      ->required();
  cmd->add_option("-o,--output", args->output, "output file, directory (mirrors IN) or - for stdout")
      ->required()
      ->check(non_empty_path());
  add_convert_options(*cmd, args->convert, "target format");
  cmd->add_option("--rejects", args->rejects, "rejects file (default: OUT without .jsonl, plus .rejects.jsonl)")
      ->check(non_empty_path());
  add_limit_option(*cmd, args->convert.pipeline.limit, "convert at most N records in all, then stop");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress line");
  cmd->add_flag("--json", args->json, "print the summary as JSON");
  cmd->callback([args, &exit_code] { exit_code = run_convert(*args); });
}

}  // namespace chatfmt::cli
