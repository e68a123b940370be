// stats and diff as one self-contained page: inline CSS (light and dark), SVG charts drawn here,
// no script, font or style from elsewhere, so it opens offline and anywhere.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "chatfmt/stats.hpp"

namespace chatfmt {
namespace {

std::string esc(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (int k = static_cast<int>(digits.size()) - 3; k > 0; k -= 3) digits.insert(static_cast<std::size_t>(k), ",");
  return digits;
}

std::string fmt(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", x);
  return buffer;
}

const char* const kStyle = R"css(
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --grid: #d1d9e0; --panel: #f6f8fa;
  --old: #818b98; --new: #0969da; --unchanged: #818b98; --moved: #8250df; --changed: #9a6700; --added: #1a7f37;
  --removed: #d1242f; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --grid: #3d444d;
  --panel: #151b23; --old: #9198a1; --new: #4493f8; --unchanged: #9198a1; --moved: #ab7df8; --changed: #d29922;
  --added: #3fb950; --removed: #f85149; } }
body { margin: 0 auto; max-width: 1080px; padding: 24px; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 32px 0 8px; border-bottom: 1px solid var(--grid); }
.summary { font-size: 17px; background: var(--panel); border-left: 4px solid var(--new); padding: 12px 16px; }
.muted { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 3px 12px; border-bottom: 1px solid var(--grid); }
th { text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: var(--added); } .down { color: var(--removed); }
figure { margin: 12px 0; } figcaption { color: var(--muted); font-size: 13px; }
svg text { fill: var(--fg); font: 12px system-ui, sans-serif; } svg .axis { stroke: var(--grid); }
.legend { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; border-radius: 2px; }
pre { background: var(--panel); padding: 8px 12px; overflow-x: auto; white-space: pre-wrap; }
.del { color: var(--removed); } .ins { color: var(--added); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 8px 32px; }
)css";

std::string legend(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out = "<div class=\"muted\">";
  for (const auto& [label, color] : items) {
    out += "<span class=\"legend\" style=\"background:var(" + color + ")\"></span>" + esc(label);
  }
  return out + "</div>";
}

// Horizontal bars, one group per category: a bar per series (old and new, or one).
std::string grouped_bars(const std::string& title, const std::vector<std::string>& categories,
                         const std::vector<std::pair<std::string, std::vector<std::uint64_t>>>& series) {
  if (categories.empty()) return "";
  const int label_width = 150;
  const int bar_area = 260;
  const int bar_height = 14;
  const int group_height = static_cast<int>(series.size()) * (bar_height + 2) + 10;
  const int height = static_cast<int>(categories.size()) * group_height + 10;
  std::uint64_t most = 1;
  for (const auto& [name, values] : series) {
    for (const auto v : values) most = std::max(most, v);
  }
  static const char* const kColors[] = {"--old", "--new"};
  std::string svg = "<figure><svg role=\"img\" aria-label=\"" + esc(title) + "\" width=\"" +
                    std::to_string(label_width + bar_area + 70) + "\" height=\"" + std::to_string(height) +
                    "\"><title>" + esc(title) + "</title>";
  for (std::size_t c = 0; c < categories.size(); ++c) {
    const int y = 5 + static_cast<int>(c) * group_height;
    svg += "<text x=\"" + std::to_string(label_width - 8) + "\" y=\"" + std::to_string(y + group_height / 2) +
           "\" text-anchor=\"end\" dominant-baseline=\"middle\">" + esc(categories[c]) + "</text>";
    for (std::size_t s = 0; s < series.size(); ++s) {
      const std::uint64_t v = series[s].second[c];
      const int w = static_cast<int>(static_cast<double>(v) / static_cast<double>(most) * bar_area);
      const int by = y + static_cast<int>(s) * (bar_height + 2);
      const char* color = series.size() == 1 ? "--new" : kColors[s % 2];
      svg += "<rect x=\"" + std::to_string(label_width) + "\" y=\"" + std::to_string(by) + "\" width=\"" +
             std::to_string(std::max(w, v > 0 ? 1 : 0)) + "\" height=\"" + std::to_string(bar_height) +
             "\" style=\"fill:var(" + color + ")\"><title>" + esc(series[s].first + ": " + num(v)) + "</title></rect>";
      svg += "<text x=\"" + std::to_string(label_width + w + 6) + "\" y=\"" + std::to_string(by + bar_height / 2) +
             "\" dominant-baseline=\"middle\">" + num(v) + "</text>";
    }
  }
  svg += "</svg><figcaption>" + esc(title) + "</figcaption>";
  if (series.size() > 1) svg += legend({{series[0].first, "--old"}, {series[1].first, "--new"}});
  return svg + "</figure>";
}

// Columns over the power-of-two buckets of a Distribution's histogram, old beside new.
std::string histogram(const std::string& title,
                      const std::vector<std::pair<std::string, const Distribution*>>& series) {
  std::size_t buckets = 0;
  std::uint64_t most = 1;
  for (const auto& [name, d] : series) {
    buckets = std::max(buckets, d->histogram.size());
    for (const auto n : d->histogram) most = std::max(most, n);
  }
  if (buckets == 0) return "";
  // From the first bucket that holds a record: the empty small ones say nothing.
  std::size_t first = buckets;
  for (const auto& [name, d] : series) {
    for (std::size_t b = 0; b < d->histogram.size(); ++b) {
      if (d->histogram[b] > 0) {
        first = std::min(first, b);
        break;
      }
    }
  }
  if (first == buckets) return "";
  const int column = 16;
  const int gap = 10;
  // Wide enough for a bucket label ("512", "1.0k") under a single column too.
  const int group = std::max(static_cast<int>(series.size()) * column + gap, 36);
  const int plot_height = 160;
  const int width = 50 + static_cast<int>(buckets - first) * group;
  std::string svg = "<figure><svg role=\"img\" aria-label=\"" + esc(title) + "\" width=\"" + std::to_string(width) +
                    "\" height=\"" + std::to_string(plot_height + 60) + "\"><title>" + esc(title) + "</title>";
  svg += "<line class=\"axis\" x1=\"40\" x2=\"" + std::to_string(width) + "\" y1=\"" +
         std::to_string(plot_height + 10) + "\" y2=\"" + std::to_string(plot_height + 10) + "\"/>";
  static const char* const kColors[] = {"--old", "--new"};
  for (std::size_t b = first; b < buckets; ++b) {
    const int x = 44 + static_cast<int>(b - first) * group;
    for (std::size_t s = 0; s < series.size(); ++s) {
      const auto& h = series[s].second->histogram;
      const std::uint64_t n = b < h.size() ? h[b] : 0;
      const int bar = static_cast<int>(static_cast<double>(n) / static_cast<double>(most) * plot_height);
      svg += "<rect x=\"" + std::to_string(x + static_cast<int>(s) * column) + "\" y=\"" +
             std::to_string(plot_height + 10 - bar) + "\" width=\"" + std::to_string(column - 2) + "\" height=\"" +
             std::to_string(bar) + "\" style=\"fill:var(" + (series.size() == 1 ? "--new" : kColors[s % 2]) +
             ")\"><title>" + esc(series[s].first + ": " + num(n)) + "</title></rect>";
    }
    // Bucket b holds [2^(b-1), 2^b): labelled by its lower bound.
    const std::string low = b == 0   ? "0"
                            : b < 11 ? num(std::uint64_t{1} << (b - 1))
                                     : fmt(std::ldexp(1.0, static_cast<int>(b) - 11)) + "k";
    svg += "<text x=\"" + std::to_string(x + group / 2 - gap / 2) + "\" y=\"" + std::to_string(plot_height + 26) +
           "\" text-anchor=\"middle\">" + esc(low) + "</text>";
  }
  svg += "</svg><figcaption>" + esc(title) +
         " (records per bucket; a bucket runs from its label to twice it)</figcaption>";
  if (series.size() > 1) svg += legend({{series[0].first, "--old"}, {series[1].first, "--new"}});
  return svg + "</figure>";
}

std::string change_cell(std::uint64_t before, std::uint64_t after) {
  const auto delta = static_cast<std::int64_t>(after) - static_cast<std::int64_t>(before);
  if (delta == 0) return "<td class=\"n muted\">=</td>";
  std::string text = (delta > 0 ? "+" : "−") + num(static_cast<std::uint64_t>(delta > 0 ? delta : -delta));
  if (before > 0)
    text += " (" + std::string(delta > 0 ? "+" : "−") +
            fmt(100.0 * static_cast<double>(delta > 0 ? delta : -delta) / static_cast<double>(before)) + "%)";
  return std::string("<td class=\"n ") + (delta > 0 ? "up" : "down") + "\">" + text + "</td>";
}

std::vector<std::string> keys(const std::map<std::string, std::uint64_t>& a,
                              const std::map<std::string, std::uint64_t>& b) {
  std::set<std::string> all;
  for (const auto& [k, v] : a) all.insert(k);
  for (const auto& [k, v] : b) all.insert(k);
  std::vector<std::string> out(all.begin(), all.end());
  std::stable_sort(out.begin(), out.end(), [&](const auto& x, const auto& y) {
    auto total = [&](const std::string& k) { return (a.count(k) ? a.at(k) : 0) + (b.count(k) ? b.at(k) : 0); };
    return total(x) > total(y);
  });
  return out;
}

std::vector<std::uint64_t> values(const std::map<std::string, std::uint64_t>& m, const std::vector<std::string>& ks) {
  std::vector<std::uint64_t> out;
  for (const auto& k : ks) out.push_back(m.count(k) ? m.at(k) : 0);
  return out;
}

// The flow of each split: one stacked bar of where its records went.
std::string flow_chart(const DiffReport& r) {
  const std::vector<std::pair<std::string, std::string>> kinds = {{"unchanged", "--unchanged"},
                                                                  {"moved", "--moved"},
                                                                  {"changed", "--changed"},
                                                                  {"added", "--added"},
                                                                  {"removed", "--removed"}};
  const int label_width = 90;
  const int area = 620;
  std::string svg =
      "<figure><svg role=\"img\" aria-label=\"records by split: unchanged, moved, changed, added, "
      "removed\" width=\"" +
      std::to_string(label_width + area + 20) + "\" height=\"" +
      std::to_string(static_cast<int>(r.flows.size()) * 40 + 10) + "\"><title>Where each split's records went</title>";
  for (std::size_t k = 0; k < r.flows.size(); ++k) {
    const auto& f = r.flows[k];
    const int y = 8 + static_cast<int>(k) * 40;
    svg += "<text x=\"" + std::to_string(label_width - 8) + "\" y=\"" + std::to_string(y + 12) +
           "\" text-anchor=\"end\" dominant-baseline=\"middle\">" + esc(f.split) + "</text>";
    const std::uint64_t counts[] = {f.unchanged, f.moved_in + f.moved_out, f.changed, f.added, f.removed};
    std::uint64_t most = 0;  // each split's bar is its records: the table above gives their number
    for (const auto n : counts) most += n;
    most = std::max<std::uint64_t>(most, 1);
    double x = label_width;
    for (std::size_t c = 0; c < kinds.size(); ++c) {
      const double w = static_cast<double>(counts[c]) / static_cast<double>(most) * area;
      if (counts[c] == 0) continue;
      svg += "<rect x=\"" + fmt(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" + fmt(w) +
             "\" height=\"24\" style=\"fill:var(" + kinds[c].second + ")\"><title>" +
             esc(f.split + ", " + kinds[c].first + ": " + num(counts[c])) + "</title></rect>";
      if (w > 34) {
        svg += "<text x=\"" + fmt(x + w / 2) + "\" y=\"" + std::to_string(y + 12) +
               "\" text-anchor=\"middle\" dominant-baseline=\"middle\" style=\"fill:var(--bg)\">" + num(counts[c]) +
               "</text>";
      }
      x += w;
    }
  }
  svg +=
      "</svg><figcaption>Where each split's records went, as shares of the split (moved counts both the "
      "split left and the split joined)</figcaption>";
  return svg + legend(kinds) + "</figure>";
}

// Each line of a changed stretch, marked as a unified diff marks it.
std::string marked(const std::string& text, const char* css_class, const char* mark) {
  if (text.empty()) return std::string("<span class=\"") + css_class + "\">" + mark + " (none)</span>\n";
  std::string out;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    out +=
        std::string("<span class=\"") + css_class + "\">" + mark + " " + esc(text.substr(at, end - at)) + "</span>\n";
    at = end + 1;
  }
  return out;
}

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
         "content=\"width=device-width, initial-scale=1\">\n<title>" +
         esc(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
}

std::string figures_table(const SplitStats& a, const SplitStats* b) {
  std::string out =
      "<table><tr><th></th><th>" + std::string(b ? "old</th><th>new</th><th>change" : "records") + "</th></tr>";
  auto row = [&](const std::string& label, std::uint64_t x, std::uint64_t y) {
    out += "<tr><td>" + esc(label) + "</td><td class=\"n\">" + num(x) + "</td>";
    if (b) out += "<td class=\"n\">" + num(y) + "</td>" + change_cell(x, y);
    out += "</tr>";
  };
  const SplitStats& other = b ? *b : a;
  auto role = [](const SplitStats& s, const char* name) {
    return s.messages_by_role.count(name) ? s.messages_by_role.at(name) : 0;
  };
  row("records", a.records, other.records);
  row("unreadable", a.unreadable, other.unreadable);
  for (const char* name : {"system", "user", "assistant", "tool"}) {
    row(std::string("messages: ") + name, role(a, name), role(other, name));
  }
  row("records with tool calls", a.records_with_calls, other.records_with_calls);
  row("tool calls", a.tool_calls, other.tool_calls);
  row("tool results", a.tool_results, other.tool_results);
  row("distinct system prompts", a.distinct_system_prompts, other.distinct_system_prompts);
  row("exact duplicates", a.duplicates, other.duplicates);
  row("characters per record, median", a.chars.p50, other.chars.p50);
  row("characters per record, p90", a.chars.p90, other.chars.p90);
  return out + "</table>";
}

}  // namespace

