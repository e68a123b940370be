// The report for machines (schemas/lint-report.schema.json): stable keys, findings in report order.
#include "chatfmt/lint.hpp"
#include "core/json.hpp"

namespace chatfmt {

std::string lint_report_json(const LintReport& report) {
  Json files = Json::array();
  for (const auto& file : report.files) {
    files.push_back(Json{{"path", file.path}, {"split", file.split}, {"records", file.records}});
  }
  Json findings = Json::array();
  Json by_rule = Json::object();
  for (const auto& f : report.findings) {
    const RuleInfo& rule = rule_info(f.rule);
    findings.push_back(Json{{"rule", rule.id},
                            {"code", rule.code},
                            {"severity", severity_name(f.severity)},
                            {"path", f.path},
                            {"line", f.line},
                            {"column", f.column},
                            {"message", f.message},
                            {"record_hash", f.record_hash}});
    const std::string id(rule.id);
    by_rule[id] = by_rule.value(id, 0) + 1;
  }
  const std::uint64_t errors = report.errors();
  const std::uint64_t warnings = report.warnings();
  return Json{{"files", files},
              {"findings", findings},
              {"notes", report.notes},
              {"summary", Json{{"errors", errors},
                               {"warnings", warnings},
                               {"notices", report.findings.size() - errors - warnings},
                               {"by_rule", by_rule}}}}
      .dump(2);
}

}  // namespace chatfmt
