// Dataset quality (Q): what only the whole dataset shows. Each check reads the facts every record
// left (hashes, encodings, tools), never the records.
#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>

#include <tbb/parallel_sort.h>

#include "lint/checks.hpp"

namespace chatfmt::lint {
namespace {

std::string at_line(const std::string& path, std::uint64_t line) { return path + ":" + std::to_string(line); }

LintFinding finding(Rule rule, const std::string& path, const RecordEntry& entry, std::string message) {
  LintFinding f;
  f.rule = rule;
  f.path = path;
  f.line = entry.line;
  f.message = std::move(message);
  f.record_hash = entry.exact.hex();
  return f;
}

LintFinding file_finding(Rule rule, const std::string& path, std::string message) {
  LintFinding f;
  f.rule = rule;
  f.path = path;
  f.message = std::move(message);
  return f;
}

bool is_held_out(const SplitFacts& split) { return split.split == "valid" || split.split == "test"; }

std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * share);
  return text;
}

// The encodings that write calls, by name, in a set.
std::vector<std::string_view> call_encoding_names(EncodingSet set) {
  std::vector<std::string_view> names;
  for (std::size_t k = 0; k < encodings().size(); ++k) {
    if ((set & encoding_bit(k)) != 0 && encodings()[k].kind == EncodingKind::tool_call) {
      names.push_back(encodings()[k].name);
    }
  }
  return names;
}

EncodingSet call_encodings_of(EncodingSet set) {
  EncodingSet calls = 0;
  for (std::size_t k = 0; k < encodings().size(); ++k) {
    if (encodings()[k].kind == EncodingKind::tool_call) calls |= encoding_bit(k);
  }
  return set & calls;
}

std::string kind_name(EncodingSet calls) {
  if (calls == 0) return "records without tool calls";
  std::string names;
  for (auto name : call_encoding_names(calls)) names += (names.empty() ? "" : "+") + std::string(name);
  return "records calling tools as " + names;
}

}  // namespace

void DatasetFacts::add(SplitFacts& split, std::uint64_t line, const RecordFacts& facts) {
  RecordEntry entry;
  entry.line = line;
  entry.exact = facts.exact;
  entry.loose = facts.loose;
  entry.first_prompt = facts.first_prompt;
  entry.encodings = facts.encodings;
  entry.readable = facts.readable;
  entry.has_system = facts.has_system;
  entry.drifted = facts.drifted;
  entry.tools_begin = static_cast<std::uint32_t>(record_tools.size());
  for (const auto& tool : facts.tools_called) {
    auto at = tool_index_.find(tool);  // not emplace: it would copy the name for every call
    if (at == tool_index_.end()) {
      at = tool_index_.emplace(tool, static_cast<std::uint32_t>(tool_names.size())).first;
      tool_names.push_back(tool);
    }
    record_tools.push_back(at->second);
  }
  entry.tools_count = static_cast<std::uint32_t>(record_tools.size()) - entry.tools_begin;
  split.records.push_back(entry);
}

namespace {

// For each record, the index of the first record of `records` with the same key (itself when it
// is the first), or kNone where `has_key` says it has none. Sorting (hash, index) pairs on all
// cores instead of a node per record in a hash map: the dataset checks run after the records, on
// one thread otherwise.
constexpr std::uint32_t kNone = UINT32_MAX;

template <typename Key, typename HasKey>
std::vector<std::uint32_t> first_with_same(const std::vector<RecordEntry>& records, Key key, HasKey has_key) {
  std::vector<std::pair<Hash128, std::uint32_t>> order;
  order.reserve(records.size());
  for (std::uint32_t k = 0; k < records.size(); ++k) {
    if (has_key(k)) order.emplace_back(key(records[k]), k);
  }
  tbb::parallel_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.high, a.first.low, a.second) < std::tie(b.first.high, b.first.low, b.second);
  });
  std::vector<std::uint32_t> first(records.size(), kNone);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const bool same_as_previous = k > 0 && order[k].first == order[k - 1].first;
    first[order[k].second] = same_as_previous ? first[order[k - 1].second] : order[k].second;
  }
  return first;
}

}  // namespace

