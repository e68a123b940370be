// Token counts per record, through the same streaming pipeline as convert: each record rendered
// as the trainer sees it (text records as they are, message records through the target writer).
#include <algorithm>

#include "chatfmt/errors.hpp"
#include "chatfmt/tokens.hpp"
#include "core/file_policy.hpp"
#include "core/output_file.hpp"
#include "core/progress.hpp"

namespace chatfmt {
namespace {

std::uint64_t nearest_rank(const std::vector<std::uint32_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size()) + 0.999999999);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace

TokenCountReport count_tokens(const std::vector<std::string>& paths, const Tokenizer& tokenizer,
                              const TokenCountOptions& options) {
  const RecordConverter converter(options.convert);
  if (!converter.target().writes_text) {
    std::string names;
    for (const TargetInfo* target : targets()) {
      if (target->writes_text) names += (names.empty() ? "" : ", ") + std::string(target->name);
    }
    throw UsageError("--to " + std::string(converter.target().name) +
                     " writes no text a trainer tokenizes; choose one of " + names);
  }
  TokenCountReport report;
  report.target = converter.target().name;
  std::vector<InputListing> listings;
  std::vector<InputFile> all_inputs;
  for (const auto& path : paths) {
    listings.push_back(list_inputs(path, options.convert.input));
    const InputListing& listing = listings.back();
    all_inputs.insert(all_inputs.end(), listing.files.begin(), listing.files.end());
    report.skipped.insert(report.skipped.end(), listing.skipped.begin(), listing.skipped.end());
    report.notices.insert(report.notices.end(), listing.notices.begin(), listing.notices.end());
  }
  std::unique_ptr<detail::OutputFile> dump;
  if (!options.dump_ids_path.empty()) {
    detail::InputGuard guard(all_inputs, paths, std::find(paths.begin(), paths.end(), "-") != paths.end());
    guard.claim(options.dump_ids_path, "--dump-ids file");
    dump = std::make_unique<detail::OutputFile>(options.dump_ids_path);
  }
  std::uint64_t budget_used = 0;
  std::uint64_t run_bytes = 0;
  const std::uint64_t run_size = options.convert.pipeline.on_progress ? detail::input_size(all_inputs) : 0;

  for (const auto& listing : listings) {
    for (const auto& input_file : listing.files) {
      const std::string& file = input_file.path;
      FileCounters counters;
      counters.input_path = file;
      process_jsonl(
          file,
          [&](std::string_view line, const SourceRef& source, RecordOutcome& outcome) {
            converter.trainer_text(line, source, outcome);
            if (!outcome.accepted) return;
            thread_local std::vector<TokenId> ids;
            ids.clear();
            tokenizer.encode(outcome.output, ids);
            outcome.tokens = ids.size();
            outcome.output.clear();
            if (dump) {
              outcome.output.push_back('[');
              for (std::size_t i = 0; i < ids.size(); ++i) {
                if (i > 0) outcome.output.push_back(',');
                outcome.output += std::to_string(ids[i]);
              }
              outcome.output += "]\n";
            }
          },
          [&](const SourceRef& source, std::string_view, RecordOutcome& outcome) {
            if (!outcome.accepted) {
              report.rejected.push_back({source.path, source.line, std::string(outcome.rule), outcome.reason});
              if (dump) dump->write("null\n");
              return;
            }
            report.counts.push_back(static_cast<std::uint32_t>(outcome.tokens));
            if (options.max_seq_length != 0 && outcome.tokens > options.max_seq_length) {
              report.over_limit.push_back({source.path, source.line, outcome.tokens});
            }
            if (dump) dump->write(outcome.output);
          },
          detail::with_run_progress(options.convert.pipeline, run_bytes, run_size), counters, budget_used);
      run_bytes += detail::input_size(file);
      report.files.push_back(std::move(counters));
    }
  }
  if (dump) dump->commit();

  std::vector<std::uint32_t> sorted = report.counts;
  std::sort(sorted.begin(), sorted.end());
  if (!sorted.empty()) {
    report.min = sorted.front();
    report.max = sorted.back();
    report.median = nearest_rank(sorted, 0.5);
    report.p95 = nearest_rank(sorted, 0.95);
    for (const auto count : sorted) report.total += count;
  }
  return report;
}

}  // namespace chatfmt
