// chatfmt tokens --tokenizer FILE [--check TARGET] [--delimiter STR]... [PATH...]
#include <algorithm>
#include <cstdio>

#include "chatfmt/errors.hpp"
#include "chatfmt/tokens.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/report_json.hpp"
#include "cli/terminal.hpp"

namespace chatfmt::cli {
namespace {

struct TokensArgs {
  std::string tokenizer_path;
  std::string check_target;
  std::vector<std::string> delimiters;
  std::vector<std::string> paths;
  ConvertArgs convert;
  std::uint64_t max_seq_length = 2048;
  std::string dump_ids;
  bool json = false;
  bool quiet = false;
};

ReportJson ids_json(const std::vector<TokenId>& ids) { return ReportJson(ids); }

std::string join_ids(const std::vector<TokenId>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i == 0 ? "" : ", ") + std::to_string(ids[i]);
  return out;
}

std::string join_pieces(const std::vector<std::string>& pieces) {
  std::string out;
  for (std::size_t i = 0; i < pieces.size(); ++i) out += (i == 0 ? "'" : ", '") + pieces[i] + "'";
  return out;
}

// Gate 0: every delimiter must be one token. Returns whether all are.
bool run_gate(const TokensArgs& args, const Tokenizer& tokenizer, ReportJson& json_out) {
  std::vector<std::string> delimiters;
  if (!args.check_target.empty()) {
    const TargetInfo* target = find_target(args.check_target);
    if (target == nullptr) throw UsageError("unknown target '" + args.check_target + "' (see chatfmt convert --help)");
    if (target->delimiters().empty())
      throw UsageError("target '" + std::string(target->name) + "' renders no delimiters");
    for (auto d : target->delimiters()) delimiters.emplace_back(d);
  }
  delimiters.insert(delimiters.end(), args.delimiters.begin(), args.delimiters.end());
  const auto checks = check_delimiters(tokenizer, delimiters);
  const auto passed = static_cast<std::size_t>(
      std::count_if(checks.begin(), checks.end(), [](const auto& c) { return c.single_token(); }));
  if (args.json) {
    ReportJson items = ReportJson::array();
    for (const auto& c : checks) {
      ReportJson item{{"delimiter", c.delimiter},
                      {"single_token", c.single_token()},
                      {"ids", ids_json(c.ids)},
                      {"pieces", c.pieces},
                      {"special", c.special}};
      item["vocabulary_id"] = c.vocabulary_id ? ReportJson(*c.vocabulary_id) : ReportJson(nullptr);
      items.push_back(std::move(item));
    }
    json_out["gate0"] = ReportJson{{"target", args.check_target},
                                   {"checked", checks.size()},
                                   {"single_tokens", passed},
                                   {"passed", passed == checks.size()},
                                   {"delimiters", items}};
    return passed == checks.size();
  }
  std::printf("Gate 0%s%s: delimiters with %s (%.*s, %zu tokens)\n", args.check_target.empty() ? "" : " for ",
              args.check_target.c_str(), args.tokenizer_path.c_str(), static_cast<int>(tokenizer.kind().size()),
              tokenizer.kind().data(), tokenizer.vocab_size());
  for (const auto& c : checks) {
    if (c.single_token()) {
      std::printf("  ok    %-20s id %d, %s\n", c.delimiter.c_str(), c.ids.front(),
                  c.special ? "special/control" : "ordinary (not special)");
    } else if (!c.vocabulary_id) {
      std::printf("  FAIL  %-20s not a token of this vocabulary: splits into %zu tokens, ids [%s], pieces [%s]\n",
                  c.delimiter.c_str(), c.ids.size(), join_ids(c.ids).c_str(), join_pieces(c.pieces).c_str());
    } else {
      std::printf(
          "  FAIL  %-20s is token %d of the vocabulary, but text encoding splits it into %zu tokens, ids [%s], pieces "
          "[%s]\n",
          c.delimiter.c_str(), *c.vocabulary_id, c.ids.size(), join_ids(c.ids).c_str(), join_pieces(c.pieces).c_str());
    }
  }
  std::printf("  %zu checked, %zu single tokens, %zu not%s\n", checks.size(), passed, checks.size() - passed,
              passed == checks.size() ? "" : " — Gate 0 fails");
  return passed == checks.size();
}

void print_histogram(const TokenCountReport& report, std::uint64_t max_seq_length) {
  if (report.counts.empty()) return;
  // Power-of-two buckets from 128 up: the shape that matters is around the sequence limit.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> buckets;  // upper bound (exclusive), records
  std::uint64_t bound = 128;
  while (bound <= report.max) bound *= 2;
  for (std::uint64_t b = 128; b <= bound; b *= 2) buckets.emplace_back(b, 0);
  for (const auto count : report.counts) {
    for (auto& [upper, records] : buckets) {
      if (count < upper) {
        ++records;
        break;
      }
    }
  }
  std::uint64_t widest = 1;
  for (const auto& b : buckets) widest = std::max(widest, b.second);
  std::uint64_t lower = 0;
  for (const auto& [upper, records] : buckets) {
    const auto width = static_cast<int>((records * 40 + widest - 1) / widest);
    std::string bar;
    for (int i = 0; i < 40; ++i) bar += i < width ? "█" : " ";  // padded by characters, not bytes
    const bool limit_inside = max_seq_length != 0 && max_seq_length >= lower && max_seq_length < upper;
    std::printf("    %6llu–%-6llu %s %llu%s\n", static_cast<unsigned long long>(lower),
                static_cast<unsigned long long>(upper - 1), bar.c_str(), static_cast<unsigned long long>(records),
                limit_inside ? "  ← --max-seq-length" : "");
    lower = upper;
  }
}

bool run_counts(const TokensArgs& args, const Tokenizer& tokenizer, ReportJson& json_out) {
  TokenCountOptions options;
  options.convert = args.convert.options();
  options.max_seq_length = args.max_seq_length;
  options.dump_ids_path = args.dump_ids;
  Progress progress(args.quiet || args.json);
  options.convert.pipeline.on_progress = progress.callback();
  const TokenCountReport report = count_tokens(args.paths, tokenizer, options);
  progress.clear();
  report_inputs(report.notices, report.skipped, args.quiet || args.json);
  const bool clean = report.over_limit.empty() && report.rejected.empty();
  if (args.json) {
    ReportJson files = ReportJson::array();
    for (const auto& f : report.files) {
      files.push_back(ReportJson{
          {"path", f.input_path}, {"records", f.records}, {"tokenized", f.converted}, {"rejected", f.rejected}});
    }
    ReportJson over = ReportJson::array();
    for (const auto& o : report.over_limit) {
      over.push_back(ReportJson{
          {"path", o.path}, {"line", o.line}, {"tokens", o.tokens}, {"over_by", o.tokens - args.max_seq_length}});
    }
    ReportJson rejected = ReportJson::array();
    for (const auto& r : report.rejected)
      rejected.push_back(ReportJson{{"path", r.path}, {"line", r.line}, {"rule", r.rule}, {"reason", r.reason}});
    json_out["counts"] = ReportJson{{"target", report.target},
                                    {"records", report.counts.size()},
                                    {"tokens", report.total},
                                    {"min", report.min},
                                    {"median", report.median},
                                    {"p95", report.p95},
                                    {"max", report.max},
                                    {"max_seq_length", args.max_seq_length},
                                    {"over_max_seq_length", over},
                                    {"rejected", rejected},
                                    {"files", files}};
    return clean;
  }
  std::printf("Token counts with %s (message records rendered as %.*s, text records as they are)\n",
              args.tokenizer_path.c_str(), static_cast<int>(report.target.size()), report.target.data());
  for (const auto& f : report.files) {
    std::printf("  %s: %llu records, %llu tokenized, %llu rejected\n", f.input_path.c_str(),
                static_cast<unsigned long long>(f.records), static_cast<unsigned long long>(f.converted),
                static_cast<unsigned long long>(f.rejected));
  }
  std::printf("  %zu records, %llu tokens: min %llu, median %llu, p95 %llu, max %llu\n", report.counts.size(),
              static_cast<unsigned long long>(report.total), static_cast<unsigned long long>(report.min),
              static_cast<unsigned long long>(report.median), static_cast<unsigned long long>(report.p95),
              static_cast<unsigned long long>(report.max));
  print_histogram(report, args.max_seq_length);
  if (args.max_seq_length != 0) {
    std::printf("  %zu records over --max-seq-length %llu%s\n", report.over_limit.size(),
                static_cast<unsigned long long>(args.max_seq_length),
                report.over_limit.empty() ? "" : " (a trainer truncates them):");
    for (const auto& o : report.over_limit) {
      std::printf("    %s:%llu: %llu tokens, %llu over\n", o.path.c_str(), static_cast<unsigned long long>(o.line),
                  static_cast<unsigned long long>(o.tokens),
                  static_cast<unsigned long long>(o.tokens - args.max_seq_length));
    }
  }
  for (const auto& r : report.rejected) {
    std::printf("    %s:%llu: not tokenized [%s] %s\n", r.path.c_str(), static_cast<unsigned long long>(r.line),
                r.rule.c_str(), r.reason.c_str());
  }
  if (!args.dump_ids.empty()) std::printf("  ids of every record written to %s\n", args.dump_ids.c_str());
  return clean;
}

int run_tokens(const TokensArgs& args) {
  if (args.check_target.empty() && args.delimiters.empty() && args.paths.empty()) {
    throw UsageError("nothing to do: give --check TARGET, --delimiter STR, or files to count");
  }
  std::unique_ptr<Tokenizer> tokenizer;
  try {
    tokenizer = load_tokenizer(args.tokenizer_path);
  } catch (const TokenizerError& e) {
    throw UsageError(e.what());
  }
  ReportJson json_out = ReportJson::object();
  json_out["tokenizer"] =
      ReportJson{{"path", args.tokenizer_path}, {"kind", tokenizer->kind()}, {"vocab_size", tokenizer->vocab_size()}};
  bool ok = true;
  if (!args.check_target.empty() || !args.delimiters.empty()) ok = run_gate(args, *tokenizer, json_out) && ok;
  if (!args.paths.empty()) ok = run_counts(args, *tokenizer, json_out) && ok;
  if (args.json) std::printf("%s\n", json_out.dump(2).c_str());
  return ok ? 0 : 1;
}

}  // namespace

void add_tokens_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TokensArgs>();
  CLI::App* cmd =
      app.add_subcommand("tokens", "Gate 0 (single-token delimiters) and token counts with a real tokenizer");
  cmd->add_option("--tokenizer", args->tokenizer_path, "tokenizer.json, tekken.json or SentencePiece .model")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--check", args->check_target, "Gate 0: check every delimiter TARGET uses (see docs/formats.md)");
  cmd->add_option("--delimiter", args->delimiters, "also check this string (repeatable)")->allow_extra_args(false);
  cmd->add_option("PATH", args->paths, "records to count: files or directories (every *.jsonl below)");
  add_convert_options(*cmd, args->convert, "writer for message records; text records are used as they are");
  cmd->add_option("--max-seq-length", args->max_seq_length,
                  "report records longer than N tokens (default 2048, mlx_lm's; 0: off)");
  cmd->add_option("--dump-ids", args->dump_ids,
                  "write each record's ids as a JSON array per line (null if not tokenized)")
      ->check(non_empty_path());
  cmd->add_flag("--json", args->json, "print the results as JSON");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress line");
  cmd->callback([args, &exit_code] { exit_code = run_tokens(*args); });
}

}  // namespace chatfmt::cli
