// Reports are written in pieces: a dataset can have a finding per record, and a report held whole
// in memory before it is written costs as much memory as the records' findings themselves.
#pragma once

#include <cstdio>
#include <string>

#include "chatfmt/lint.hpp"

namespace chatfmt::lint {

class ReportOut {
 public:
  /// `file` null: the whole report stays in text(), for the functions that return it.
  explicit ReportOut(std::FILE* file = nullptr) : file_(file) {}
  std::string& text() { return text_; }
  /// Called between findings: passes a full buffer on to the file.
  void piece_done() {
    if (file_ != nullptr && text_.size() >= kFlushAt) flush();
  }
  /// Throws IoError when the file takes less than all of it (a full disk, a closed pipe).
  void flush();
  std::string take() { return std::move(text_); }

 private:
  static constexpr std::size_t kFlushAt = std::size_t{1} << 16;
  std::FILE* file_;
  std::string text_;
};

// Each format's writer (report_*.cpp); the std::string functions of chatfmt/lint.hpp call them too.
void write_text_report(const LintReport& report, bool color, ReportOut& out);
void write_json_report(const LintReport& report, ReportOut& out);
void write_github_report(const LintReport& report, ReportOut& out);

}  // namespace chatfmt::lint
