#include "core/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "chatfmt/errors.hpp"
#include "chatfmt/pipeline.hpp"
#include "core/temp_registry.hpp"

namespace chatfmt::detail {
namespace fs = std::filesystem;
namespace {

std::atomic<bool> stdout_closed{false};
std::atomic<unsigned> temp_counter{0};
constexpr std::size_t kBufferSize = 1 << 20;
// A temporary's pages are handed to the disk every this many bytes while the run goes on, so the
// fsync before the rename waits for the last stretch only instead of the whole file: on 2 cores
// the final fsync of a 208 MB output was a fifth of the run's wall time (docs/performance.md).
constexpr std::uint64_t kWritebackStride = std::uint64_t{8} << 20;
// Written-back pages may still sit in a cache below the file system (a VM's host): the fsync
// before the rename then waited ~100 ms for 230 MB however early writeback began. An fdatasync
// every this many bytes, on a thread of its own, does that waiting while the run computes.
constexpr std::uint64_t kDataSyncStride = std::uint64_t{32} << 20;

std::string error_text(int error) { return std::strerror(error); }

}  // namespace

// fdatasync()s a descriptor on its own thread whenever asked, so the run never waits for one.
// The fsync in finish() still decides durability; an error here is kept and raised there, since
// Linux reports a writeback error to one sync call only.
class DataSyncer {
 public:
  explicit DataSyncer(int fd) : fd_(fd), thread_([this] { run(); }) {}
  ~DataSyncer() { (void)stop(); }
  DataSyncer(const DataSyncer&) = delete;
  DataSyncer& operator=(const DataSyncer&) = delete;

  /// Asks for another fdatasync, covering the file's first `bytes` (written already), once the
  /// one under way (if any) is done; does not wait.
  void request(std::uint64_t bytes) {
    {
      const std::lock_guard lock(mutex_);
      requested_ = bytes;
    }
    wake_.notify_one();
  }
  /// Waits for the sync under way and ends the thread; the errno a sync failed with, or 0.
  int stop() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    return error_;
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || requested_ != done_; });
      if (stopping_) return;  // finish() syncs what is left
      const std::uint64_t target = requested_;
      lock.unlock();
      const int error = ::fdatasync(fd_) == 0 ? 0 : errno;
      // Synced pages are clean: dropping them keeps the output's page cache to a few stretches,
      // so the run reuses the pages it just freed instead of taking fresh ones (on this VM a
      // fresh page cost the host a fault: writing 460 MB after a run that left 460 MB cached
      // took 3x the kernel time). The output is not read back; a later reader reads the disk.
      if (error == 0) (void)::posix_fadvise(fd_, 0, static_cast<off_t>(target), POSIX_FADV_DONTNEED);
      lock.lock();
      // EINVAL: a file system without it, which is not an error (fsync decides).
      if (error != 0 && error != EINVAL && error_ == 0) error_ = error;
      done_ = target;
    }
  }

  int fd_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t requested_ = 0;
  std::uint64_t done_ = 0;
  bool stopping_ = false;
  int error_ = 0;
  std::thread thread_;  // last: started once the members it reads exist
};

