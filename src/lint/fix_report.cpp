// What lint --fix changed, for people and for machines: per file, per rule, and what is left.
#include <cstdio>
#include <map>
#include <vector>

#include "chatfmt/lint.hpp"
#include "core/json.hpp"

namespace chatfmt {
namespace {

std::string count(std::uint64_t n) { return std::to_string(n); }

// What a fix did to the records of a rule.
std::string what_happened(Rule rule, const LintFixSummary& summary) {
  switch (rule) {
    case Rule::duplicate_record:
      return "dropped (later copies of a record in the same file)";
    case Rule::split_leakage:
      return "dropped from train (their conversations are in valid or test)";
    case Rule::template_drift:
      return "rewritten as the " + summary.template_name +
             " template renders them (structured tool_calls and role \"tool\" results)";
    default:
      return "rejected (cannot be read, so neither checked nor fixed; repair them from the rejects file)";
  }
}

}  // namespace

std::uint64_t LintFixSummary::records() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.records;
  return n;
}
std::uint64_t LintFixSummary::written() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.written;
  return n;
}
std::uint64_t LintFixSummary::rewritten() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.rewritten;
  return n;
}
std::uint64_t LintFixSummary::dropped() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.dropped;
  return n;
}
std::uint64_t LintFixSummary::rejected() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.rejected;
  return n;
}

std::string lint_fix_summary_text(const LintFixSummary& summary) {
  std::string out = "chatfmt lint --fix: " + summary.input + " -> " + summary.output + "\n";
  for (const auto& f : summary.files) {
    out += "  " + f.input + " -> " + f.output + ": " + count(f.records) + " records, " + count(f.written) +
           " written (" + count(f.rewritten) + " rewritten), " + count(f.dropped) + " dropped, " + count(f.rejected) +
           " rejected";
    if (f.blank_lines != 0) out += " (" + count(f.blank_lines) + " blank lines skipped)";
    out += "\n";
  }
  out += "  total: " + count(summary.records()) + " records = " + count(summary.written()) + " written + " +
         count(summary.dropped()) + " dropped + " + count(summary.rejected()) +
         " rejected (rejects: " + (summary.rejects_path.empty() ? std::string("none written") : summary.rejects_path) +
         ")\n";
  if (!summary.skipped.empty()) {
    out += "  skipped " + count(summary.skipped.size()) + " unreadable input entries (--skip-unreadable)\n";
  }
  // The fixes first, then the records no fix could read.
  std::vector<std::pair<Rule, std::uint64_t>> changes;
  for (const Rule rule : {Rule::duplicate_record, Rule::split_leakage, Rule::template_drift}) {
    if (const auto it = summary.by_rule.find(rule); it != summary.by_rule.end()) changes.emplace_back(*it);
  }
  for (const auto& [rule, n] : summary.by_rule) {
    if (rule != Rule::duplicate_record && rule != Rule::split_leakage && rule != Rule::template_drift)
      changes.emplace_back(rule, n);
  }
  for (const auto& [rule, n] : changes) {
    out += "  " + std::string(rule_id(rule)) + ": " + count(n) + " " + what_happened(rule, summary) + "\n";
  }
  for (const auto& note : summary.notes) out += "  note: " + note + "\n";
  const LintReport& left = summary.remaining;
  const std::uint64_t notices = left.findings.size() - left.errors() - left.warnings();
  out += "left in " + summary.output + ": " + count(left.errors()) + " errors, " + count(left.warnings()) +
         " warnings, " + count(notices) + " notices" +
         (left.findings.empty() ? std::string()
                                : " (chatfmt lint " + summary.output + ", with the same options, lists them)") +
         "\n";
  std::map<Rule, std::pair<Severity, std::uint64_t>> by_rule;
  for (const auto& f : left.findings) ++by_rule.try_emplace(f.rule, f.severity, 0).first->second.second;
  for (const auto& [rule, entry] : by_rule) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-5s %-24s %-8s %8llu\n", std::string(rule_info(rule).code).c_str(),
                  std::string(rule_id(rule)).c_str(), std::string(severity_name(entry.first)).c_str(),
                  static_cast<unsigned long long>(entry.second));
    out += line;
  }
  return out;
}

std::string lint_fix_summary_json(const LintFixSummary& summary) {
  Json files = Json::array();
  for (const auto& f : summary.files) {
    files.push_back(Json{{"input", f.input},
                         {"output", f.output},
                         {"records", f.records},
                         {"written", f.written},
                         {"rewritten", f.rewritten},
                         {"dropped", f.dropped},
                         {"rejected", f.rejected},
                         {"blank_lines", f.blank_lines}});
  }
  Json by_rule = Json::object();
  for (const auto& [rule, n] : summary.by_rule) by_rule[std::string(rule_id(rule))] = n;
  Json skipped = Json::array();
  for (const auto& entry : summary.skipped) skipped.push_back(Json{{"path", entry.path}, {"reason", entry.reason}});
  return Json{{"input", summary.input},
              {"output", summary.output},
              {"template", summary.template_name.empty() ? Json(nullptr) : Json(summary.template_name)},
              {"files", files},
              {"records", summary.records()},
              {"written", summary.written()},
              {"rewritten", summary.rewritten()},
              {"dropped", summary.dropped()},
              {"rejected", summary.rejected()},
              {"by_rule", by_rule},
              {"rejects", summary.rejects_path.empty() ? Json(nullptr) : Json(summary.rejects_path)},
              {"skipped", skipped},
              {"notes", summary.notes},
              {"remaining", Json::parse(lint_report_json(summary.remaining))}}
      .dump(2);
}

}  // namespace chatfmt