void check_duplicates(const DatasetFacts& dataset, const LintThresholds&, std::vector<LintFinding>& findings) {
  for (const auto& split : dataset.splits) {
    const auto& records = split.records;
    const auto exact = first_with_same(
        records, [](const RecordEntry& r) { return r.exact; }, [](std::uint32_t) { return true; });
    // A near duplicate is the same conversation as an earlier record that is not an exact copy (no
    // loose hash: near-duplicate is not selected, and nothing was hashed).
    const auto loose = first_with_same(
        records, [](const RecordEntry& r) { return r.loose; },
        [&](std::uint32_t k) { return records[k].readable && !records[k].loose.empty() && exact[k] == k; });
    for (std::uint32_t k = 0; k < records.size(); ++k) {
      const RecordEntry& entry = records[k];
      if (exact[k] != k) {
        findings.push_back(finding(Rule::duplicate_record, split.path, entry,
                                   "the same record as line " + std::to_string(records[exact[k]].line) +
                                       ": it counts twice in training; drop one (lint --fix keeps the first)"));
      } else if (loose[k] != kNone && loose[k] != k) {
        findings.push_back(finding(Rule::near_duplicate, split.path, entry,
                                   "the same conversation as line " + std::to_string(records[loose[k]].line) +
                                       ", written differently (whitespace, key order, escapes or tool-call "
                                       "encoding): it counts twice in training; drop one"));
      }
    }
  }
}

void check_split_leakage(const DatasetFacts& dataset, const LintThresholds&, std::vector<LintFinding>& findings) {
  const SplitFacts* train = nullptr;
  for (const auto& split : dataset.splits) {
    if (split.split == "train") train = &split;
  }
  if (train == nullptr) return;
  std::unordered_map<Hash128, std::uint64_t, Hash128Hasher> conversations;
  std::unordered_map<Hash128, std::uint64_t, Hash128Hasher> prompts;
  for (const auto& entry : train->records) {
    if (!entry.readable) continue;
    conversations.try_emplace(entry.loose, entry.line);
    if (!entry.first_prompt.empty()) prompts.try_emplace(entry.first_prompt, entry.line);
  }
  for (const auto& split : dataset.splits) {
    if (!is_held_out(split)) continue;
    for (const auto& entry : split.records) {
      if (!entry.readable) continue;
      if (const auto in_train = conversations.find(entry.loose); in_train != conversations.end()) {
        findings.push_back(finding(Rule::split_leakage, split.path, entry,
                                   "the same conversation is in train (" + at_line(train->path, in_train->second) +
                                       "): the " + split.split +
                                       " score measures memory, not skill; remove it from train (lint --fix does)"));
        continue;
      }
      if (entry.first_prompt.empty()) continue;
      if (const auto in_train = prompts.find(entry.first_prompt); in_train != prompts.end()) {
        findings.push_back(finding(Rule::split_shared_prompt, split.path, entry,
                                   "its first user prompt is also the first prompt of " +
                                       at_line(train->path, in_train->second) + ": the " + split.split +
                                       " split tests a task the model trained on; use a prompt train does not "
                                       "have"));
      }
    }
  }
}

