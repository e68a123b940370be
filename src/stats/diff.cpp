// diff: the records of two versions matched independent of order and split. The same record
// (content, encoding and tool list) in the same split is unchanged, in another split moved; what
// is left is matched by key (the first user prompt, with the system prompt by default): the same
// key with other content is changed; the rest is added or removed.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include <xxhash.h>

#include "chatfmt/errors.hpp"
#include "core/record.hpp"
#include "core/text.hpp"
#include "stats/collect.hpp"
#include "stats/record_summary.hpp"

namespace chatfmt {
namespace {

using stats::Entry;

constexpr std::size_t kExamples = 10;
constexpr std::size_t kShownBytes = 300;

// A split's name for matching: train/valid/test, else the file's name.
std::string label(const SplitStats& split) {
  return split.split.empty() ? std::filesystem::path(split.path).filename().string() : split.split;
}

std::string dataset_name(const std::string& path) {
  std::filesystem::path p(path);
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

std::uint64_t key_of(const Entry& e, DiffKey key) {
  switch (key) {
    case DiffKey::first_user:
      return e.first_user;
    case DiffKey::content:
      return e.content;
    case DiffKey::system_first_user:
      break;
  }
  if (e.first_user == 0) return 0;
  const std::uint64_t both[2] = {e.system, e.first_user};
  const std::uint64_t hash = XXH3_64bits(both, sizeof both);
  return hash == 0 ? 1 : hash;
}

std::string_view part_label(RecordPart part) {
  switch (part) {
    case RecordPart::system:
      return "system prompt";
    case RecordPart::user:
      return "user messages";
    case RecordPart::assistant_text:
      return "assistant text";
    case RecordPart::calls:
      return "tool calls";
    case RecordPart::results:
      return "tool results";
    case RecordPart::tools:
      return "tool list";
    case RecordPart::encoding:
      return "tool-call encoding";
  }
  return "";
}

// How one half of a part changed, in words ("" when it did not).
std::string how(std::uint64_t before, std::uint64_t after, const std::string& what) {
  if (before == after) return "";
  if (after == 0) return "lost their " + what;
  if (before == 0) return "gained " + what;
  return "had their " + what + " rewritten";
}

// How a changed record changed, in words: "lost their assistant text before a tool call; calls
// and results unchanged".
std::string change_kind(const Entry& before, const Entry& after) {
  std::vector<std::string> phrases;
  bool calls_or_results = false;
  for (std::size_t k = 0; k < kRecordParts; ++k) {
    if (before.parts[k] == after.parts[k]) continue;
    const auto part = static_cast<RecordPart>(k);
    if (part == RecordPart::calls || part == RecordPart::results) calls_or_results = true;
    const std::string what(part_label(part));
    if (part == RecordPart::assistant_text) {  // the text leading up to a call, and the answers
      for (auto phrase : {how(before.lead_text, after.lead_text, "assistant text before a tool call"),
                          how(before.answer_text, after.answer_text, "answer")}) {
        if (!phrase.empty()) phrases.push_back(phrase);
      }
    } else if (part == RecordPart::encoding) {
      phrases.push_back("wrote their calls in another encoding");
    } else if (after.parts[k] == 0) {
      phrases.push_back("lost their " + what);
    } else if (before.parts[k] == 0) {
      phrases.push_back("gained " + what);
    } else {
      phrases.push_back("had their " + what + " rewritten");
    }
  }
  std::string sentence;
  for (std::size_t k = 0; k < phrases.size(); ++k) {
    sentence += (k == 0 ? "" : k + 1 == phrases.size() ? " and " : ", ") + phrases[k];
  }
  if (!calls_or_results) sentence += "; calls and results unchanged";
  return sentence;
}

// The records reports show (examples), read again from their files at the end: one pass per
// file for all of them, so matching keeps no text of any record.
class RecordTexts {
 public:
  void want(const std::string& path, std::uint64_t line) { wanted_[path][line]; }
  void load() {
    for (auto& [path, lines] : wanted_) {
      std::ifstream in(path, std::ios::binary);
      std::string text;
      std::uint64_t n = 0;
      for (auto& [line, found] : lines) {
        while (n < line && std::getline(in, text)) ++n;
        if (n == line) found = text;
      }
    }
  }
  /// The record read again; nullopt when the file changed since and it cannot be read.
  std::optional<Conversation> record(const std::string& path, std::uint64_t line, const ReadSetup& setup) const {
    try {
      return detail::read_record(wanted_.at(path).at(line), SourceRef{path, line}, setup);
    } catch (const RecordError&) {
      return std::nullopt;
    }
  }

 private:
  std::map<std::string, std::map<std::uint64_t, std::string>> wanted_;
};

std::string first_prompt(const std::optional<Conversation>& conversation) {
  if (!conversation) return "";
  for (const auto& message : conversation->messages) {
    if (message.role == Role::user) return text::excerpt(message.content, 80);
  }
  return "";
}

// The changed stretch of two texts with a little context: their common start and end cut off.
void changed_stretch(std::string& old_text, std::string& new_text) {
  constexpr std::size_t kContext = 40;
  std::size_t start = 0;
  while (start < old_text.size() && start < new_text.size() && old_text[start] == new_text[start]) ++start;
  std::size_t end = 0;
  while (end < old_text.size() - start && end < new_text.size() - start &&
         old_text[old_text.size() - 1 - end] == new_text[new_text.size() - 1 - end])
    ++end;
  const std::size_t from = start > kContext ? start - kContext : 0;
  const std::size_t tail = end > kContext ? end - kContext : 0;
  auto cut = [&](std::string& text) {
    text = text.substr(from, text.size() - from - tail);
    if (text.size() > kShownBytes) text = text::excerpt(text, kShownBytes);
    if (from > 0) text = "…" + text;
    if (tail > 0) text += "…";
  };
  cut(old_text);
  cut(new_text);
}

RecordRef ref(const stats::Collected& data, const Entry& e) { return {data.stats.splits[e.split].path, e.line, ""}; }

std::string summary_sentence(const DiffReport& r, const std::string& old_name, const std::string& new_name) {
  const std::uint64_t old_total = r.old_stats.total.records;
  const std::uint64_t new_total = r.new_stats.total.records;
  const std::uint64_t most = std::max({r.changed, r.added, r.removed, r.moved});
  std::string s = new_name + " ";
  if (most == 0) return s + "holds the same " + std::to_string(new_total) + " records as " + old_name + ".";
  if (most == r.changed) {
    s += "mostly changed records of " + old_name + ": " + std::to_string(r.changed) + " of its " +
         std::to_string(old_total) + " records changed";
    if (!r.change_kinds.empty()) {
      const auto& [kind, n] = r.change_kinds.front();
      s += n == r.changed ? ", all of them " : ", " + std::to_string(n) + " of them ";
      s += kind;
    }
  } else if (most == r.added) {
    s += "mostly added records to " + old_name + ": " + std::to_string(r.added) + " new, " + std::to_string(new_total) +
         " records in all against " + std::to_string(old_total);
  } else if (most == r.removed) {
    s += "mostly removed records of " + old_name + ": " + std::to_string(r.removed) + " of its " +
         std::to_string(old_total) + " records are gone";
  } else {
    s += "mostly moved records of " + old_name + " between splits: " + std::to_string(r.moved) + " records";
  }
  return s + ".";
}

std::vector<std::string> difference(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

DiffReport diff_datasets(const std::string& old_path, const std::string& new_path, const DiffOptions& options) {
  const stats::Collected old_data = stats::collect(old_path, options.stats, true);
  const stats::Collected new_data = stats::collect(new_path, options.stats, true);
  DiffReport report;
  report.key = options.key;
  report.old_stats = old_data.stats;
  report.new_stats = new_data.stats;
  const auto& olds = old_data.entries;
  const auto& news = new_data.entries;

  // Split labels, and a flow per label in the order the versions list their splits.
  std::vector<std::string> old_labels;
  std::vector<std::string> new_labels;
  for (const auto& split : old_data.stats.splits) old_labels.push_back(label(split));
  for (const auto& split : new_data.stats.splits) new_labels.push_back(label(split));
  std::map<std::string, std::size_t> flow_of;
  auto flow = [&](const std::string& name) -> SplitFlow& {
    auto [at, is_new] = flow_of.try_emplace(name, report.flows.size());
    if (is_new) report.flows.push_back(SplitFlow{name});
    return report.flows[at->second];
  };
  for (std::size_t k = 0; k < old_data.stats.splits.size(); ++k) {
    flow(old_labels[k]).old_records += old_data.stats.splits[k].records;
    flow(old_labels[k]).old_unreadable += old_data.stats.splits[k].unreadable;
  }
  for (std::size_t k = 0; k < new_data.stats.splits.size(); ++k) {
    flow(new_labels[k]).new_records += new_data.stats.splits[k].records;
    flow(new_labels[k]).new_unreadable += new_data.stats.splits[k].unreadable;
  }

  std::vector<bool> old_matched(olds.size(), false);
  std::vector<std::int64_t> new_match(news.size(), -1);  // the old record each new one matched
  // Each new record (in file order) to the first unmatched old record with its hash: one of the
  // same split first, then any.
  auto match = [&](auto hash_of, auto on_match) {
    // (hash, index) pairs sorted: 16 bytes an old record, where a map would hold a node and a list.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> by_hash;
    for (std::uint32_t k = 0; k < olds.size(); ++k) {
      if (!old_matched[k] && hash_of(olds[k]) != 0) by_hash.emplace_back(hash_of(olds[k]), k);
    }
    std::sort(by_hash.begin(), by_hash.end());
    for (const bool same_split : {true, false}) {
      for (std::uint32_t n = 0; n < news.size(); ++n) {
        if (new_match[n] >= 0 || hash_of(news[n]) == 0) continue;
        const std::uint64_t hash = hash_of(news[n]);
        auto at = std::lower_bound(by_hash.begin(), by_hash.end(), std::make_pair(hash, std::uint32_t{0}));
        for (; at != by_hash.end() && at->first == hash; ++at) {
          const std::uint32_t o = at->second;
          if (old_matched[o] || (same_split && old_labels[olds[o].split] != new_labels[news[n].split])) continue;
          old_matched[o] = true;
          new_match[n] = o;
          on_match(olds[o], news[n]);
          break;
        }
      }
    }
  };
  match([](const Entry& e) { return e.identity; },
        [&](const Entry& o, const Entry& n) {
          if (old_labels[o.split] == new_labels[n.split]) {
            ++report.unchanged;
            ++flow(new_labels[n.split]).unchanged;
          } else {
            ++report.moved;
            ++flow(old_labels[o.split]).moved_out;
            ++flow(new_labels[n.split]).moved_in;
          }
        });
  std::map<std::string, std::pair<std::uint64_t, std::pair<std::uint32_t, std::uint32_t>>> kinds;
  for (std::size_t k = 0; k < kRecordParts; ++k)
    report.changed_parts[std::string(record_part_name(static_cast<RecordPart>(k)))] = 0;
  match([&](const Entry& e) { return key_of(e, options.key); },
        [&](const Entry& o, const Entry& n) {
          ++report.changed;
          ++flow(new_labels[n.split]).changed;
          for (std::size_t k = 0; k < kRecordParts; ++k) {
            if (o.parts[k] != n.parts[k])
              ++report.changed_parts[std::string(record_part_name(static_cast<RecordPart>(k)))];
          }
          auto [at, is_new] = kinds.try_emplace(change_kind(o, n), 0,
                                                std::make_pair(static_cast<std::uint32_t>(&o - olds.data()),
                                                               static_cast<std::uint32_t>(&n - news.data())));
          ++at->second.first;
        });
  for (std::uint32_t n = 0; n < news.size(); ++n) {
    if (new_match[n] >= 0) continue;
    ++report.added;
    ++flow(new_labels[news[n].split]).added;
    if (report.added_examples.size() < kExamples) report.added_examples.push_back(ref(new_data, news[n]));
  }
  for (std::uint32_t o = 0; o < olds.size(); ++o) {
    if (old_matched[o]) continue;
    ++report.removed;
    ++flow(old_labels[olds[o].split]).removed;
    if (report.removed_examples.size() < kExamples) report.removed_examples.push_back(ref(old_data, olds[o]));
  }

  // The kinds of change, most first (ties by their words), and an example of the first three.
  std::vector<std::pair<std::string, std::pair<std::uint64_t, std::pair<std::uint32_t, std::uint32_t>>>> ranked(
      kinds.begin(), kinds.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  const ReadSetup setup(options.stats.read);
  RecordTexts texts;
  for (const auto* refs : {&report.added_examples, &report.removed_examples}) {
    for (const auto& r : *refs) texts.want(r.path, r.line);
  }
  for (std::size_t k = 0; k < ranked.size(); ++k) {
    report.change_kinds.emplace_back(ranked[k].first, ranked[k].second.first);
    if (k >= 3) continue;
    ChangeExample& example = report.examples.emplace_back();
    example.before = ref(old_data, olds[ranked[k].second.second.first]);
    example.after = ref(new_data, news[ranked[k].second.second.second]);
    texts.want(example.before.path, example.before.line);
    texts.want(example.after.path, example.after.line);
  }
  texts.load();
  for (auto* refs : {&report.added_examples, &report.removed_examples}) {
    for (auto& r : *refs) r.prompt = first_prompt(texts.record(r.path, r.line, setup));
  }
  for (std::size_t k = 0; k < report.examples.size(); ++k) {
    ChangeExample& example = report.examples[k];
    const Entry& o = olds[ranked[k].second.second.first];
    const Entry& n = news[ranked[k].second.second.second];
    const auto before = texts.record(example.before.path, example.before.line, setup);
    const auto after = texts.record(example.after.path, example.after.line, setup);
    example.before.prompt = first_prompt(before);
    example.after.prompt = first_prompt(after);
    for (std::size_t p = 0; p < kRecordParts; ++p) {
      if (o.parts[p] == n.parts[p]) continue;
      const auto part = static_cast<RecordPart>(p);
      example.part = std::string(record_part_name(part));
      if (before && after) {  // else the file changed since: no example rather than a wrong one
        example.old_text = stats::part_text(*before, part);
        example.new_text = stats::part_text(*after, part);
        changed_stretch(example.old_text, example.new_text);
      }
      break;
    }
  }

  report.tools_added = difference(new_data.tools, old_data.tools);
  report.tools_removed = difference(old_data.tools, new_data.tools);
  report.encodings_added = difference(new_data.encodings, old_data.encodings);
  report.encodings_removed = difference(old_data.encodings, new_data.encodings);
  for (const auto hash : new_data.system_prompts)
    report.system_prompts_added += old_data.system_prompts.count(hash) == 0;
  for (const auto hash : old_data.system_prompts)
    report.system_prompts_removed += new_data.system_prompts.count(hash) == 0;
  report.summary = summary_sentence(report, dataset_name(old_path), dataset_name(new_path));
  return report;
}

DatasetStats dataset_stats(const std::string& path, const StatsOptions& options) {
  return stats::collect(path, options, false).stats;
}

}  // namespace chatfmt
