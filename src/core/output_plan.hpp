// Where a run that copies IN to OUT record by record writes (convert; lint --fix): one output per
// input file (a directory IN mirrored below OUT) and a rejects file, every path checked against
// the inputs before a byte is read (docs/cli.md, "Files"), and all of them renamed into place
// together when the run succeeds.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chatfmt/pipeline.hpp"
#include "core/output_file.hpp"

namespace chatfmt::detail {

struct Job {
  std::string input;
  std::string output;
};

struct OutputPlan {
  InputListing listing;
  std::vector<Job> jobs;  ///< in the listing's order
  std::string rejects;    ///< the rejects file's path (given, or default_rejects_path(OUT))
  /// Beside a regular output the rejects file is always written (no stale one lingers); beside
  /// stdout, a device or a FIFO only when something was rejected.
  bool rejects_always = false;
};

/// Lists IN and plans its outputs. `nesting_refused`: when not empty, an output directory inside
/// the input directory is refused too (convert allows one and skips it), and this is the advice
/// the refusals of output directories end with.
/// Throws UsageError before anything is created.
OutputPlan plan_outputs(const std::string& input, const std::string& output, const std::string& rejects_path,
                        const InputOptions& options, std::string_view nesting_refused = {});

/// A run's outputs: removed in reverse order of creation when the run fails, so the directories
/// they created are empty again when their turn comes.
class OutputFiles {
 public:
  OutputFiles() = default;
  OutputFiles(const OutputFiles&) = delete;
  OutputFiles& operator=(const OutputFiles&) = delete;
  ~OutputFiles();
  OutputFile& open(const std::string& path);
  /// Flushes every file (seeing every write error) before the first one is renamed into place.
  void commit_all();

 private:
  std::vector<std::unique_ptr<OutputFile>> files_;
};

/// The rejects file: opened up front when it is always written, else on the first rejected record.
class RejectsFile {
 public:
  RejectsFile(std::string path, bool always);
  void write(std::string_view line);
  void finish();
  /// Returns the path written, or "" when none was.
  std::string commit();
  bool created_on_demand() const { return file_ && !always_; }

 private:
  std::string path_;
  bool always_;
  std::unique_ptr<OutputFile> file_;
};

}  // namespace chatfmt::detail
