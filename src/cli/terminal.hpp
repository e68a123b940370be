// Progress on a terminal only: nothing when stderr is a file or a pipe (CI logs stay clean).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "chatfmt/pipeline.hpp"

namespace chatfmt::cli {

class Progress {
 public:
  explicit Progress(bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  /// Shows the file being read, its share of the run's bytes and the time left, at most ten
  /// times a second.
  void update(const ProgressEvent& progress);
  void clear();
  /// The callback to give PipelineOptions::on_progress (none when progress is not shown).
  std::function<void(const ProgressEvent&)> callback();

 private:
  bool enabled_ = false;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

/// Colour for reports on standard output: a terminal, and NO_COLOR not set (no-color.org).
bool color_on_stdout();

/// "1:05", "12 s": a duration for people.
std::string format_duration(double seconds);

}  // namespace chatfmt::cli
