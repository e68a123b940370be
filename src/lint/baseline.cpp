// Baselines: the findings a dataset is known to have, accepted so CI fails only on new ones. A
// finding about a record is matched by rule, file (relative to the linted path) and the record's
// content hash, never by line: records added above it do not break the match, and a new copy of a
// baselined record is new (the baseline counts each key's findings). A finding about a whole file
// or dataset is matched by rule and path: its message carries counts that change with the data.
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "chatfmt/errors.hpp"
#include "chatfmt/lint.hpp"
#include "core/file_policy.hpp"
#include "core/json.hpp"
#include "core/output_file.hpp"

namespace chatfmt {
namespace {

constexpr int kBaselineVersion = 1;

using Key = std::tuple<std::string, std::string, std::string>;  // rule id, relative path, record hash

std::string relative_to(const std::string& path, const std::vector<std::string>& roots) {
  for (const auto& root : roots) {
    std::string base = root;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    if (path == base) return ".";
    if (path.size() > base.size() && path.compare(0, base.size(), base) == 0 && path[base.size()] == '/') {
      return path.substr(base.size() + 1);
    }
  }
  return path;
}

Key key_of(const LintFinding& f, const std::vector<std::string>& roots) {
  return {std::string(rule_info(f.rule).id), relative_to(f.path, roots), f.record_hash};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("--baseline " + path + ": cannot open it (write one with --write-baseline " + path + ")");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

[[noreturn]] void bad_baseline(const std::string& path, const std::string& what) {
  throw UsageError("--baseline " + path + ": " + what + "; write it again with --write-baseline " + path);
}

}  // namespace

void write_lint_baseline(const LintReport& report, const std::vector<std::string>& paths, const std::string& path,
                         const InputOptions& input) {
  // Never written over a file being linted.
  std::vector<InputFile> inputs;
  for (const auto& root : paths) {
    auto listing = list_inputs(root, input);
    inputs.insert(inputs.end(), listing.files.begin(), listing.files.end());
  }
  detail::InputGuard guard(inputs, paths, false);
  guard.claim(path, "--write-baseline file", "write the baseline beside the dataset, not over one of its files");

  std::map<Key, std::uint64_t> counts;
  for (const auto& f : report.findings) ++counts[key_of(f, paths)];
  Json findings = Json::array();
  for (const auto& [key, n] : counts) {
    const auto& [rule, relative, hash] = key;
    findings.push_back(Json{{"rule", rule}, {"path", relative}, {"record_hash", hash}, {"count", n}});
  }
  const Json document{{"chatfmt_lint_baseline", kBaselineVersion}, {"findings", findings}};
  detail::OutputFile out(path);
  out.write(document.dump(2));
  out.write("\n");
  out.commit();
}

LintBaselineResult apply_lint_baseline(LintReport& report, const std::vector<std::string>& paths,
                                       const std::string& path) {
  const std::string text = read_text(path);
  JsonParseError error;
  const auto document = parse_json(text, error);
  if (!document) bad_baseline(path, "not JSON (" + error.describe() + ")");
  if (!document->is_object() || document->value("chatfmt_lint_baseline", 0) != kBaselineVersion ||
      !document->contains("findings") || !(*document)["findings"].is_array()) {
    bad_baseline(path, "not a chatfmt lint baseline (version " + std::to_string(kBaselineVersion) + ")");
  }
  std::map<Key, std::uint64_t> known;
  for (const auto& entry : (*document)["findings"]) {
    if (!entry.is_object() || !entry.contains("rule") || !entry["rule"].is_string() || !entry.contains("path") ||
        !entry["path"].is_string() || !entry.contains("record_hash") || !entry["record_hash"].is_string() ||
        !entry.contains("count") || !entry["count"].is_number_integer() || entry["count"].get<std::int64_t>() < 0) {
      bad_baseline(path, "an entry is not {\"rule\", \"path\", \"record_hash\", \"count\"}: " + entry.dump());
    }
    const auto rule = entry["rule"].get<std::string>();
    if (!find_rule(rule)) bad_baseline(path, "unknown rule '" + rule + "'");
    known[{rule, entry["path"].get<std::string>(), entry["record_hash"].get<std::string>()}] +=
        entry["count"].get<std::uint64_t>();
  }
  LintBaselineResult result;
  std::vector<LintFinding> kept;
  for (auto& f : report.findings) {
    auto it = known.find(key_of(f, paths));
    if (it != known.end() && it->second > 0) {
      --it->second;
      ++result.matched;
      continue;
    }
    kept.push_back(std::move(f));
  }
  report.findings = std::move(kept);
  for (const auto& [key, left] : known) {
    if (left == 0) continue;
    const auto& [rule, relative, hash] = key;
    result.stale.push_back(rule + " in " + relative + (hash.empty() ? "" : " (record " + hash + ")") +
                           (left > 1 ? " x" + std::to_string(left) : ""));
  }
  return result;
}

}  // namespace chatfmt
