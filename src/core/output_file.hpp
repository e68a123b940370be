// Where a run's output bytes go (docs/cli.md, "Files"). A regular file, or a path that does not
// exist yet, is written to a hidden temporary beside it and renamed into place on commit, so a
// failed or interrupted run never leaves a half-written file under the final name. "-" (stdout),
// a device or a FIFO is written directly and never replaced. A symlink is written through.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chatfmt::detail {

class DataSyncer;

/// Call once at start-up, before any file is opened: a closed standard descriptor is reopened on
/// /dev/null so no output file can land on it, and a closed stdout is remembered, so that writing
/// to "-" is an error rather than a write into whatever file took descriptor 1.
void guard_standard_descriptors();

class OutputFile {
 public:
  /// Creates missing parent directories. Throws UsageError when the file cannot be created.
  explicit OutputFile(std::string path);
  /// Unless committed: removes the temporary, and the directories it created if left empty.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view bytes);
  /// Flushes (and for a temporary: fsyncs and closes), so many outputs need not hold descriptors.
  void finish();
  /// Finishes if needed and renames the temporary into place. Throws UsageError on failure.
  void commit();
  const std::string& path() const { return path_; }

 private:
  void fail_write(const char* what);
  void start_writeback();
  std::string path_;                                              // as the user named it
  std::string final_path_;                                        // symlinks resolved: where the bytes end up
  std::string temp_path_;                                         // empty when written directly
  std::vector<std::pair<std::string, int>> created_directories_;  // outermost first, with their slots
  std::FILE* file_ = nullptr;
  std::unique_ptr<char[]> buffer_;
  std::unique_ptr<DataSyncer> syncer_;  // a large temporary's early fdatasyncs
  std::uint64_t written_ = 0;           // bytes given to write()
  std::uint64_t handed_to_disk_ = 0;    // of which sync_file_range has started writing back
  std::uint64_t sync_requested_ = 0;    // of which a background fdatasync was asked for
  int temp_slot_ = -1;
  bool direct_ = false;
  bool committed_ = false;
};

}  // namespace chatfmt::detail
