#include "core/temp_registry.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "chatfmt/errors.hpp"

namespace chatfmt::detail {
namespace {

// A fixed table of pointers, so the handler never allocates or locks: a path is copied to the
// heap before its pointer is published (release), and the handler reads the pointer (acquire).
// Pointers, not PATH_MAX arrays: a 256 MiB table in .bss cost every process seconds of
// LeakSanitizer's scan at exit.
constexpr std::size_t kSlots = 1 << 16;
std::array<std::atomic<char*>, kSlots> paths{};
std::array<bool, kSlots> is_directory{};  // written before the slot's pointer is published
std::mutex claim_mutex;                   // for claiming slots; the handler never takes it
std::size_t high_water = 0;               // slots below this may be in use (guarded by claim_mutex)
std::atomic<std::size_t> scan_limit{0};

void remove_temps_and_die(int signal) {
  const std::size_t limit = scan_limit.load(std::memory_order_acquire);
  for (std::size_t k = 0; k < limit; ++k) {
    const char* path = paths[k].load(std::memory_order_acquire);
    if (path != nullptr && !is_directory[k]) ::unlink(path);
  }
  // Directories were registered outermost first: remove innermost first; non-empty ones stay.
  for (std::size_t k = limit; k-- > 0;) {
    const char* path = paths[k].load(std::memory_order_acquire);
    if (path != nullptr && is_directory[k]) ::rmdir(path);
  }
  // Die of the signal itself, so the shell and parent see what happened (e.g. 141 for SIGPIPE).
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

}  // namespace

void install_temp_cleanup_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
      struct sigaction previous {};
      ::sigaction(signal, nullptr, &previous);
      if ((previous.sa_flags & SA_SIGINFO) == 0 && previous.sa_handler == SIG_IGN) continue;
      struct sigaction action {};
      action.sa_handler = remove_temps_and_die;
      sigfillset(&action.sa_mask);  // one cleanup at a time, uninterrupted
      ::sigaction(signal, &action, nullptr);
    }
  });
}

int register_temp(const std::string& path, bool directory) {
  const std::lock_guard lock(claim_mutex);
  for (std::size_t k = 0; k < kSlots; ++k) {
    if (paths[k].load(std::memory_order_relaxed) != nullptr) continue;
    char* copy = new char[path.size() + 1];
    std::memcpy(copy, path.c_str(), path.size() + 1);
    is_directory[k] = directory;
    paths[k].store(copy, std::memory_order_release);
    if (k + 1 > high_water) {
      high_water = k + 1;
      scan_limit.store(high_water, std::memory_order_release);
    }
    return static_cast<int>(k);
  }
  throw UsageError("more than " + std::to_string(kSlots) + " output files open at once");
}

void unregister_temp(int slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= kSlots) return;
  const std::lock_guard lock(claim_mutex);
  delete[] paths[static_cast<std::size_t>(slot)].exchange(nullptr, std::memory_order_acq_rel);
}

}  // namespace chatfmt::detail
