// The report for people: findings grouped by file, the notes, and a table of findings by rule.
#include <map>

#include "lint/report_out.hpp"

namespace chatfmt {
namespace {

const char* severity_color(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "\033[1;31m";
    case Severity::warning:
      return "\033[1;33m";
    case Severity::info:
      return "\033[1;36m";
  }
  return "";
}

}  // namespace

void lint::write_text_report(const LintReport& report, bool color, ReportOut& sink) {
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::string& out = sink.text();
  std::string file;
  for (const auto& f : report.findings) {
    if (f.path != file) {
      if (!file.empty()) out += "\n";
      file = f.path;
      out += std::string(bold) + file + reset + "\n";
    }
    const RuleInfo& rule = rule_info(f.rule);
    out += f.path;
    if (f.line > 0) out.append(":").append(std::to_string(f.line));
    if (f.column > 0) out.append(":").append(std::to_string(f.column));
    out.append(": ").append(color ? severity_color(f.severity) : "").append(severity_name(f.severity));
    out.append(reset).append(" ").append(rule.code).append(" ").append(rule.id).append(": ");
    out.append(f.message).append("\n");
    sink.piece_done();
  }
  if (!report.findings.empty()) out += "\n";
  for (const auto& note : report.notes) out += note + "\n";
  if (!report.notes.empty()) out += "\n";

  std::map<Rule, std::pair<Severity, std::uint64_t>> by_rule;
  for (const auto& f : report.findings) {
    auto& [severity, n] = by_rule.try_emplace(f.rule, f.severity, 0).first->second;
    ++n;
  }
  std::uint64_t records = 0;
  for (const auto& file_summary : report.files) records += file_summary.records;
  if (!by_rule.empty()) {
    out += std::string(bold) + "findings by rule" + reset + "\n";
    for (const auto& [rule, entry] : by_rule) {
      const RuleInfo& info = rule_info(rule);
      char line[256];
      std::snprintf(line, sizeof line, "  %-5s %-24s %-8s %8llu\n", std::string(info.code).c_str(),
                    std::string(info.id).c_str(), std::string(severity_name(entry.first)).c_str(),
                    static_cast<unsigned long long>(entry.second));
      out += line;
    }
  }
  out += std::to_string(report.files.size()) + (report.files.size() == 1 ? " file, " : " files, ") +
         std::to_string(records) + " records: " + std::to_string(report.errors()) + " errors, " +
         std::to_string(report.warnings()) + " warnings, " +
         std::to_string(report.findings.size() - report.errors() - report.warnings()) + " notices\n";
}

}  // namespace chatfmt
