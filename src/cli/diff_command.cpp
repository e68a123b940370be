// chatfmt diff OLD NEW [--key first-user|system+first-user|content] [--tokenizer FILE [--to T]]
//                      [--format text|json|markdown] [--html FILE]
#include <cstdio>

#include "chatfmt/stats.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/report_file.hpp"
#include "cli/terminal.hpp"

namespace chatfmt::cli {
namespace {

struct DiffArgs {
  std::string old_path;
  std::string new_path;
  std::string key = "system+first-user";
  DatasetReportArgs report;
};

int run_diff(const DiffArgs& args) {
  Progress progress(args.report.quiet);
  DiffOptions options;
  options.stats = args.report.options(progress.callback());
  options.key = args.key == "first-user" ? DiffKey::first_user
                : args.key == "content"  ? DiffKey::content
                                         : DiffKey::system_first_user;
  const DiffReport report = diff_datasets(args.old_path, args.new_path, options);
  progress.clear();
  if (!args.report.html.empty()) {
    write_report_file(args.report.html, diff_report_html(report), {args.old_path, args.new_path}, args.report.input,
                      "--html file");
  }
  if (args.report.format == "markdown") {
    std::fputs(diff_report_markdown(report).c_str(), stdout);
  } else if (args.report.format == "json") {
    std::printf("%s\n", diff_report_json(report).c_str());
  } else {
    std::fputs(diff_report_text(report, color_on_stdout()).c_str(), stdout);
  }
  return 0;
}

}  // namespace

void add_diff_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* cmd = app.add_subcommand("diff", "What changed between two versions of a dataset");
  cmd->add_option("OLD", args->old_path, "the old version: a file or a dataset directory")->required();
  cmd->add_option("NEW", args->new_path, "the new version")->required();
  cmd->add_option("--key", args->key,
                  "what makes a record 'the same, changed': system+first-user (default), first-user, or content "
                  "(the same conversation, in another encoding or with other tools)")
      ->check(CLI::IsMember({"system+first-user", "first-user", "content"}));
  add_dataset_report_options(*cmd, args->report, "schemas/diff-report.schema.json");
  cmd->callback([args, &exit_code] { exit_code = run_diff(*args); });
}

}  // namespace chatfmt::cli
