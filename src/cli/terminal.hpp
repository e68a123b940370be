// Progress on a terminal only: nothing when stderr is a file or a pipe (CI logs stay clean).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace chatfmt::cli {

class Progress {
 public:
  explicit Progress(bool quiet);
  ~Progress();
  void set_file(const std::string& path);
  void update(std::uint64_t records, std::uint64_t bytes);
  void clear();

 private:
  bool enabled_ = false;
  bool shown_ = false;
  std::string file_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace chatfmt::cli