void check_encodings_and_tools(const DatasetFacts& dataset, const LintThresholds& thresholds,
                               std::vector<LintFinding>& findings) {
  std::map<std::string_view, std::uint64_t> records_by_encoding;
  std::map<std::string_view, std::pair<std::string, std::uint64_t>> first_use;  // encoding -> path:line
  std::map<std::string, std::uint64_t> calls_by_tool;
  std::uint64_t calls = 0;
  for (const auto& split : dataset.splits) {
    for (const auto& entry : split.records) {
      for (auto name : call_encoding_names(entry.encodings)) {
        ++records_by_encoding[name];
        first_use.try_emplace(name, split.path, entry.line);
      }
      for (std::uint32_t t = entry.tools_begin; t < entry.tools_begin + entry.tools_count; ++t) {
        ++calls_by_tool[dataset.tool_names[dataset.record_tools[t]]];
        ++calls;
      }
    }
  }
  if (records_by_encoding.size() > 1) {
    std::string counts;
    std::string_view rarest;
    for (const auto& [name, n] : records_by_encoding) {
      counts += (counts.empty() ? "" : ", ") + std::string(name) + " " + std::to_string(n);
      if (rarest.empty() || n < records_by_encoding[rarest]) rarest = name;
    }
    const auto& [path, line] = first_use[rarest];
    findings.push_back(file_finding(Rule::mixed_encodings, dataset.path,
                                    "tool calls are written in " + std::to_string(records_by_encoding.size()) +
                                        " encodings (records: " + counts + "; the first " + std::string(rarest) +
                                        " at " + at_line(path, line) +
                                        "): the model learns several ways to call a tool and serves with one; "
                                        "write them all one way (chatfmt convert normalizes them)"));
  }
  if (calls_by_tool.size() > 1) {
    for (const auto& [tool, n] : calls_by_tool) {
      const double share = static_cast<double>(n) / static_cast<double>(calls);
      if (share >= thresholds.tool_share_min) continue;
      findings.push_back(file_finding(Rule::tool_imbalance, dataset.path,
                                      "tool '" + tool + "' gets " + std::to_string(n) + " of " + std::to_string(calls) +
                                          " calls (" + percent(share) + ", under " +
                                          percent(thresholds.tool_share_min) +
                                          "): the model may rarely choose it; add examples that call it"));
    }
  }
}

void check_shuffled(const DatasetFacts& dataset, const LintThresholds& thresholds, std::vector<LintFinding>& findings) {
  for (const auto& split : dataset.splits) {
    const std::size_t total = split.records.size();
    std::map<EncodingSet, std::vector<std::size_t>> positions;  // kind -> record indexes
    for (std::size_t k = 0; k < total; ++k) {
      positions[call_encodings_of(split.records[k].encodings)].push_back(k);
    }
    if (positions.size() < 2) continue;  // one kind: nothing to crowd
    for (const auto& [kind, where] : positions) {
      if (where.size() < thresholds.unshuffled_min_records) continue;
      // The largest gap between the share of this kind seen so far and the share of the file
      // read so far (a Kolmogorov-Smirnov distance): near 0 when spread evenly.
      double deviation = 0;
      const double n = static_cast<double>(where.size());
      for (std::size_t k = 0; k < where.size(); ++k) {
        const double position = static_cast<double>(where[k]) / static_cast<double>(total);
        const double next = static_cast<double>(where[k] + 1) / static_cast<double>(total);
        deviation = std::max({deviation, std::abs(static_cast<double>(k) / n - position),
                              std::abs(static_cast<double>(k + 1) / n - next)});
      }
      if (deviation <= thresholds.unshuffled_max_deviation) continue;
      const std::uint64_t from = split.records[where[where.size() / 10]].line;
      const std::uint64_t to = split.records[where[where.size() - 1 - where.size() / 10]].line;
      findings.push_back(
          file_finding(Rule::unshuffled, split.path,
                       kind_name(kind) + " (" + std::to_string(where.size()) + " of " + std::to_string(total) +
                           ") are crowded together: 80% of them sit in lines " + std::to_string(from) + "-" +
                           std::to_string(to) + " (distance from an even spread " + percent(deviation) + ", over " +
                           percent(thresholds.unshuffled_max_deviation) +
                           "); a trainer that reads in order (or a split cut from this file) sees them in one stretch; "
                           "shuffle the file"));
    }
  }
}

void check_system_prompt_coverage(const DatasetFacts& dataset, const LintThresholds& thresholds,
                                  std::vector<LintFinding>& findings) {
  for (const auto& split : dataset.splits) {
    std::uint64_t readable = 0;
    std::uint64_t with_system = 0;
    for (const auto& entry : split.records) {
      if (!entry.readable) continue;
      ++readable;
      if (entry.has_system) ++with_system;
    }
    if (readable == 0) continue;
    const double share = static_cast<double>(with_system) / static_cast<double>(readable);
    if (share >= thresholds.system_prompt_coverage_min) continue;
    findings.push_back(file_finding(Rule::system_prompt_coverage, split.path,
                                    std::to_string(with_system) + " of " + std::to_string(readable) +
                                        " records have a system prompt (" + percent(share) + ", under " +
                                        percent(thresholds.system_prompt_coverage_min) +
                                        "): the model serves with one; give every record the serving prompt"));
  }
}

}  // namespace chatfmt::lint
