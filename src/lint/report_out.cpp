#include "lint/report_out.hpp"

#include <cerrno>
#include <cstring>

#include "chatfmt/errors.hpp"

namespace chatfmt {
namespace {

struct FormatName {
  std::string_view name;
  LintReportFormat format;
};

constexpr FormatName kFormats[] = {
    {"text", LintReportFormat::text},     {"json", LintReportFormat::json},   {"junit", LintReportFormat::junit},
    {"github", LintReportFormat::github}, {"sarif", LintReportFormat::sarif},
};

}  // namespace

void lint::ReportOut::flush() {
  if (file_ == nullptr || text_.empty()) return;
  if (std::fwrite(text_.data(), 1, text_.size(), file_) != text_.size()) {
    throw UsageError(std::string("the report could not be written: ") + std::strerror(errno));
  }
  text_.clear();
}

std::optional<LintReportFormat> parse_lint_report_format(std::string_view name) {
  for (const auto& entry : kFormats) {
    if (entry.name == name) return entry.format;
  }
  return std::nullopt;
}

const std::vector<std::string_view>& lint_report_format_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> list;
    for (const auto& entry : kFormats) list.push_back(entry.name);
    return list;
  }();
  return names;
}

void write_lint_report(const LintReport& report, LintReportFormat format, std::FILE* file, bool color) {
  lint::ReportOut out(file);
  switch (format) {
    case LintReportFormat::text:
      lint::write_text_report(report, color, out);
      break;
    case LintReportFormat::json:
      lint::write_json_report(report, out);
      out.text() += '\n';
      break;
    case LintReportFormat::github:
      lint::write_github_report(report, out);
      break;
    // JUnit and SARIF are documents built whole by their libraries (pugixml, nlohmann-json): the
    // formats CI reads, on datasets CI lints.
    case LintReportFormat::junit:
      out.text() = lint_report_junit(report);
      break;
    case LintReportFormat::sarif:
      out.text() = lint_report_sarif(report) + "\n";
      break;
  }
  out.flush();
}

std::string lint_report_text(const LintReport& report, bool color) {
  lint::ReportOut out;
  lint::write_text_report(report, color, out);
  return out.take();
}

std::string lint_report_json(const LintReport& report) {
  lint::ReportOut out;
  lint::write_json_report(report, out);
  return out.take();
}

std::string lint_report_github(const LintReport& report) {
  lint::ReportOut out;
  lint::write_github_report(report, out);
  return out.take();
}

}  // namespace chatfmt
