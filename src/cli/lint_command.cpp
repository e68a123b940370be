// chatfmt lint PATH... [--to T] [--template T] [--tokenizer F --max-seq-length N] [--format F]
//                      [--select/--ignore RULE...] [--list-rules] [--fix -o OUT [--rejects FILE]]
#include <unistd.h>
#include <cstdio>
#include <cstdlib>

#include "chatfmt/errors.hpp"
#include "chatfmt/lint.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/terminal.hpp"

namespace chatfmt::cli {
namespace {

struct LintArgs {
  std::vector<std::string> paths;
  ConvertArgs convert;
  std::string template_name;
  std::string arguments;
  std::string tokenizer_path;
  std::uint64_t max_seq_length = 0;
  std::string format = "text";
  std::vector<std::string> select;
  std::vector<std::string> ignore;
  bool list_rules = false;
  std::string config;
  std::string baseline;
  std::string write_baseline;
  bool quiet = false;
  bool fix = false;
  std::string output;
  std::string rejects;
};

void print_rules() {
  for (const auto& rule : rules()) {
    std::printf("%-5s %-24s %-8s %s\n", std::string(rule.code).c_str(), std::string(rule.id).c_str(),
                std::string(severity_name(rule.severity)).c_str(), std::string(rule.summary).c_str());
  }
}

// lint --fix: the summary of what changed and what is left; exit 1 when a record could not be
// read (it waits in the rejects file for a person) or errors are left that --fix does not fix.
int run_fix(const LintArgs& args, const LintOptions& options, Progress& progress) {
  const LintFixSummary summary = lint_fix(args.paths.front(), args.output, args.rejects, options);
  progress.clear();
  report_inputs(summary.notices, summary.skipped, args.quiet);
  if (args.format == "json") {
    std::printf("%s\n", lint_fix_summary_json(summary).c_str());
  } else {
    std::fputs(lint_fix_summary_text(summary).c_str(), stdout);
  }
  return summary.rejected() > 0 || summary.remaining.errors() > 0 ? 1 : 0;
}

int run_lint(const LintArgs& args) {
  if (args.list_rules) {
    print_rules();
    return 0;
  }
  if (args.paths.empty()) throw UsageError("lint needs a PATH (a file or a dataset directory)");
  if (args.fix && args.output.empty()) {
    throw UsageError(
        "--fix writes a corrected copy and needs -o OUT (a new directory for a dataset directory, a file "
        "for a file); it never changes the input");
  }
  if (!args.fix && (!args.output.empty() || !args.rejects.empty())) {
    throw UsageError(std::string(args.output.empty() ? "--rejects" : "-o") +
                     " is where --fix writes; add --fix to write a corrected copy (lint alone writes nothing)");
  }
  if (args.fix && args.paths.size() != 1) {
    throw UsageError("--fix corrects one dataset (a file or a directory of splits) at a time; give one PATH");
  }
  LintOptions options;
  options.convert = args.convert.options();
  options.template_name = args.template_name;
  if (!args.arguments.empty() && (args.template_name.empty() || !is_jinja_template(args.template_name))) {
    throw UsageError(
        "--arguments says how a Jinja --template FILE gets tool-call arguments; chatfmt's own "
        "templates take them as the official ones do; drop --arguments or give a .jinja file");
  }
  options.template_arguments_as_strings = args.arguments == "string";
  options.tokenizer_path = args.tokenizer_path;
  options.max_seq_length = args.max_seq_length;
  if (!args.config.empty()) apply_lint_config(args.config, options);
  options.select.insert(options.select.end(), args.select.begin(), args.select.end());
  options.ignore.insert(options.ignore.end(), args.ignore.begin(), args.ignore.end());
  // Keeping foreign delimiters knowingly, as convert does, is not reporting them.
  if (options.convert.foreign_delimiters == ForeignDelimiterPolicy::keep)
    options.ignore.emplace_back("foreign-delimiter");
  Progress progress(args.quiet);
  options.convert.pipeline.on_progress = progress.callback();
  if (args.fix) return run_fix(args, options, progress);
  LintReport report = lint_paths(args.paths, options);
  progress.clear();
  if (!args.write_baseline.empty()) {
    write_lint_baseline(report, args.paths, args.write_baseline, options.convert.input);
    std::fprintf(stderr, "chatfmt: wrote %zu findings to the baseline %s\n", report.findings.size(),
                 args.write_baseline.c_str());
  }
  if (!args.baseline.empty()) {
    const LintBaselineResult known = apply_lint_baseline(report, args.paths, args.baseline);
    std::fprintf(stderr, "chatfmt: %llu findings in the baseline %s not shown\n",
                 static_cast<unsigned long long>(known.matched), args.baseline.c_str());
    if (!known.stale.empty()) {
      std::fprintf(stderr, "chatfmt: %zu baseline entries no longer occur (refresh it with --write-baseline):\n",
                   known.stale.size());
      for (std::size_t k = 0; k < known.stale.size() && k < 10; ++k) {
        std::fprintf(stderr, "  %s\n", known.stale[k].c_str());
      }
    }
  }
  write_lint_report(report, *parse_lint_report_format(args.format), stdout, color_on_stdout());
  return report.errors() > 0 ? 1 : 0;
}

}  // namespace

void add_lint_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LintArgs>();
  CLI::App* cmd =
      app.add_subcommand("lint",
                         "Find what would ruin a training run: bad records, leaked control strings, template drift, "
                         "duplicates, split leakage (exit 1 on errors)");
  cmd->add_option("PATH", args->paths, "files or dataset directories (every *.jsonl below; train/valid/test by name)");
  add_convert_options(*cmd, args->convert, "the target whose rules records must meet");
  cmd->add_option("--template", args->template_name,
                  "compare each record's own text with this model template's rendering (template-drift): "
                  "qwen3-coder, a text target (mistral-v13, ...), or a Jinja chat template FILE (rendered by "
                  "python3-jinja2 as transformers does)");
  cmd->add_option("--arguments", args->arguments,
                  "with --template FILE: tool-call arguments reach the template as objects (default, transformers' "
                  "convention) or as JSON strings (Mistral's v3 and v7 templates need them)")
      ->check(CLI::IsMember({"object", "string"}));
  cmd->add_option("--tokenizer", args->tokenizer_path,
                  "tokenizer.json, tekken.json or a SentencePiece .model: counts tokens for too-long and names "
                  "control tokens in leakage findings")
      ->check(CLI::ExistingFile);
  cmd->add_option("--max-seq-length", args->max_seq_length,
                  "records longer than N tokens (as --to renders them, with --tokenizer) are too-long")
      ->check(whole_number(1, std::uint64_t{1} << 40));
  cmd->add_option("--format", args->format,
                  "text (default; for people), json (schemas/lint-report.schema.json), junit (CI test reports), "
                  "github (Actions annotations) or sarif (2.1.0, code-scanning UIs)")
      ->check(CLI::IsMember(
          std::vector<std::string>(lint_report_format_names().begin(), lint_report_format_names().end())));
  cmd->add_option("--select", args->select, "only these rules: ids, codes or code prefixes (T, Q00); repeatable")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--ignore", args->ignore, "not these rules: ids, codes or code prefixes; repeatable")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--config", args->config,
                  "JSON file: select, ignore, severity {rule: level}, thresholds, exclude (docs/cli.md)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--baseline", args->baseline,
                  "accept the findings this file holds (by rule and record content hash): only new ones count")
      ->check(non_empty_path());
  cmd->add_option("--write-baseline", args->write_baseline, "write the findings as a baseline to this file")
      ->check(non_empty_path());
  cmd->add_flag("--list-rules", args->list_rules, "list every rule: code, id, default severity, what it finds");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress line");
  cmd->add_flag("--fix", args->fix,
                "write a corrected copy to -o OUT: exact duplicates dropped, train records leaking into valid/test "
                "dropped, records drifting from --template rewritten; never changes PATH");
  cmd->add_option("-o,--output", args->output, "--fix: the corrected copy (a directory for a directory PATH)")
      ->check(non_empty_path());
  cmd->add_option("--rejects", args->rejects,
                  "--fix: where records not in the copy go, with path, line, rule and reason (default: OUT without "
                  ".jsonl, plus .rejects.jsonl)")
      ->check(non_empty_path());
  cmd->callback([args, &exit_code] { exit_code = run_lint(*args); });
}

}  // namespace chatfmt::cli
