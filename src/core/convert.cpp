// `convert` over files and directories: one pipeline per input file, every record accounted for
// in the output or the rejects file, everything renamed into place only when the run succeeds.
#include <algorithm>
#include <filesystem>

#include "chatfmt/convert.hpp"
#include "chatfmt/errors.hpp"
#include "core/file_policy.hpp"
#include "core/output_file.hpp"
#include "core/progress.hpp"
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

namespace {

struct Job {
  std::string input;
  std::string output;
};

// Outputs removed in reverse order of creation when a run fails, so the directories they created
// are empty again when their turn comes.
struct OutputFiles {
  std::vector<std::unique_ptr<detail::OutputFile>> files;
  OutputFiles() = default;
  OutputFiles(const OutputFiles&) = delete;
  OutputFiles& operator=(const OutputFiles&) = delete;
  ~OutputFiles() {
    while (!files.empty()) files.pop_back();
  }
};

// The rejects file: opened up front when it is always written, else on the first rejected record.
class RejectsFile {
 public:
  RejectsFile(std::string path, bool always) : path_(std::move(path)), always_(always) {
    if (always_) file_ = std::make_unique<detail::OutputFile>(path_);
  }
  void write(std::string_view line) {
    if (!file_) file_ = std::make_unique<detail::OutputFile>(path_);
    file_->write(line);
  }
  void finish() {
    if (file_) file_->finish();
  }
  /// Returns the path written, or "" when none was.
  std::string commit() {
    if (!file_) return {};
    file_->commit();
    return path_;
  }
  bool created_on_demand() const { return file_ && !always_; }

 private:
  std::string path_;
  bool always_;
  std::unique_ptr<detail::OutputFile> file_;
};

}  // namespace

ConvertSummary convert_paths(const std::string& input, const std::string& output, const std::string& rejects_path,
                             const ConvertOptions& options) {
  if (input.empty()) throw UsageError("the input path is empty");
  if (output.empty()) throw UsageError("the output path is empty (-o \"\"); name a file, a directory or -");
  const RecordConverter converter(options);
  std::error_code ec;
  const bool input_is_dir = input != "-" && fs::is_directory(input, ec);
  const bool output_is_dir = output != "-" && (output.back() == '/' || fs::is_directory(output, ec));
  if (input_is_dir && output == "-") throw UsageError("a directory input needs an output directory, not -");
  if (input_is_dir && !output_is_dir && fs::exists(output, ec)) {
    throw UsageError(output + ": exists and is not a directory (a directory input writes a directory)");
  }
  const bool writes_directory = input_is_dir || output_is_dir;
  // Beside a regular output the rejects file is always written (no stale one lingers); beside
  // stdout, a device or a FIFO only when something was rejected.
  const bool rejects_always = !rejects_path.empty() || writes_directory || !detail::is_direct_output(output);

  ConvertSummary summary;
  summary.target = converter.target().name;
  const std::string rejects = rejects_path.empty() ? default_rejects_path(output) : rejects_path;
  std::vector<std::string> own_outputs = {rejects};
  if (writes_directory) own_outputs.push_back(output);
  InputListing listing = list_inputs(input, options.input, own_outputs);
  summary.skipped = std::move(listing.skipped);
  summary.notices = std::move(listing.notices);

  std::vector<Job> jobs;
  for (const auto& file : listing.files) {
    jobs.push_back({file.path, writes_directory ? (fs::path(output) / file.relative).string() : output});
  }
  // Every path this run writes is checked against every input before the first byte is read.
  detail::InputGuard guard(listing.files, {input}, input == "-");
  if (writes_directory) guard.claim_directory(output);
  for (const auto& job : jobs) guard.claim(job.output, "output");
  guard.claim(rejects, "rejects file", rejects_path.empty() ? "name another one with --rejects FILE" : "");

  RejectsFile rejects_file(rejects, rejects_always);
  OutputFiles outputs;
  std::uint64_t budget_used = 0;
  std::uint64_t run_bytes = 0;
  const std::uint64_t run_size = options.pipeline.on_progress ? detail::input_size(listing.files) : 0;
  std::string reject_line;
  for (const auto& job : jobs) {
    outputs.files.push_back(std::make_unique<detail::OutputFile>(job.output));
    detail::OutputFile& out = *outputs.files.back();
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
  for (auto& out : outputs.files) out->finish();
  for (auto& out : outputs.files) out->commit();
  summary.rejects_path = rejects_file.commit();
  summary.rejects_on_demand = rejects_file.created_on_demand();
  return summary;
}

}  // namespace chatfmt
