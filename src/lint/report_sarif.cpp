// SARIF 2.1.0 (OASIS), what code-scanning UIs read: the rules that ran, with their summaries and
// documentation links, and a result per finding at its file, line and column. A finding about a
// record carries the record's content hash as a partial fingerprint, so a UI keeps tracking it
// when records are added above it.
#include "chatfmt/lint.hpp"
#include "chatfmt/version.hpp"
#include "core/json.hpp"

namespace chatfmt {
namespace {

// A file path as a URI reference: relative paths stay relative (to where lint ran), absolute ones
// become file:// URIs; bytes outside RFC 3986's unreserved set and '/' are percent-encoded.
std::string path_uri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = !path.empty() && path.front() == '/' ? "file://" : "";
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '/') {
      uri += c;
    } else {
      uri += '%';
      uri += kHex[byte >> 4];
      uri += kHex[byte & 0xf];
    }
  }
  return uri;
}

std::string_view level(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::info:
      return "note";
  }
  return "note";
}

}  // namespace

std::string lint_report_sarif(const LintReport& report) {
  Json rules = Json::array();
  std::vector<int> index_of(chatfmt::rules().size(), -1);
  for (const Rule rule : report.rules_run) {
    const RuleInfo& info = rule_info(rule);
    index_of[static_cast<std::size_t>(rule)] = static_cast<int>(rules.size());
    rules.push_back(
        Json{{"id", info.code},
             {"name", info.id},
             {"shortDescription", Json{{"text", info.summary}}},
             {"help", Json{{"text", std::string(info.summary) + " (" + std::string(info.doc_anchor) + ")"}}},
             {"defaultConfiguration", Json{{"level", level(info.severity)}}},
             {"properties", Json{{"family", family_name(info.family)}, {"docs", info.doc_anchor}}}});
  }
  Json results = Json::array();
  for (const auto& f : report.findings) {
    const RuleInfo& info = rule_info(f.rule);
    Json physical{{"artifactLocation", Json{{"uri", path_uri(f.path)}}}};
    if (f.line > 0) {
      Json region{{"startLine", f.line}};
      if (f.column > 0) region["startColumn"] = f.column;
      physical["region"] = region;
    }
    Json result{{"ruleId", info.code},
                {"level", level(f.severity)},
                {"message", Json{{"text", f.message}}},
                {"locations", Json::array({Json{{"physicalLocation", physical}}})}};
    if (const int index = index_of[static_cast<std::size_t>(f.rule)]; index >= 0) result["ruleIndex"] = index;
    if (!f.record_hash.empty()) result["partialFingerprints"] = Json{{"recordHash/v1", f.record_hash}};
    results.push_back(std::move(result));
  }
  // No helpUri or informationUri: chatfmt has no published home to point at; the rules' docs are
  // named by their path in the repository (properties.docs, and the help text).
  Json driver{{"name", "chatfmt"}, {"version", version()}, {"rules", rules}};
  Json run{{"tool", Json{{"driver", driver}}}, {"results", results}};
  return Json{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", Json::array({run})}}
      .dump(2);
}

}  // namespace chatfmt
