#include "cli/terminal.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace chatfmt::cli {

Progress::Progress(bool quiet) : enabled_(!quiet && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { clear(); }

std::function<void(const ProgressEvent&)> Progress::callback() {
  if (!enabled_) return {};
  return [this](const ProgressEvent& progress) { update(progress); };
}

std::string format_duration(double seconds) {
  const long long whole = std::llround(seconds);
  if (whole < 60) return std::to_string(whole) + " s";
  char text[32];
  if (whole < 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld", whole / 60, whole % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", whole / 3600, whole / 60 % 60, whole % 60);
  }
  return text;
}

void Progress::update(const ProgressEvent& progress) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  shown_ = true;
  // The run's share when its size is known (several files), else the file's; a pipe has neither.
  const std::uint64_t done = progress.run_size != 0 ? progress.run_bytes : progress.file_bytes;
  const std::uint64_t size = progress.run_size != 0 ? progress.run_size : progress.file_size;
  std::string line = std::string(progress.path) + ": ";
  char part[128];
  if (size != 0) {
    const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(size));
    std::snprintf(part, sizeof part, "%.0f%% of %.1f MB, ", fraction * 100, static_cast<double>(size) / 1e6);
    line += part;
  } else {
    std::snprintf(part, sizeof part, "%.1f MB read, ", static_cast<double>(progress.file_bytes) / 1e6);
    line += part;
  }
  line += std::to_string(progress.records) + " records";
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (size != 0 && done != 0 && elapsed >= 1.0) {
    const double left = elapsed * static_cast<double>(size - std::min(done, size)) / static_cast<double>(done);
    line += ", ETA " + format_duration(left);
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

void Progress::clear() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

bool color_on_stdout() { return ::isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr; }

}  // namespace chatfmt::cli