void guard_standard_descriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (opened != fd && opened >= 0) {
      ::dup2(opened, fd);
      ::close(opened);
    }
    if (fd == STDOUT_FILENO) stdout_closed = true;
  }
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw UsageError("an output path is empty");
  if (path_ == "-") {
    if (stdout_closed) throw UsageError("standard output is closed; give -o a file, or run with stdout open");
    file_ = stdout;
    direct_ = true;
    return;
  }
  std::error_code ec;
  final_path_ = path_;
  if (fs::is_symlink(path_, ec)) {
    final_path_ = fs::canonical(path_, ec).string();
    if (ec) throw UsageError(path_ + ": a dangling symlink; remove it or point it at a file");
  }
  struct stat st {};
  const bool exists = ::stat(final_path_.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) throw UsageError(path_ + ": is a directory, not a file");
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or FIFO: write to it, never replace it with a file.
    const int fd = ::open(final_path_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) throw UsageError(path_ + ": cannot open for writing: " + error_text(errno));
    file_ = ::fdopen(fd, "wb");
    direct_ = true;
  } else {
    const fs::path final_fs(final_path_);
    fs::path parent = final_fs.parent_path();
    if (!parent.empty()) {
      // Remember which directories are ours, to remove them again if the run fails.
      std::vector<fs::path> missing;
      for (fs::path p = parent; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
        missing.push_back(p);
        if (p == p.root_path()) break;
      }
      fs::create_directories(parent, ec);
      if (ec) throw UsageError(path_ + ": cannot create its directory " + parent.string() + ": " + ec.message());
      for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        created_directories_.emplace_back(it->string(), register_temp(it->string(), true));
      }
    }
    temp_path_ = (parent / ("." + final_fs.filename().string() + ".chatfmt-tmp-" + std::to_string(::getpid()) + "-" +
                            std::to_string(temp_counter++)))
                     .string();
    temp_slot_ = register_temp(temp_path_);
    const int fd = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
      const int error = errno;
      unregister_temp(temp_slot_);
      temp_slot_ = -1;
      temp_path_.clear();
      throw UsageError(path_ + ": cannot create a file in " + (parent.empty() ? "." : parent.string()) + ": " +
                       error_text(error));
    }
    if (exists) ::fchmod(fd, st.st_mode & 07777);  // replacing a file keeps its permissions
    file_ = ::fdopen(fd, "wb");
  }
  if (file_ == nullptr) throw UsageError(path_ + ": cannot open for writing: " + error_text(errno));
  // A buffer of our own: with a null buffer glibc ignores the size and keeps 4 KiB.
  buffer_ = std::make_unique<char[]>(kBufferSize);
  std::setvbuf(file_, buffer_.get(), _IOFBF, kBufferSize);
}

OutputFile::~OutputFile() {
  syncer_.reset();  // before the descriptor it syncs is closed
  if (file_ != nullptr && file_ != stdout) std::fclose(file_);
  if (file_ == stdout) std::fflush(stdout);
  if (!committed_ && !temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
    unregister_temp(temp_slot_);
  }
  for (auto it = created_directories_.rbegin(); it != created_directories_.rend(); ++it) {
    if (!committed_) ::rmdir(it->first.c_str());
    unregister_temp(it->second);
  }
}

void OutputFile::fail_write(const char* what) {
  const int error = errno;
  throw UsageError((path_ == "-" ? std::string("standard output") : path_) + ": " + what + ": " + error_text(error));
}

void OutputFile::write(std::string_view bytes) {
  // Unlocked: one thread at a time writes a file (the pipeline's serial sink), and taking the
  // stream's lock twice per record was a tenth of the sink's work.
  if (::fwrite_unlocked(bytes.data(), 1, bytes.size(), file_) != bytes.size()) fail_write("write failed");
  written_ += bytes.size();
  if (!direct_ && written_ - handed_to_disk_ >= kWritebackStride) start_writeback();
}

void OutputFile::start_writeback() {
  if (std::fflush(file_) != 0) fail_write("write failed");
  // Only starts the writing (no wait), so it costs the run nothing; the fsync in finish() is
  // still what makes the file durable. A file system without it (EINVAL, ENOSYS) is not an error.
  (void)::sync_file_range(::fileno(file_), static_cast<off_t>(handed_to_disk_),
                          static_cast<off_t>(written_ - handed_to_disk_), SYNC_FILE_RANGE_WRITE);
  handed_to_disk_ = written_;
  if (written_ - sync_requested_ >= kDataSyncStride) {
    if (!syncer_) syncer_ = std::make_unique<DataSyncer>(::fileno(file_));
    syncer_->request(written_);
    sync_requested_ = written_;
  }
}

void OutputFile::finish() {
  if (file_ == nullptr) return;
  if (file_ == stdout) {
    if (std::fflush(stdout) != 0) fail_write("write failed");
    return;
  }
  int sync_error = 0;
  if (syncer_) {
    sync_error = syncer_->stop();
    syncer_.reset();
  }
  errno = sync_error;
  const bool flushed = sync_error == 0 && std::fflush(file_) == 0 && (direct_ || ::fsync(::fileno(file_)) == 0);
  const int flush_error = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed) {
    errno = flushed ? errno : flush_error;
    fail_write("write failed");
  }
}

void OutputFile::commit() {
  finish();
  if (!temp_path_.empty()) {
    if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      fail_write("cannot rename the finished output into place");
    }
    unregister_temp(temp_slot_);
  }
  committed_ = true;
}

}  // namespace chatfmt::detail

namespace chatfmt {

void install_process_guards() {
  detail::guard_standard_descriptors();
  detail::install_temp_cleanup_handlers();
}

}  // namespace chatfmt