std::string diff_report_html(const DiffReport& r) {
  const std::string old_name = r.old_stats.path;
  const std::string new_name = r.new_stats.path;
  std::string body = "<h1>chatfmt diff</h1><p class=\"muted\">" + esc(old_name) + " → " + esc(new_name) + "</p>";
  body += "<p class=\"summary\">" + esc(r.summary) + "</p>";

  body += "<h2>Records</h2><table><tr><th>split</th><th>old</th><th>new</th><th>change</th></tr>";
  for (const auto& f : r.flows) {
    body += "<tr><td>" + esc(f.split) + "</td><td class=\"n\">" + num(f.old_records) + "</td><td class=\"n\">" +
            num(f.new_records) + "</td>" + change_cell(f.old_records, f.new_records) + "</tr>";
  }
  body += "<tr><th>total</th><td class=\"n\">" + num(r.old_stats.total.records) + "</td><td class=\"n\">" +
          num(r.new_stats.total.records) + "</td>" + change_cell(r.old_stats.total.records, r.new_stats.total.records) +
          "</tr></table>";
  body += "<p>Matched record by record: <b>" + num(r.unchanged) + "</b> unchanged, <b>" + num(r.moved) +
          "</b> moved to another split, <b>" + num(r.changed) + "</b> changed, <b>" + num(r.added) + "</b> added, <b>" +
          num(r.removed) + "</b> removed.</p>";
  body += flow_chart(r);

  if (r.changed > 0) {
    body += "<h2>What changed in the changed records</h2>";
    std::vector<std::string> parts;
    std::vector<std::uint64_t> counts;
    for (std::size_t k = 0; k < kRecordParts; ++k) {
      const std::string name(record_part_name(static_cast<RecordPart>(k)));
      parts.push_back(name);
      counts.push_back(r.changed_parts.count(name) ? r.changed_parts.at(name) : 0);
    }
    body += grouped_bars("changed records by the part that differs", parts, {{"changed records", counts}});
    body += "<ul>";
    for (std::size_t k = 0; k < r.change_kinds.size() && k < 8; ++k) {
      body += "<li><b>" + num(r.change_kinds[k].second) + "</b> " + esc(r.change_kinds[k].first) + "</li>";
    }
    body += "</ul>";
    for (const auto& e : r.examples) {
      if (e.part.empty()) continue;
      body += "<p class=\"muted\">e.g. " + esc(e.part) + ", " + esc(e.before.path) + ":" + num(e.before.line) + " → " +
              esc(e.after.path) + ":" + num(e.after.line) + "</p><pre>" + marked(e.old_text, "del", "−") +
              marked(e.new_text, "ins", "+") + "</pre>";
    }
  }

  body += "<h2>Encodings and tools</h2><div class=\"grid\">";
  const auto encodings = keys(r.old_stats.total.records_by_encoding, r.new_stats.total.records_by_encoding);
  body += grouped_bars("records by encoding", encodings,
                       {{"old", values(r.old_stats.total.records_by_encoding, encodings)},
                        {"new", values(r.new_stats.total.records_by_encoding, encodings)}});
  const auto tools = keys(r.old_stats.total.calls_by_tool, r.new_stats.total.calls_by_tool);
  body += grouped_bars("calls by tool", tools,
                       {{"old", values(r.old_stats.total.calls_by_tool, tools)},
                        {"new", values(r.new_stats.total.calls_by_tool, tools)}});
  body += "</div>";
  auto names = [](const std::vector<std::string>& list) {
    std::string s;
    for (const auto& n : list) s += (s.empty() ? "" : ", ") + esc(n);
    return s.empty() ? std::string("none") : s;
  };
  body += "<p>Tools added: " + names(r.tools_added) + "; removed: " + names(r.tools_removed) +
          ". Encodings added: " + names(r.encodings_added) + "; removed: " + names(r.encodings_removed) +
          ". System prompts: " + num(r.system_prompts_added) + " new, " + num(r.system_prompts_removed) + " gone.</p>";

  body += "<h2>Lengths</h2>";
  body += histogram("characters per record", {{"old", &r.old_stats.total.chars}, {"new", &r.new_stats.total.chars}});
  if (r.old_stats.total.tokens.count > 0 || r.new_stats.total.tokens.count > 0) {
    body += histogram("tokens per record", {{"old", &r.old_stats.total.tokens}, {"new", &r.new_stats.total.tokens}});
  }

  body += "<h2>Figures</h2>" + figures_table(r.old_stats.total, &r.new_stats.total);
  auto examples = [&](const char* title, const std::vector<RecordRef>& refs, std::uint64_t total) {
    if (refs.empty()) return;
    body += "<h2>" + std::string(title) + " (" + num(refs.size()) + " of " + num(total) + ")</h2><ul>";
    for (const auto& ref : refs) {
      body += "<li><code>" + esc(ref.path) + ":" + num(ref.line) + "</code> " + esc(ref.prompt) + "</li>";
    }
    body += "</ul>";
  };
  examples("Added, e.g.", r.added_examples, r.added);
  examples("Removed, e.g.", r.removed_examples, r.removed);
  return page("chatfmt diff: " + old_name + " → " + new_name, body);
}

std::string stats_report_html(const std::vector<DatasetStats>& datasets) {
  std::string body = "<h1>chatfmt stats</h1>";
  for (const auto& d : datasets) {
    body += "<h2>" + esc(d.path) + "</h2>";
    body += "<p>" + num(d.total.records) + " records in " + num(d.splits.size()) +
            (d.splits.size() == 1 ? " file" : " files") + "; leakage: " + num(d.leaked_conversations) +
            " valid/test conversations also in train, " + num(d.leaked_prompts) + " first prompts.</p>";
    body += figures_table(d.total, nullptr);
    std::vector<std::string> encodings;
    for (const auto& [k, v] : d.total.records_by_encoding) encodings.push_back(k);
    body += "<div class=\"grid\">" + grouped_bars("records by encoding", encodings,
                                                  {{"records", values(d.total.records_by_encoding, encodings)}});
    std::vector<std::string> tools;
    for (const auto& [k, v] : d.total.calls_by_tool) tools.push_back(k);
    body += grouped_bars("calls by tool", tools, {{"calls", values(d.total.calls_by_tool, tools)}}) + "</div>";
    body += histogram("characters per record", {{"records", &d.total.chars}});
  }
  return page("chatfmt stats", body);
}

}  // namespace chatfmt
