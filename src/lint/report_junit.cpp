// JUnit XML, the report every CI system reads: a testsuite per linted file (and one for a
// dataset's own findings), a testcase per rule that ran, failing where the rule found something
// in that file. Built with pugixml, so every name and message is escaped as XML wants.
#include <algorithm>
#include <map>
#include <sstream>

#include <pugixml.hpp>

#include "chatfmt/lint.hpp"

namespace chatfmt {

std::string lint_report_junit(const LintReport& report) {
  // The suites: every file linted, in order, then any other path findings name (a dataset).
  std::vector<std::string> suites;
  for (const auto& file : report.files) suites.push_back(file.path);
  std::map<std::string, std::map<Rule, std::vector<const LintFinding*>>> found;
  for (const auto& f : report.findings) {
    if (found.find(f.path) == found.end() && std::find(suites.begin(), suites.end(), f.path) == suites.end()) {
      suites.push_back(f.path);
    }
    found[f.path][f.rule].push_back(&f);
  }

  pugi::xml_document document;
  auto root = document.append_child("testsuites");
  root.append_attribute("name") = "chatfmt lint";
  std::uint64_t all_tests = 0;
  std::uint64_t all_failures = 0;
  for (const auto& path : suites) {
    auto suite = root.append_child("testsuite");
    suite.append_attribute("name") = path.c_str();
    std::uint64_t failures = 0;
    const auto& by_rule = found[path];
    for (const Rule rule : report.rules_run) {
      const RuleInfo& info = rule_info(rule);
      auto test = suite.append_child("testcase");
      test.append_attribute("classname") = path.c_str();
      test.append_attribute("name") = (std::string(info.code) + " " + std::string(info.id)).c_str();
      const auto hits = by_rule.find(rule);
      if (hits == by_rule.end()) continue;
      // Only errors fail a build; warnings and notices are listed as the test's output.
      bool fails = false;
      std::string text;
      for (const LintFinding* f : hits->second) {
        fails = fails || f->severity == Severity::error;
        text += f->path;
        if (f->line > 0) text += ":" + std::to_string(f->line);
        if (f->column > 0) text += ":" + std::to_string(f->column);
        text += ": " + std::string(severity_name(f->severity)) + ": " + f->message + "\n";
      }
      const std::string summary = std::to_string(hits->second.size()) + " finding" +
                                  (hits->second.size() == 1 ? "" : "s") + ": " + std::string(info.summary);
      if (fails) {
        ++failures;
        auto failure = test.append_child("failure");
        failure.append_attribute("message") = summary.c_str();
        failure.append_attribute("type") = std::string(info.id).c_str();
        failure.text().set(text.c_str());
      } else {
        test.append_child("system-out").text().set((summary + "\n" + text).c_str());
      }
    }
    suite.append_attribute("tests") = static_cast<unsigned long long>(report.rules_run.size());
    suite.append_attribute("failures") = static_cast<unsigned long long>(failures);
    suite.append_attribute("errors") = 0;
    suite.append_attribute("skipped") = 0;
    all_tests += report.rules_run.size();
    all_failures += failures;
  }
  root.append_attribute("tests") = static_cast<unsigned long long>(all_tests);
  root.append_attribute("failures") = static_cast<unsigned long long>(all_failures);
  root.append_attribute("errors") = 0;
  std::ostringstream out;
  document.save(out, "  ", pugi::format_default | pugi::format_no_declaration);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + out.str();
}

}  // namespace chatfmt
