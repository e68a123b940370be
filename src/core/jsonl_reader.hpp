// Reads a JSONL stream line by line with 1-based line numbers, in bounded memory: a buffer the
// size of the longest line, and a line longer than the limit is skipped, not held.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace chatfmt::detail {

class JsonlReader {
 public:
  /// `path` "-" reads standard input. Throws UsageError when the file cannot be opened.
  /// `max_line_bytes` 0: no limit.
  explicit JsonlReader(const std::string& path, std::uint64_t max_line_bytes = 0);
  ~JsonlReader();
  JsonlReader(const JsonlReader&) = delete;
  JsonlReader& operator=(const JsonlReader&) = delete;

  /// The next line without its "\n" (and without one trailing "\r"); the view stays valid until
  /// the next call. Returns false at the end. Throws UsageError on a read error.
  /// A line over the limit comes back empty, with its size in `oversize_bytes` (else 0).
  bool next(std::string_view& line, std::uint64_t& line_number, std::uint64_t& oversize_bytes);
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  bool fill();
  std::uint64_t skip_rest_of_line();
  std::string path_;
  std::uint64_t max_line_bytes_ = 0;
  std::FILE* file_ = nullptr;
  bool owns_file_ = false;
  bool eof_ = false;
  std::string buffer_;  // its size() is the room; [start_, end_) are the bytes not yet handed out
  std::size_t start_ = 0;
  std::size_t end_ = 0;
  std::uint64_t line_number_ = 0;
  std::uint64_t bytes_read_ = 0;
};

}  // namespace chatfmt::detail
