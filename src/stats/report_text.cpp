// stats and diff for people: aligned tables, small bar charts, colour on a terminal only; or the
// same as Markdown, for a pull-request comment.
#include <algorithm>
#include <cstdio>

#include "chatfmt/stats.hpp"

namespace chatfmt {
namespace {

constexpr std::size_t kBarWidth = 24;

struct Style {
  bool color = false;
  bool markdown = false;
  std::string bold(const std::string& s) const {
    return markdown ? "**" + s + "**" : color ? "\033[1m" + s + "\033[0m" : s;
  }
  std::string dim(const std::string& s) const { return color ? "\033[2m" + s + "\033[0m" : s; }
  std::string heading(const std::string& s) const { return markdown ? "#### " + s + "\n" : bold(s) + "\n"; }
  std::string sign(std::int64_t delta, const std::string& s) const {
    if (!color || delta == 0) return s;
    return (delta > 0 ? "\033[32m" : "\033[31m") + s + "\033[0m";
  }
};

std::string num(std::uint64_t n) { return std::to_string(n); }

std::string bar(std::uint64_t value, std::uint64_t most) {
  if (most == 0) return "";
  const std::size_t eighths = static_cast<std::size_t>((value * kBarWidth * 8 + most / 2) / most);
  static const char* const kParts[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  std::string out;
  for (std::size_t k = 0; k < eighths / 8; ++k) out += "█";
  out += kParts[eighths % 8];
  if (out.empty() && value > 0) out = "▏";
  return out;
}

// Rows of cells, the first column left-aligned and the rest right-aligned; the first row is the
// header of a Markdown table.
class Table {
 public:
  /// `bars_last`: the last column holds bar charts, which grow from the left.
  explicit Table(bool bars_last = false) : bars_last_(bars_last) {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  std::string render(const Style& style, const std::string& indent = "  ") const {
    if (style.markdown) return markdown();
    return aligned(indent);
  }

 private:
  std::string markdown() const {
    std::string out;
    for (std::size_t r = 0; r < rows_.size(); ++r) {
      out += "|";
      for (const auto& cell : rows_[r]) out += " " + escape(cell) + " |";
      out += "\n";
      if (r == 0) {
        out += "|";
        for (std::size_t k = 0; k < rows_[r].size(); ++k) out += k == 0 ? "---|" : "---:|";
        out += "\n";
      }
    }
    return out;
  }
  static std::string escape(const std::string& cell) {
    std::string out;
    for (const char c : cell) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
  }
  std::string aligned(const std::string& indent) const {
    std::vector<std::size_t> widths;
    for (const auto& r : rows_) {
      for (std::size_t k = 0; k < r.size(); ++k) {
        if (widths.size() <= k) widths.push_back(0);
        widths[k] = std::max(widths[k], visible(r[k]));
      }
    }
    std::string out;
    for (const auto& r : rows_) {
      out += indent;
      for (std::size_t k = 0; k < r.size(); ++k) {
        const std::string pad(widths[k] - visible(r[k]), ' ');
        const bool left = k == 0 || (bars_last_ && k + 1 == r.size());
        out += left ? (k == 0 ? "" : "  ") + r[k] + pad : "  " + pad + r[k];
      }
      while (!out.empty() && out.back() == ' ') out.pop_back();
      out += "\n";
    }
    return out;
  }

  static std::size_t visible(const std::string& s) {  // code points outside escape sequences
    std::size_t n = 0;
    for (std::size_t k = 0; k < s.size(); ++k) {
      if (s[k] == '\033') {
        while (k < s.size() && s[k] != 'm') ++k;
        continue;
      }
      n += (static_cast<unsigned char>(s[k]) & 0xC0) != 0x80 ? 1 : 0;
    }
    return n;
  }
  bool bars_last_ = false;
  std::vector<std::vector<std::string>> rows_;
};

std::string change(std::uint64_t before, std::uint64_t after, const Style& style) {
  const auto delta = static_cast<std::int64_t>(after) - static_cast<std::int64_t>(before);
  std::string s = (delta > 0 ? "+" : "") + std::to_string(delta);
  if (before > 0 && delta != 0) {
    char pct[32];
    std::snprintf(pct, sizeof pct, " (%+.1f%%)", 100.0 * static_cast<double>(delta) / static_cast<double>(before));
    s += pct;
  }
  return style.sign(delta, delta == 0 ? "=" : s);
}

std::string spread(const Distribution& d) {
  return d.count == 0 ? "-" : num(d.p50) + " / " + num(d.p90) + " / " + num(d.max);
}

std::uint64_t role(const SplitStats& s, const char* name) {
  const auto at = s.messages_by_role.find(name);
  return at == s.messages_by_role.end() ? 0 : at->second;
}

// The figures every split has, one row each, as (label, value-as-text) per split.
std::vector<std::pair<std::string, std::vector<std::string>>> figure_rows(
    const std::vector<const SplitStats*>& splits) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto add = [&](const std::string& label, auto value) {
    std::vector<std::string> cells;
    for (const SplitStats* s : splits) cells.push_back(value(*s));
    rows.emplace_back(label, std::move(cells));
  };
  add("records", [](const SplitStats& s) { return num(s.records); });
  add("unreadable", [](const SplitStats& s) { return num(s.unreadable); });
  for (const char* name : {"system", "user", "assistant", "tool"}) {
    add(std::string("messages: ") + name, [&](const SplitStats& s) { return num(role(s, name)); });
  }
  add("turns per record (p50 / p90 / max)", [](const SplitStats& s) { return spread(s.turns); });
  add("records with tool calls", [](const SplitStats& s) { return num(s.records_with_calls); });
  add("records answering directly",
      [](const SplitStats& s) { return num(s.records - s.unreadable - s.records_with_calls); });
  add("tool calls", [](const SplitStats& s) { return num(s.tool_calls); });
  add("tool results", [](const SplitStats& s) { return num(s.tool_results); });
  add("records with a system prompt", [](const SplitStats& s) { return num(s.records_with_system); });
  add("distinct system prompts", [](const SplitStats& s) { return num(s.distinct_system_prompts); });
  add("characters per record (p50 / p90 / max)", [](const SplitStats& s) { return spread(s.chars); });
  if (std::any_of(splits.begin(), splits.end(), [](const SplitStats* s) { return s->tokens.count > 0; })) {
    add("tokens per record (p50 / p90 / max)", [](const SplitStats& s) { return spread(s.tokens); });
  }
  add("exact duplicates", [](const SplitStats& s) { return num(s.duplicates); });
  return rows;
}

std::string counts_chart(const std::string& title, const std::map<std::string, std::uint64_t>& counts,
                         const Style& style) {
  if (counts.empty()) return "";
  std::uint64_t most = 0;
  for (const auto& [name, n] : counts) most = std::max(most, n);
  std::vector<std::pair<std::string, std::uint64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  Table table(true);
  table.row({title, "records", ""});
  for (const auto& [name, n] : sorted) table.row({name, num(n), bar(n, most)});
  return table.render(style);
}

std::string dataset_text(const DatasetStats& d, const Style& style) {
  std::string out = style.bold(d.path) + "  " +
                    style.dim("(" + num(d.splits.size()) + (d.splits.size() == 1 ? " file, " : " files, ") +
                              num(d.total.records) + " records)") +
                    "\n";
  std::vector<const SplitStats*> columns;
  Table table;
  std::vector<std::string> header = {""};
  for (const auto& s : d.splits) {
    columns.push_back(&s);
    header.push_back(s.split.empty() ? s.path : s.split);
  }
  if (d.splits.size() > 1) {
    columns.push_back(&d.total);
    header.push_back("total");
  }
  table.row(header);
  for (auto& [label, cells] : figure_rows(columns)) {
    cells.insert(cells.begin(), label);
    table.row(cells);
  }
  out += table.render(style);
  out += "\n" + counts_chart("encoding", d.total.records_by_encoding, style);
  out += "\n" + counts_chart("tool called", d.total.calls_by_tool, style);
  if (d.splits.size() > 1) {
    out += "\nleakage: " + num(d.leaked_conversations) + " valid/test records have their conversation in train, " +
           num(d.leaked_prompts) + " their first user prompt\n";
  }
  return out;
}

std::string stats_text(const std::vector<DatasetStats>& datasets, const Style& style);
std::string diff_text(const DiffReport& r, const Style& style);

}  // namespace

std::string stats_report_text(const std::vector<DatasetStats>& datasets, bool color) {
  return stats_text(datasets, Style{color, false});
}

std::string stats_report_markdown(const std::vector<DatasetStats>& datasets) {
  return stats_text(datasets, Style{false, true});
}

std::string diff_report_text(const DiffReport& r, bool color) { return diff_text(r, Style{color, false}); }

std::string diff_report_markdown(const DiffReport& r) { return diff_text(r, Style{false, true}); }

namespace {

std::string stats_text(const std::vector<DatasetStats>& datasets, const Style& style) {
  std::string out;
  for (std::size_t k = 0; k < datasets.size(); ++k) out += (k == 0 ? "" : "\n") + dataset_text(datasets[k], style);
  return out;
}

std::string diff_text(const DiffReport& r, const Style& style) {
  std::string out = style.bold(r.summary) + "\n\n";

  Table records;
  records.row({"records", "old", "new", "change"});
  for (const auto& f : r.flows) {
    records.row({f.split, num(f.old_records), num(f.new_records), change(f.old_records, f.new_records, style)});
  }
  records.row({"total", num(r.old_stats.total.records), num(r.new_stats.total.records),
               change(r.old_stats.total.records, r.new_stats.total.records, style)});
  out += records.render(style) + "\n";

  const std::uint64_t most = std::max({r.unchanged, r.moved, r.changed, r.added, r.removed});
  Table matched(true);
  matched.row({"matched (old -> new)", "records", ""});
  matched.row({"unchanged", num(r.unchanged), bar(r.unchanged, most)});
  matched.row({"moved to another split", num(r.moved), bar(r.moved, most)});
  matched.row({"changed", num(r.changed), bar(r.changed, most)});
  matched.row({"added", num(r.added), bar(r.added, most)});
  matched.row({"removed", num(r.removed), bar(r.removed, most)});
  out += matched.render(style) + "\n";

  Table flows;
  flows.row({"per split", "unchanged", "moved in", "moved out", "changed", "added", "removed"});
  for (const auto& f : r.flows) {
    flows.row(
        {f.split, num(f.unchanged), num(f.moved_in), num(f.moved_out), num(f.changed), num(f.added), num(f.removed)});
  }
  out += flows.render(style) + "\n";

  if (r.changed > 0) {
    std::uint64_t top = 0;
    for (const auto& [part, n] : r.changed_parts) top = std::max(top, n);
    Table parts(true);
    parts.row({"changed records, by part", "records", ""});
    for (std::size_t k = 0; k < kRecordParts; ++k) {
      const std::string name(record_part_name(static_cast<RecordPart>(k)));
      const std::uint64_t n = r.changed_parts.count(name) != 0 ? r.changed_parts.at(name) : 0;
      parts.row({name, num(n), bar(n, top)});
    }
    const std::string item = style.markdown ? "- " : "  ";
    out += parts.render(style) + "\n" + style.heading("how records changed");
    for (std::size_t k = 0; k < r.change_kinds.size() && k < 8; ++k) {
      out += item + num(r.change_kinds[k].second) + " " + r.change_kinds[k].first + "\n";
    }
    if (r.change_kinds.size() > 8) out += item + "... and " + num(r.change_kinds.size() - 8) + " other ways\n";
    // Each line of the changed stretch, marked as a unified diff marks it.
    auto lines = [](const std::string& text, const std::string& mark) {
      if (text.empty()) return mark + " (none)\n";
      std::string marked;
      std::size_t at = 0;
      while (at <= text.size()) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        marked += mark + " " + text.substr(at, end - at) + "\n";
        at = end + 1;
      }
      return marked;
    };
    for (const auto& e : r.examples) {
      if (e.part.empty()) continue;
      out += "\n" + style.bold("e.g. " + e.part) + " " +
             style.dim(e.before.path + ":" + num(e.before.line) + " -> " + e.after.path + ":" + num(e.after.line)) +
             "\n";
      const std::string body = lines(e.old_text, "-") + lines(e.new_text, "+");
      out += style.markdown ? "```diff\n" + body + "```\n" : body;
    }
    out += "\n";
  }

