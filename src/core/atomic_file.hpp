// Output written to a temporary beside the final path and renamed into place on commit, so a
// failed run never leaves a half-written file under the final name. "-" writes to stdout.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace chatfmt::detail {

class AtomicFile {
 public:
  /// Creates parent directories as needed. Throws UsageError when the file cannot be created.
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view bytes);
  /// Flushes and closes the temporary (so many outputs need not hold file descriptors).
  void finish();
  /// Finishes if needed and renames into place. Throws UsageError on failure.
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  bool to_stdout_ = false;
  bool committed_ = false;
};

}  // namespace chatfmt::detail
