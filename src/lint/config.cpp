// lint's config file: the rule selection, severities and thresholds a project keeps with its data.
// JSON (nlohmann, with the line and column of a syntax error); every key is checked, nothing is
// ignored silently.
#include <cmath>
#include <fstream>
#include <sstream>

#include "chatfmt/errors.hpp"
#include "chatfmt/lint.hpp"
#include "core/json.hpp"

namespace chatfmt {
namespace {

// The thresholds by their config names: the one list the config, its errors and docs/cli.md use.
struct ThresholdField {
  std::string_view name;
  double LintThresholds::*fraction = nullptr;      // a share, 0-1
  std::uint64_t LintThresholds::*count = nullptr;  // a whole number
};

constexpr ThresholdField kThresholds[] = {
    {"tool_share_min", &LintThresholds::tool_share_min, nullptr},
    {"system_prompt_coverage_min", &LintThresholds::system_prompt_coverage_min, nullptr},
    {"unshuffled_min_records", nullptr, &LintThresholds::unshuffled_min_records},
    {"unshuffled_max_deviation", &LintThresholds::unshuffled_max_deviation, nullptr},
};

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw UsageError("--config " + path + ": " + what);
}

std::vector<std::string> rule_patterns(const Json& value, const std::string& path, const std::string& key) {
  if (!value.is_array()) bad(path, "\"" + key + "\" must be a list of rule ids, codes or code prefixes");
  std::vector<std::string> patterns;
  for (const auto& item : value) {
    if (!item.is_string()) bad(path, "\"" + key + "\" must be a list of strings, not " + item.dump());
    patterns.push_back(item.get<std::string>());
  }
  return patterns;
}

std::string threshold_names() {
  std::string names;
  for (const auto& field : kThresholds) names += (names.empty() ? "" : ", ") + std::string(field.name);
  return names;
}

}  // namespace

void apply_lint_config(const std::string& path, LintOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("--config " + path + ": cannot open it");
  std::stringstream buffer;
  buffer << in.rdbuf();
  JsonParseError error;
  const auto config = parse_json(buffer.str(), error);
  if (!config) bad(path, "not JSON (" + error.describe() + ")");
  if (!config->is_object())
    bad(path, "must be a JSON object with \"select\", \"ignore\", \"severity\", \"thresholds\", \"exclude\"");
  for (const auto& [key, value] : config->items()) {
    if (key == "select" || key == "ignore") {
      auto patterns = rule_patterns(value, path, key);
      auto& list = key == "select" ? options.select : options.ignore;
      // The command line's selection narrows or adds to the file's: both lists count.
      list.insert(list.end(), patterns.begin(), patterns.end());
    } else if (key == "exclude") {
      auto globs = rule_patterns(value, path, key);
      options.exclude.insert(options.exclude.end(), globs.begin(), globs.end());
    } else if (key == "severity") {
      if (!value.is_object())
        bad(path, "\"severity\" must map rule ids or codes to \"error\", \"warning\" or \"info\"");
      for (const auto& [rule_name, severity_value] : value.items()) {
        const auto rule = find_rule(rule_name);
        if (!rule) bad(path, "\"severity\": no rule '" + rule_name + "' (chatfmt lint --list-rules lists them)");
        const auto severity =
            severity_value.is_string() ? parse_severity(severity_value.get<std::string>()) : std::nullopt;
        if (!severity) {
          bad(path, "\"severity\": '" + rule_name + "' must be \"error\", \"warning\" or \"info\", not " +
                        severity_value.dump());
        }
        options.severities[*rule] = *severity;
      }
    } else if (key == "thresholds") {
      if (!value.is_object()) bad(path, "\"thresholds\" must be an object with " + threshold_names());
      for (const auto& [name, number] : value.items()) {
        const ThresholdField* field = nullptr;
        for (const auto& candidate : kThresholds) {
          if (candidate.name == name) field = &candidate;
        }
        if (field == nullptr) bad(path, "\"thresholds\": no threshold '" + name + "'; they are " + threshold_names());
        if (field->fraction != nullptr) {
          if (!number.is_number() || number.get<double>() < 0 || number.get<double>() > 1) {
            bad(path, "\"thresholds\": '" + name + "' must be a number from 0 to 1, not " + number.dump());
          }
          options.thresholds.*(field->fraction) = number.get<double>();
        } else {
          if (!number.is_number_integer() || number.get<std::int64_t>() < 0) {
            bad(path, "\"thresholds\": '" + name + "' must be a whole number, not " + number.dump());
          }
          options.thresholds.*(field->count) = number.get<std::uint64_t>();
        }
      }
    } else {
      bad(path, "unknown key \"" + key + "\"; the keys are select, ignore, severity, thresholds, exclude");
    }
  }
}

}  // namespace chatfmt