  auto names = [](const std::vector<std::string>& list) {
    std::string s;
    for (const auto& name : list) s += (s.empty() ? "" : ", ") + name;
    return s.empty() ? std::string("none") : s;
  };
  out += "tools: added " + names(r.tools_added) + "; removed " + names(r.tools_removed) + "\n";
  out += "encodings: added " + names(r.encodings_added) + "; removed " + names(r.encodings_removed) + "\n";
  out += "system prompts: " + num(r.system_prompts_added) + " new, " + num(r.system_prompts_removed) + " gone\n";
  auto examples = [&](const char* title, const std::vector<RecordRef>& refs, std::uint64_t total) {
    if (refs.empty()) return;
    out += "\n" + style.heading(std::string(title) + " (" + num(refs.size()) + " of " + num(total) + ")");
    for (const auto& ref : refs) {
      out += style.markdown ? "- `" + ref.path + ":" + num(ref.line) + "` " + ref.prompt + "\n"
                            : "  " + ref.path + ":" + num(ref.line) + "  " + ref.prompt + "\n";
    }
  };
  examples("added, e.g.", r.added_examples, r.added);
  examples("removed, e.g.", r.removed_examples, r.removed);

  // Every figure of stats side by side: the dataset's, then each split's both versions have.
  auto side_by_side = [&](const std::string& title, const SplitStats& a, const SplitStats& b) {
    out += "\n" + style.heading(title);
    Table figures;
    figures.row({"", "old", "new", "change"});
    const auto old_rows = figure_rows({&a});
    const auto new_rows = figure_rows({&b});
    for (std::size_t k = 0; k < old_rows.size() && k < new_rows.size(); ++k) {
      const std::string& x = old_rows[k].second[0];
      const std::string& y = new_rows[k].second[0];
      const bool numeric = !x.empty() && x.find_first_not_of("0123456789") == std::string::npos &&
                           y.find_first_not_of("0123456789") == std::string::npos;
      figures.row({old_rows[k].first, x, y, numeric ? change(std::stoull(x), std::stoull(y), style) : ""});
    }
    auto counts = [&](const char* what, const std::map<std::string, std::uint64_t>& before,
                      const std::map<std::string, std::uint64_t>& after) {
      std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> both;
      for (const auto& [name, n] : before) both[name].first = n;
      for (const auto& [name, n] : after) both[name].second = n;
      for (const auto& [name, n] : both) {
        figures.row({std::string(what) + name, num(n.first), num(n.second), change(n.first, n.second, style)});
      }
    };
    counts("records by encoding: ", a.records_by_encoding, b.records_by_encoding);
    counts("calls to ", a.calls_by_tool, b.calls_by_tool);
    out += figures.render(style);
  };
  side_by_side("figures, old -> new", r.old_stats.total, r.new_stats.total);
  Table leakage;
  leakage.row({"leakage", "old", "new", "change"});
  leakage.row({"valid/test conversations also in train", num(r.old_stats.leaked_conversations),
               num(r.new_stats.leaked_conversations),
               change(r.old_stats.leaked_conversations, r.new_stats.leaked_conversations, style)});
  leakage.row({"valid/test first prompts also in train", num(r.old_stats.leaked_prompts),
               num(r.new_stats.leaked_prompts), change(r.old_stats.leaked_prompts, r.new_stats.leaked_prompts, style)});
  out += leakage.render(style);
  for (const auto& old_split : r.old_stats.splits) {
    for (const auto& new_split : r.new_stats.splits) {
      if (!old_split.split.empty() && old_split.split == new_split.split) {
        side_by_side(old_split.split + ", old -> new", old_split, new_split);
      }
    }
  }
  return out;
}

}  // namespace

}  // namespace chatfmt
