// GitHub Actions workflow commands: each finding becomes an annotation on the file and line.
// GitHub's escaping: %, \r and \n in the message; also : and , in the properties.
#include "lint/report_out.hpp"

namespace chatfmt {
namespace {

std::string escape(std::string_view text, bool property) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += property ? "%3A" : ":";
        break;
      case ',':
        out += property ? "%2C" : ",";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view command(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::info:
      return "notice";
  }
  return "notice";
}

}  // namespace

void lint::write_github_report(const LintReport& report, ReportOut& sink) {
  std::string& out = sink.text();
  for (const auto& f : report.findings) {
    const RuleInfo& rule = rule_info(f.rule);
    out.append("::").append(command(f.severity)).append(" file=").append(escape(f.path, true));
    if (f.line > 0) out.append(",line=").append(std::to_string(f.line));
    if (f.column > 0) out.append(",col=").append(std::to_string(f.column));
    out.append(",title=").append(escape(std::string(rule.code) + " " + std::string(rule.id), true));
    out.append("::").append(escape(f.message, false)).append("\n");
    sink.piece_done();
  }
}

}  // namespace chatfmt
