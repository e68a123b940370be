// chatfmt convert IN -o OUT [--to TARGET] ...
#include <cstdio>
#include <map>

#include "chatfmt/errors.hpp"
#include "chatfmt/pipeline.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/terminal.hpp"

namespace chatfmt::cli {
namespace {

struct ConvertArgs {
  std::string input_path;
  std::string output;
  std::string target = "devstral-small-2";
  std::string tools_file;
  std::string rejects;
  std::string foreign = "reject";
  std::vector<std::string> ignored_keys;
  bool no_tools = false;
  bool drop_text_with_tool_calls = false;
  bool quiet = false;
  bool json = false;
  InputOptions input;
  PipelineOptions pipeline;
};

std::string target_help() {
  std::string help = "target format (default devstral-small-2):";
  for (const auto& info : writers()) {
    help += "\n  " + std::string(info.name);
    for (auto alias : info.aliases) help += " (alias " + std::string(alias) + ")";
    help += ": " + std::string(info.description);
  }
  return help;
}

void print_summary(const ConvertArgs& args, const WriterInfo& target, const ConvertSummary& summary) {
  std::FILE* out = args.output == "-" ? stderr : stdout;
  if (args.json) {
    Json files = Json::array();
    for (const auto& f : summary.files) {
      files.push_back(Json{{"input", f.input_path},
                           {"output", f.output_path},
                           {"records", f.records},
                           {"converted", f.converted},
                           {"rejected", f.rejected},
                           {"blank_lines", f.blank_lines},
                           {"rejected_by_rule", f.rejected_by_rule}});
    }
    Json skipped = Json::array();
    for (const auto& entry : summary.skipped) skipped.push_back(Json{{"path", entry.path}, {"reason", entry.reason}});
    const Json report{{"target", target.name},
                      {"files", files},
                      {"records", summary.records()},
                      {"converted", summary.converted()},
                      {"rejected", summary.rejected()},
                      {"rejects", summary.rejects_path.empty() ? Json(nullptr) : Json(summary.rejects_path)},
                      {"skipped", skipped},
                      {"stopped_by_limit", summary.stopped_by_limit}};
    std::fprintf(out, "%s\n", report.dump(2).c_str());
    return;
  }
  std::fprintf(out, "chatfmt convert -> %.*s\n", static_cast<int>(target.name.size()), target.name.data());
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
                 static_cast<unsigned long long>(args.pipeline.limit));
  }
}

int run_convert(const ConvertArgs& args) {
  const WriterInfo* target = find_writer(args.target);
  if (target == nullptr) throw UsageError("unknown target '" + args.target + "' (see chatfmt convert --help)");
  if (args.drop_text_with_tool_calls && target->name != "mistral-v3") {
    throw UsageError("--drop-text-with-tool-calls only applies to --to mistral-v3");
  }
  if (args.no_tools && !args.tools_file.empty()) throw UsageError("--tools and --no-tools exclude each other");
  ConvertOptions options;
  options.target = std::string(target->name);
  if (!args.tools_file.empty()) options.tools = load_tools_file(args.tools_file);
  options.no_tools = args.no_tools;
  options.foreign_delimiters = args.foreign == "keep" ? ForeignDelimiterPolicy::keep : ForeignDelimiterPolicy::reject;
  options.writer.drop_text_with_tool_calls = args.drop_text_with_tool_calls;
  options.read.ignored_keys = args.ignored_keys;
  options.input = args.input;
  options.pipeline = args.pipeline;
  Progress progress(args.quiet);
  options.pipeline.on_progress = [&](std::uint64_t records, std::uint64_t bytes) { progress.update(records, bytes); };
  const ConvertSummary summary = convert_paths(args.input_path, args.output, args.rejects, options);
  progress.clear();
  report_inputs(summary.notices, summary.skipped, args.quiet);
  print_summary(args, *target, summary);
  if (summary.rejects_on_demand) {
    std::fprintf(stderr, "chatfmt: %llu rejected records written to %s\n",
                 static_cast<unsigned long long>(summary.rejected()), summary.rejects_path.c_str());
  }
  return summary.rejected() == 0 ? 0 : 1;
}

}  // namespace

void add_convert_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert chat records to a target format, accounting for every record");
  cmd->add_option("IN", args->input_path, "input .jsonl file, directory (every *.jsonl below it) or - for stdin")
      ->required();
  cmd->add_option("-o,--output", args->output, "output file, directory (mirrors IN) or - for stdout")
      ->required()
      ->check(non_empty_path());
  cmd->add_option("--to", args->target, target_help());
  cmd->add_option("--tools", args->tools_file, "OpenAI tool list (JSON) for [AVAILABLE_TOOLS] and XML value types")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--no-tools", args->no_tools, "render no tool list at all");
  cmd->add_option("--rejects", args->rejects, "rejects file (default: OUT without .jsonl, plus .rejects.jsonl)")
      ->check(non_empty_path());
  add_limit_option(*cmd, args->pipeline.limit, "convert at most N records in all, then stop");
  add_pipeline_options(*cmd, args->pipeline);
  add_input_options(*cmd, args->input);
  cmd->add_option("--on-foreign-delimiter", args->foreign,
                  "what to do with a record whose text holds another format's chat-control string")
      ->check(CLI::IsMember({"reject", "keep"}));
  cmd->add_flag("--drop-text-with-tool-calls", args->drop_text_with_tool_calls,
                "mistral-v3 only: drop assistant text that precedes tool calls (v3 refuses both in one turn)");
  cmd->add_option("--ignore-key", args->ignored_keys, "top-level record key to drop knowingly (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("-q,--quiet", args->quiet, "no progress line");
  cmd->add_flag("--json", args->json, "print the summary as JSON");
  cmd->callback([args, &exit_code] { exit_code = run_convert(*args); });
}

}  // namespace chatfmt::cli
