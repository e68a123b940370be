// The file policy of docs/cli.md ("Files"): which inputs a run reads, and which outputs it may
// write. Everything here runs before the first record is read.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatfmt/pipeline.hpp"

namespace chatfmt::detail {

/// A file's identity after following symlinks: hard links and aliases compare equal.
struct FileId {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileId&) const = default;
};
/// nullopt when nothing exists at `path` (a dangling symlink included).
std::optional<FileId> file_id(const std::string& path);

/// "-" or an existing path that is neither a regular file nor a directory (a device, a FIFO):
/// written directly, never replaced.
bool is_direct_output(const std::string& path);

/// The files a run reads, and what it must never write to.
class InputGuard {
 public:
  /// Records the identity of each input (and of standard input when `reads_stdin` and it is a
  /// file), and of each input directory.
  InputGuard(const std::vector<InputFile>& inputs, const std::vector<std::string>& input_roots, bool reads_stdin);

  /// Throws UsageError when `path` (the `role`, e.g. "output") is, or resolves to, an input or a
  /// path an earlier check claimed, or when a directory output would contain an input directory.
  /// `advice` ends the message when given. Claims `path`.
  void claim(const std::string& path, std::string_view role, std::string_view advice = {});
  /// A directory output: must not be an input directory nor contain one. `nesting_refused`: when
  /// not empty, it must not be inside one either, and this is the advice the refusals end with.
  void claim_directory(const std::string& path, std::string_view nesting_refused = {});

 private:
  struct Claimed {
    std::string key;  // the path with symlinks of its existing part resolved
    std::string role;
  };
  std::vector<std::pair<FileId, std::string>> inputs_;
  std::vector<std::string> input_directories_;  // resolved
  std::vector<Claimed> claimed_;
};

}  // namespace chatfmt::detail
