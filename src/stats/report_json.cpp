// stats and diff for machines: stable keys (schemas/stats-report.schema.json,
// schemas/diff-report.schema.json), built as JSON trees (a report has a few hundred values).
#include "chatfmt/stats.hpp"
#include "core/json.hpp"

namespace chatfmt {
namespace {

Json distribution_json(const Distribution& d) {
  return Json{{"count", d.count}, {"total", d.total}, {"min", d.min}, {"max", d.max},
              {"p50", d.p50},     {"p90", d.p90},     {"p99", d.p99}, {"histogram", d.histogram}};
}

Json split_json(const SplitStats& s) {
  return Json{{"path", s.path},
              {"split", s.split},
              {"records", s.records},
              {"unreadable", s.unreadable},
              {"messages_by_role", s.messages_by_role},
              {"turns", distribution_json(s.turns)},
              {"records_by_encoding", s.records_by_encoding},
              {"calls_by_tool", s.calls_by_tool},
              {"tool_calls", s.tool_calls},
              {"tool_results", s.tool_results},
              {"records_with_calls", s.records_with_calls},
              {"records_without_calls", s.records - s.unreadable - s.records_with_calls},
              {"records_with_system", s.records_with_system},
              {"distinct_system_prompts", s.distinct_system_prompts},
              {"chars", distribution_json(s.chars)},
              {"tokens", s.tokens.count > 0 ? distribution_json(s.tokens) : Json(nullptr)},
              {"duplicates", s.duplicates}};
}

Json dataset_json(const DatasetStats& d) {
  Json splits = Json::array();
  for (const auto& s : d.splits) splits.push_back(split_json(s));
  return Json{{"path", d.path},
              {"splits", splits},
              {"total", split_json(d.total)},
              {"leakage", Json{{"conversations", d.leaked_conversations}, {"prompts", d.leaked_prompts}}}};
}

Json ref_json(const RecordRef& r) { return Json{{"path", r.path}, {"line", r.line}, {"prompt", r.prompt}}; }

std::string_view key_name(DiffKey key) {
  switch (key) {
    case DiffKey::first_user:
      return "first-user";
    case DiffKey::system_first_user:
      return "system+first-user";
    case DiffKey::content:
      return "content";
  }
  return "";
}

}  // namespace

std::string stats_report_json(const std::vector<DatasetStats>& datasets) {
  Json list = Json::array();
  for (const auto& d : datasets) list.push_back(dataset_json(d));
  return Json{{"datasets", list}}.dump(2);
}

std::string diff_report_json(const DiffReport& r) {
  Json flows = Json::array();
  for (const auto& f : r.flows) {
    flows.push_back(Json{{"split", f.split},
                         {"old_records", f.old_records},
                         {"new_records", f.new_records},
                         {"old_unreadable", f.old_unreadable},
                         {"new_unreadable", f.new_unreadable},
                         {"unchanged", f.unchanged},
                         {"moved_in", f.moved_in},
                         {"moved_out", f.moved_out},
                         {"changed", f.changed},
                         {"added", f.added},
                         {"removed", f.removed}});
  }
  Json kinds = Json::array();
  for (const auto& [kind, n] : r.change_kinds) kinds.push_back(Json{{"change", kind}, {"records", n}});
  Json examples = Json::array();
  for (const auto& e : r.examples) {
    examples.push_back(Json{{"part", e.part},
                            {"before", ref_json(e.before)},
                            {"after", ref_json(e.after)},
                            {"old_text", e.old_text},
                            {"new_text", e.new_text}});
  }
  Json added = Json::array();
  for (const auto& a : r.added_examples) added.push_back(ref_json(a));
  Json removed = Json::array();
  for (const auto& a : r.removed_examples) removed.push_back(ref_json(a));
  Json parts = Json::object();
  for (std::size_t k = 0; k < kRecordParts; ++k) {
    const std::string name(record_part_name(static_cast<RecordPart>(k)));
    parts[name] = r.changed_parts.count(name) != 0 ? r.changed_parts.at(name) : 0;
  }
  return Json{{"summary", r.summary},
              {"key", key_name(r.key)},
              {"records", Json{{"unchanged", r.unchanged},
                               {"moved", r.moved},
                               {"changed", r.changed},
                               {"added", r.added},
                               {"removed", r.removed}}},
              {"splits", flows},
              {"changed_parts", parts},
              {"change_kinds", kinds},
              {"examples", examples},
              {"tools", Json{{"added", r.tools_added}, {"removed", r.tools_removed}}},
              {"encodings", Json{{"added", r.encodings_added}, {"removed", r.encodings_removed}}},
              {"system_prompts", Json{{"added", r.system_prompts_added}, {"removed", r.system_prompts_removed}}},
              {"added_examples", added},
              {"removed_examples", removed},
              {"old", dataset_json(r.old_stats)},
              {"new", dataset_json(r.new_stats)}}
      .dump(2);
}

}  // namespace chatfmt
