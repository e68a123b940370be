// `convert` over files and directories: one pipeline per input file, every record accounted for
// in the output or the rejects file, everything renamed into place only when the run succeeds.
#include "chatfmt/convert.hpp"
#include "core/file_policy.hpp"
#include "core/output_plan.hpp"
#include "core/progress.hpp"
#include "core/rejects.hpp"

namespace chatfmt {

std::uint64_t ConvertSummary::records() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.records;
  return n;
}
std::uint64_t ConvertSummary::converted() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.converted;
  return n;
}
std::uint64_t ConvertSummary::rejected() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.rejected;
  return n;
}

std::string default_rejects_path(const std::string& output) {
  // A rejects file beside a device or a FIFO makes no sense (/dev/null.rejects.jsonl).
  if (detail::is_direct_output(output)) return "chatfmt.rejects.jsonl";
  std::string base = output;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  constexpr std::string_view suffix = ".jsonl";
  if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0) {
    base.resize(base.size() - suffix.size());
  }
  return base + ".rejects.jsonl";
}

ConvertSummary convert_paths(const std::string& input, const std::string& output, const std::string& rejects_path,
                             const ConvertOptions& options) {
  const RecordConverter converter(options);
  detail::OutputPlan plan = detail::plan_outputs(input, output, rejects_path, options.input);
  ConvertSummary summary;
  summary.target = converter.target().name;
  summary.skipped = std::move(plan.listing.skipped);
  summary.notices = std::move(plan.listing.notices);

  detail::RejectsFile rejects_file(plan.rejects, plan.rejects_always);
  detail::OutputFiles outputs;
  std::uint64_t budget_used = 0;
  std::uint64_t run_bytes = 0;
  const std::uint64_t run_size = options.pipeline.on_progress ? detail::input_size(plan.listing.files) : 0;
  std::string reject_line;
  for (const auto& job : plan.jobs) {
    detail::OutputFile& out = outputs.open(job.output);
    FileCounters counters;
    counters.input_path = job.input;
    counters.output_path = job.output;
    const bool finished = process_jsonl(
        job.input,
        [&](std::string_view line, const SourceRef& source, RecordOutcome& outcome) {
          converter.convert(line, source, outcome);
        },
        [&](const SourceRef& source, std::string_view line, RecordOutcome& outcome) {
          if (outcome.accepted) {
            out.write(outcome.output);  // the newline apart: appending it could copy a huge record
            out.write("\n");
          } else {
            reject_line.clear();
            detail::append_reject_line(reject_line, source, line, outcome);
            rejects_file.write(reject_line);
          }
        },
        detail::with_run_progress(options.pipeline, run_bytes, run_size), counters, budget_used);
    run_bytes += detail::input_size(job.input);
    out.finish();
    summary.files.push_back(std::move(counters));
    if (!finished) {
      summary.stopped_by_limit = true;
      break;
    }
  }
  // Every byte is flushed (and every write error seen) before anything is renamed into place.
  rejects_file.finish();
  outputs.commit_all();
  summary.rejects_path = rejects_file.commit();
  summary.rejects_on_demand = rejects_file.created_on_demand();
  return summary;
}

}  // namespace chatfmt
