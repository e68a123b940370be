// chatfmt diff OLD NEW [--key first-user|system+first-user|content] [--format text|json]
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
  ReadArgs read;
  std::string key = "system+first-user";
  std::string format = "text";
  std::string html;
  std::string tokenizer;
  std::string target = std::string(kDefaultTarget);
  bool quiet = false;
  InputOptions input;
  PipelineOptions pipeline;
};

int run_diff(const DiffArgs& args) {
  DiffOptions options;
  options.stats.read = args.read.options();
  options.stats.input = args.input;
  options.stats.pipeline = args.pipeline;
  options.key = args.key == "first-user" ? DiffKey::first_user
                : args.key == "content"  ? DiffKey::content
                                         : DiffKey::system_first_user;
  options.stats.tokenizer_path = args.tokenizer;
  options.stats.target = args.target;
  Progress progress(args.quiet);
  options.stats.pipeline.on_progress = progress.callback();
  const DiffReport report = diff_datasets(args.old_path, args.new_path, options);
  progress.clear();
  if (!args.html.empty()) {
    write_report_file(args.html, diff_report_html(report), {args.old_path, args.new_path}, args.input, "--html file");
  }
  if (args.format == "markdown") {
    std::fputs(diff_report_markdown(report).c_str(), stdout);
  } else if (args.format == "json") {
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
  add_read_options(*cmd, args->read);
  add_pipeline_options(*cmd, args->pipeline);
  add_input_options(*cmd, args->input);
  cmd->add_option("--key", args->key,
                  "what makes a record 'the same, changed': system+first-user (default), first-user, or content "
                  "(the same conversation, in another encoding or with other tools)")
      ->check(CLI::IsMember({"system+first-user", "first-user", "content"}));
  cmd->add_option("--format", args->format,
                  "text (default; for people), json (schemas/diff-report.schema.json) or "
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
  cmd->callback([args, &exit_code] { exit_code = run_diff(*args); });
}

}  // namespace chatfmt::cli
