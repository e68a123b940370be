#include "core/output_plan.hpp"

#include <filesystem>

#include "chatfmt/convert.hpp"
#include "chatfmt/errors.hpp"
#include "core/file_policy.hpp"

namespace chatfmt::detail {
namespace fs = std::filesystem;

OutputPlan plan_outputs(const std::string& input, const std::string& output, const std::string& rejects_path,
                        const InputOptions& options, std::string_view nesting_refused) {
  if (input.empty()) throw UsageError("the input path is empty");
  if (output.empty()) throw UsageError("the output path is empty (-o \"\"); name a file, a directory or -");
  std::error_code ec;
  const bool input_is_dir = input != "-" && fs::is_directory(input, ec);
  const bool output_is_dir = output != "-" && (output.back() == '/' || fs::is_directory(output, ec));
  if (input_is_dir && output == "-") throw UsageError("a directory input needs an output directory, not -");
  if (input_is_dir && !output_is_dir && fs::exists(output, ec)) {
    throw UsageError(output +
                     ": exists and is not a directory; a directory input is written as a directory of the same "
                     "files: give -o a directory (a new one is created)");
  }
  const bool writes_directory = input_is_dir || output_is_dir;

  OutputPlan plan;
  plan.rejects_always = !rejects_path.empty() || writes_directory || !is_direct_output(output);
  plan.rejects = rejects_path.empty() ? default_rejects_path(output) : rejects_path;
  std::vector<std::string> own_outputs = {plan.rejects};
  if (writes_directory) own_outputs.push_back(output);
  plan.listing = list_inputs(input, options, own_outputs);
  for (const auto& file : plan.listing.files) {
    plan.jobs.push_back({file.path, writes_directory ? (fs::path(output) / file.relative).string() : output});
  }
  // Every path this run writes is checked against every input before the first byte is read.
  InputGuard guard(plan.listing.files, {input}, input == "-");
  if (writes_directory) guard.claim_directory(output, nesting_refused);
  for (const auto& job : plan.jobs) guard.claim(job.output, "output");
  guard.claim(plan.rejects, "rejects file", rejects_path.empty() ? "name another one with --rejects FILE" : "");
  return plan;
}

OutputFiles::~OutputFiles() {
  while (!files_.empty()) files_.pop_back();
}

OutputFile& OutputFiles::open(const std::string& path) {
  files_.push_back(std::make_unique<OutputFile>(path));
  return *files_.back();
}

void OutputFiles::commit_all() {
  for (auto& file : files_) file->finish();
  for (auto& file : files_) file->commit();
}

RejectsFile::RejectsFile(std::string path, bool always) : path_(std::move(path)), always_(always) {
  if (always_) file_ = std::make_unique<OutputFile>(path_);
}

void RejectsFile::write(std::string_view line) {
  if (!file_) file_ = std::make_unique<OutputFile>(path_);
  file_->write(line);
}

void RejectsFile::finish() {
  if (file_) file_->finish();
}

std::string RejectsFile::commit() {
  if (!file_) return {};
  file_->commit();
  return path_;
}

}  // namespace chatfmt::detail
