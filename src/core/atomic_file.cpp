#include "core/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "chatfmt/errors.hpp"

namespace chatfmt::detail {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (path_ == "-") {
    file_ = stdout;
    to_stdout_ = true;
    return;
  }
  const std::filesystem::path final_path(path_);
  std::error_code ec;
  if (final_path.has_parent_path()) std::filesystem::create_directories(final_path.parent_path(), ec);
  if (ec) throw UsageError(path_ + ": cannot create its directory: " + ec.message());
  temp_path_ = path_ + ".tmp-" + std::to_string(::getpid());
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) throw UsageError(path_ + ": cannot open for writing: " + std::strerror(errno));
  static constexpr std::size_t kBufferSize = 1 << 20;
  std::setvbuf(file_, nullptr, _IOFBF, kBufferSize);
}

AtomicFile::~AtomicFile() {
  if (to_stdout_ || committed_) return;
  if (file_ != nullptr) std::fclose(file_);
  std::remove(temp_path_.c_str());
}

void AtomicFile::write(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    throw UsageError(path_ + ": write failed: " + std::strerror(errno));
  }
}

void AtomicFile::finish() {
  if (to_stdout_) {
    if (std::fflush(stdout) != 0)
      throw UsageError("standard output: write failed: " + std::string(std::strerror(errno)));
    return;
  }
  if (file_ == nullptr) return;
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed) throw UsageError(path_ + ": write failed: " + std::strerror(errno));
}

void AtomicFile::commit() {
  finish();
  if (to_stdout_) {
    committed_ = true;
    return;
  }
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    throw UsageError(path_ + ": cannot rename the finished output into place: " + std::strerror(errno));
  }
  committed_ = true;
}

}  // namespace chatfmt::detail
