// The report for machines (schemas/lint-report.schema.json): stable keys, findings in report order.
// Written straight to text: a dataset can have a finding per record, and a JSON tree of a few
// hundred thousand findings costs more than linting them did.
#include <map>

#include "core/json.hpp"
#include "lint/report_out.hpp"

namespace chatfmt {
namespace {

void key(std::string& out, std::string_view indent, std::string_view name) {
  out.append(indent).append("\"").append(name).append("\": ");
}

void string_field(std::string& out, std::string_view indent, std::string_view name, std::string_view value) {
  key(out, indent, name);
  append_json_string(out, value);
}

void number_field(std::string& out, std::string_view indent, std::string_view name, std::uint64_t value) {
  key(out, indent, name);
  out.append(std::to_string(value));
}

}  // namespace

void lint::write_json_report(const LintReport& report, ReportOut& sink) {
  std::string& out = sink.text();
  out += "{\n  \"files\": [";
  for (std::size_t k = 0; k < report.files.size(); ++k) {
    const auto& file = report.files[k];
    out.append(k == 0 ? "\n" : ",\n").append("    {\n");
    string_field(out, "      ", "path", file.path);
    out.append(",\n");
    string_field(out, "      ", "split", file.split);
    out.append(",\n");
    number_field(out, "      ", "records", file.records);
    out.append("\n    }");
  }
  out.append(report.files.empty() ? "],\n" : "\n  ],\n").append("  \"findings\": [");
  std::map<std::string_view, std::uint64_t> by_rule;
  for (std::size_t k = 0; k < report.findings.size(); ++k) {
    const auto& f = report.findings[k];
    const RuleInfo& rule = rule_info(f.rule);
    ++by_rule[rule.id];
    out.append(k == 0 ? "\n" : ",\n").append("    {\n");
    string_field(out, "      ", "rule", rule.id);
    out.append(",\n");
    string_field(out, "      ", "code", rule.code);
    out.append(",\n");
    string_field(out, "      ", "severity", severity_name(f.severity));
    out.append(",\n");
    string_field(out, "      ", "path", f.path);
    out.append(",\n");
    number_field(out, "      ", "line", f.line);
    out.append(",\n");
    number_field(out, "      ", "column", f.column);
    out.append(",\n");
    string_field(out, "      ", "message", f.message);
    out.append(",\n");
    string_field(out, "      ", "record_hash", f.record_hash);
    out.append("\n    }");
    sink.piece_done();
  }
  out.append(report.findings.empty() ? "],\n" : "\n  ],\n").append("  \"notes\": [");
  for (std::size_t k = 0; k < report.notes.size(); ++k) {
    out.append(k == 0 ? "\n    " : ",\n    ");
    append_json_string(out, report.notes[k]);
  }
  out.append(report.notes.empty() ? "],\n" : "\n  ],\n").append("  \"summary\": {\n");
  const std::uint64_t errors = report.errors();
  const std::uint64_t warnings = report.warnings();
  number_field(out, "    ", "errors", errors);
  out.append(",\n");
  number_field(out, "    ", "warnings", warnings);
  out.append(",\n");
  number_field(out, "    ", "notices", report.findings.size() - errors - warnings);
  out.append(",\n");
  key(out, "    ", "by_rule");
  out.append("{");
  bool first = true;
  for (const auto& [id, n] : by_rule) {
    out.append(first ? "\n" : ",\n");
    number_field(out, "      ", id, n);
    first = false;
  }
  out.append(by_rule.empty() ? "}\n" : "\n    }\n").append("  }\n}");
}

}  // namespace chatfmt
