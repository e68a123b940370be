// `convert` over files and directories: one pipeline per input file, every record accounted for
// in the output or the rejects file, everything renamed into place only when the run succeeds.
#include <algorithm>
#include <filesystem>

#include "chatfmt/errors.hpp"
#include "chatfmt/pipeline.hpp"
#include "core/atomic_file.hpp"
#include "core/rejects.hpp"

namespace chatfmt {
namespace fs = std::filesystem;

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
  if (output == "-") return "chatfmt.rejects.jsonl";
  std::string base = output;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  constexpr std::string_view suffix = ".jsonl";
  if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0) {
    base.resize(base.size() - suffix.size());
  }
  return base + ".rejects.jsonl";
}

std::vector<std::string> list_jsonl_inputs(const std::string& path) {
  std::error_code ec;
  if (path == "-" || !fs::is_directory(path, ec)) return {path};
  std::vector<std::string> files;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".jsonl") files.push_back(it->path().string());
  }
  if (ec) throw UsageError(path + ": cannot list the directory: " + ec.message());
  std::sort(files.begin(), files.end());  // same order on every machine
  if (files.empty()) throw UsageError(path + ": no *.jsonl files below this directory");
  return files;
}

namespace {

struct Job {
  std::string input;
  std::string output;
};

std::vector<Job> plan_jobs(const std::string& input, const std::string& output) {
  std::error_code ec;
  const bool input_is_dir = input != "-" && fs::is_directory(input, ec);
  if (input != "-" && !input_is_dir && !fs::exists(input, ec)) throw UsageError(input + ": no such file or directory");
  std::vector<Job> jobs;
  if (input_is_dir) {
    if (output == "-") throw UsageError("a directory input needs an output directory, not -");
    if (fs::exists(output, ec) && !fs::is_directory(output, ec)) {
      throw UsageError(output + ": exists and is not a directory (a directory input writes a directory)");
    }
    for (const auto& file : list_jsonl_inputs(input)) {
      jobs.push_back({file, (fs::path(output) / fs::relative(file, input)).string()});
    }
  } else if (output != "-" && fs::is_directory(output, ec)) {
    jobs.push_back({input, (fs::path(output) / fs::path(input == "-" ? "stdin.jsonl" : input).filename()).string()});
  } else {
    jobs.push_back({input, output});
  }
  for (const auto& job : jobs) {
    if (job.input != "-" && job.output != "-" && fs::exists(job.output, ec) &&
        fs::equivalent(job.input, job.output, ec)) {
      throw UsageError(job.output + ": output is the input file; write somewhere else");
    }
  }
  return jobs;
}

}  // namespace

ConvertSummary convert_paths(const std::string& input, const std::string& output, const std::string& rejects_path,
                             const ConvertOptions& options) {
  const RecordConverter converter(options);
  ConvertSummary summary;
  summary.rejects_path = rejects_path.empty() ? default_rejects_path(output) : rejects_path;
  const std::vector<Job> jobs = plan_jobs(input, output);

  detail::AtomicFile rejects(summary.rejects_path);
  std::vector<std::unique_ptr<detail::AtomicFile>> outputs;
  std::uint64_t budget_used = 0;
  std::string reject_line;
  for (const auto& job : jobs) {
    outputs.push_back(std::make_unique<detail::AtomicFile>(job.output));
    detail::AtomicFile& out = *outputs.back();
    FileCounters counters;
    counters.input_path = job.input;
    counters.output_path = job.output;
    const bool finished = process_jsonl(
        job.input, [&](std::string_view line, const SourceRef& source) { return converter.convert(line, source); },
        [&](const SourceRef& source, std::string_view line, RecordOutcome& outcome) {
          if (outcome.accepted) {
            outcome.output.push_back('\n');
            out.write(outcome.output);
          } else {
            reject_line.clear();
            detail::append_reject_line(reject_line, source, line, outcome);
            rejects.write(reject_line);
          }
        },
        options.pipeline, counters, budget_used);
    out.finish();
    summary.files.push_back(std::move(counters));
    if (!finished) {
      summary.stopped_by_limit = true;
      break;
    }
  }
  for (auto& out : outputs) out->commit();
  rejects.commit();
  return summary;
}

}  // namespace chatfmt
