#include "core/jsonl_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "chatfmt/errors.hpp"

namespace chatfmt::detail {
namespace {
constexpr std::size_t kReadSize = 1 << 20;
}

JsonlReader::JsonlReader(const std::string& path, std::uint64_t max_line_bytes)
    : path_(path), max_line_bytes_(max_line_bytes) {
  if (path == "-") {
    file_ = stdin;
  } else {
    file_ = std::fopen(path.c_str(), "rb");
    if (file_ == nullptr) throw UsageError(path + ": cannot open for reading: " + std::strerror(errno));
    owns_file_ = true;
  }
}

JsonlReader::~JsonlReader() {
  if (owns_file_) std::fclose(file_);
}

bool JsonlReader::fill() {
  if (eof_) return false;
  // Drop consumed bytes so the buffer only ever holds the current (possibly long) line, and give
  // back what a long line grew it to once that line is gone.
  const std::size_t kept = end_ - start_;
  std::memmove(buffer_.data(), buffer_.data() + start_, kept);
  start_ = 0;
  end_ = kept;
  if (buffer_.size() > 8 * kReadSize && kept < kReadSize) {
    buffer_.resize(2 * kReadSize);
    buffer_.shrink_to_fit();
  }
  // The buffer's size is its room: resized (zero-filled) only when a long line needs more, not
  // on every read as a size-tracks-content string would be.
  if (buffer_.size() < end_ + kReadSize) buffer_.resize(std::max(2 * buffer_.size(), end_ + kReadSize));
  const std::size_t got = std::fread(buffer_.data() + end_, 1, kReadSize, file_);
  end_ += got;
  bytes_read_ += got;
  if (got < kReadSize) {
    if (std::ferror(file_)) throw UsageError(path_ + ": read error: " + std::strerror(errno));
    eof_ = true;
  }
  return got > 0;
}

// Drops the current line's bytes as they arrive, up to its newline; returns how many it had.
std::uint64_t JsonlReader::skip_rest_of_line() {
  std::uint64_t skipped = 0;
  for (;;) {
    const std::size_t newline = std::string_view(buffer_.data(), end_).find('\n', start_);
    if (newline != std::string_view::npos) {
      skipped += newline - start_;
      start_ = newline + 1;
      return skipped;
    }
    skipped += end_ - start_;
    start_ = end_;
    if (!fill()) return skipped;
  }
}

bool JsonlReader::next(std::string_view& line, std::uint64_t& line_number, std::uint64_t& oversize_bytes) {
  oversize_bytes = 0;
  std::size_t scan_from = start_;
  for (;;) {
    const std::size_t newline = std::string_view(buffer_.data(), end_).find('\n', scan_from);
    if (newline != std::string_view::npos) {
      line = std::string_view(buffer_.data() + start_, newline - start_);
      start_ = newline + 1;
      break;
    }
    const std::size_t scanned = end_ - start_;
    if (max_line_bytes_ != 0 && scanned > max_line_bytes_) {
      // Too long to hold: count it and drop it, so memory stays bounded by the limit.
      line = std::string_view();
      oversize_bytes = skip_rest_of_line();
      line_number = ++line_number_;
      return true;
    }
    if (!fill()) {
      if (start_ >= end_) return false;
      line = std::string_view(buffer_.data() + start_, end_ - start_);
      start_ = end_;
      break;
    }
    scan_from = start_ + scanned;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  line_number = ++line_number_;
  if (line_number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8 BOM
  if (max_line_bytes_ != 0 && line.size() > max_line_bytes_) {
    oversize_bytes = line.size();
    line = std::string_view();
  }
  return true;
}

}  // namespace chatfmt::detail
