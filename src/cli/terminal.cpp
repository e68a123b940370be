#include "cli/terminal.hpp"

#include <unistd.h>

#include <cstdio>

namespace chatfmt::cli {

Progress::Progress(bool quiet) : enabled_(!quiet && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { clear(); }

void Progress::set_file(const std::string& path) { file_ = path; }

void Progress::update(std::uint64_t records, std::uint64_t bytes) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  shown_ = true;
  std::fprintf(stderr, "\r\033[K%s: %llu records, %.1f MB read", file_.c_str(),
               static_cast<unsigned long long>(records), static_cast<double>(bytes) / 1e6);
  std::fflush(stderr);
}

void Progress::clear() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace chatfmt::cli
