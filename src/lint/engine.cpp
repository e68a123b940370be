// `lint` over datasets: every record through the reading, normalizing and writing convert does
// (their refusals become findings under the same ids), then the record checks of the table, in
// parallel on the pipeline; then the dataset checks over the facts the records left.
#include <fnmatch.h>
#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>

#include "chatfmt/errors.hpp"
#include "chatfmt/lint.hpp"
#include "core/normalize.hpp"
#include "core/progress.hpp"
#include "core/record.hpp"
#include "format.hpp"
#include "lint/checks.hpp"
#include "lint/drift.hpp"
#include "lint/engine.hpp"
#include "lint/jinja_render.hpp"

namespace chatfmt {
namespace {

using lint::RecordFacts;
using lint::RecordFinding;

bool matches(const RuleInfo& rule, const std::string& pattern) {
  if (pattern == rule.id || pattern == "ALL") return true;
  // A code or a prefix of one: "T", "T01", "T015".
  return !pattern.empty() && rule.code.substr(0, pattern.size()) == pattern;
}

class RecordLinter {
 public:
  RecordLinter(const LintOptions& options, std::vector<bool> selected)
      : options_(options),
        selected_(std::move(selected)),
        read_(options.convert.read),
        normalize_options_(options.convert),
        target_(find_target_row(options.convert.target)) {
    if (target_ == nullptr) throw UsageError("unknown target '" + options.convert.target + "'");
    writer_ = target_->make(options.convert.writer);
    // Control strings are the leakage checks' to report, each one found, not only the first.
    normalize_options_.foreign_delimiters = ForeignDelimiterPolicy::keep;
    if (!options.template_name.empty() && is_selected(Rule::template_drift)) {
      drift_ = std::make_unique<lint::DriftCheck>(options.template_name, options.convert,
                                                  !options.template_arguments_as_strings);
    }
    if (!options.tokenizer_path.empty()) {
      try {
        tokenizer_ = load_tokenizer(options.tokenizer_path);
      } catch (const TokenizerError& error) {
        throw UsageError(std::string("--tokenizer: ") + error.what());
      }
      tokenizer_name_ = std::filesystem::path(options.tokenizer_path).filename().string();
    }
    hash_conversations_ =
        is_selected(Rule::near_duplicate) || is_selected(Rule::split_leakage) || is_selected(Rule::split_shared_prompt);
    count_tokens_ = tokenizer_ && options.max_seq_length > 0 && is_selected(Rule::too_long);
    if (count_tokens_ && !target_->info.writes_text) {
      throw UsageError("--max-seq-length counts the text a trainer reads, and --to " + options.convert.target +
                       " writes none; pick a target that writes text (the one you train with)");
    }
    for (const auto& row : lint::check_table()) {
      if (row.record == nullptr) continue;
      if (std::any_of(row.rules.begin(), row.rules.end(), [&](Rule rule) { return is_selected(rule); })) {
        record_checks_.push_back(row.record);
      }
    }
  }

  bool is_selected(Rule rule) const { return selected_[static_cast<std::size_t>(rule)]; }
  /// What findings and notes call the --template: its name, or a Jinja file's name.
  const std::string& drift_name() const { return drift_ ? drift_->name() : options_.template_name; }
  bool drifts_against_jinja() const { return drift_ && drift_->jinja(); }

  void lint(std::string_view line, const SourceRef& source, RecordOutcome& outcome) const {
    if (!outcome.extra) outcome.extra = std::make_shared<RecordFacts>();
    auto& facts = static_cast<RecordFacts&>(*outcome.extra);
    facts.clear();
    facts.exact = lint::exact_hash(line);
    outcome.accepted = true;  // the pipeline's accounting: lint rejects nothing, it reports
    thread_local Conversation conversation;
    simdjson::dom::object record;
    std::string_view shape;
    try {
      record = detail::parse_record(line);
      detail::read_parsed_record(record, source, read_, conversation, &shape);
    } catch (const RecordError& error) {
      facts.findings.push_back({error.rule(), error.column(), error.what()});
      return;
    }
    lint::collect_facts(conversation, hash_conversations_, facts);
    const Json* tools = conversation.tools ? &conversation.tools->json() : read_.default_tools();
    const lint::RecordView view{conversation, tools, tokenizer_.get(), tokenizer_name_};
    for (const lint::RecordCheck check : record_checks_) check(view, facts.findings);
    const bool record_has_tools = conversation.tools != nullptr;
    bool normalized = false;
    try {
      detail::normalize(conversation, normalize_options_, read_.shared_default_tools());
      normalized = true;
      thread_local std::string output;
      output.clear();
      if (count_tokens_) {
        writer_->render_text(conversation, output);
        count(output, facts);
      } else {
        writer_->write(conversation, output);
      }
    } catch (const RecordError& error) {
      facts.findings.push_back({error.rule(), error.column(), error.what()});
    }
    if (drift_ && normalized) drift_->check(record, shape, source, conversation, record_has_tools, facts);
  }

 private:
  void count(std::string_view text, RecordFacts& facts) const {
    thread_local std::vector<TokenId> ids;
    ids.clear();
    tokenizer_->encode(text, ids);
    if (ids.size() <= options_.max_seq_length) return;
    facts.findings.push_back({Rule::too_long, 0,
                              "the record is " + std::to_string(ids.size()) + " tokens as --to " +
                                  std::string(target_->info.name) + " renders it (" + tokenizer_name_ +
                                  "), over --max-seq-length " + std::to_string(options_.max_seq_length) +
                                  ": a trainer truncates it (the end, often the answer, is lost) or drops it; "
                                  "shorten or split it"});
  }

  const LintOptions& options_;
  std::vector<bool> selected_;
  ReadSetup read_;
  ConvertOptions normalize_options_;
  const TargetRow* target_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<lint::DriftCheck> drift_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::string tokenizer_name_;
  bool count_tokens_ = false;
  bool hash_conversations_ = false;
  std::vector<lint::RecordCheck> record_checks_;
};

Severity severity_of(const LintOptions& options, Rule rule) {
  const auto changed = options.severities.find(rule);
  return changed != options.severities.end() ? changed->second : rule_info(rule).severity;
}

// The dataset summary of template drift, tallied record by record: how many records drift, and
// the commonest ways (what the template writes against what the records have, after which tag).
class DriftTally {
 public:
  void add(const std::string& path, std::uint64_t line, const RecordFacts& facts) {
    if (!facts.drift_checked) return;
    ++checked_;
    if (!facts.drifted) return;
    ++drifted_;
    seen_.clear();  // a way counts once per record
    for (const auto& d : facts.drift) {
      auto key = std::make_tuple(d.template_bytes, d.record_bytes, tag_before(d.context));
      if (std::find(seen_.begin(), seen_.end(), key) != seen_.end()) continue;
      Way& way = ways_[key];
      if (way.records++ == 0) way.example = path + ":" + std::to_string(line) + ", after " + lint::shown(d.context);
      seen_.push_back(std::move(key));
    }
  }

  /// The note, or "" when no record was checked.
  std::string note(const std::string& dataset, const std::string& template_name) const {
    if (checked_ == 0) return "";
    std::string note = "template-drift: " + std::to_string(drifted_) + " of " + std::to_string(checked_) +
                       " records of " + dataset + " differ from the " + template_name + " template";
    if (drifted_ == 0) return note + ".";
    std::vector<std::pair<Key, Way>> ranked(ways_.begin(), ways_.end());
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.second.records > b.second.records; });
    note += ranked.size() == 1 ? ", all the same way:" : "; records by the ways they differ:";
    for (std::size_t k = 0; k < ranked.size() && k < 5; ++k) {
      const auto& [key, way] = ranked[k];
      note += "\n    " + std::to_string(way.records) + " records: the template writes " +
              lint::shown(std::get<0>(key)) + " where the record has " + lint::shown(std::get<1>(key)) + " (e.g. " +
              way.example + ")";
    }
    if (ranked.size() > 5) {
      note +=
          "\n    ... and " + std::to_string(ranked.size() - 5) + (ranked.size() == 6 ? " other way" : " other ways");
    }
    return note;
  }

 private:
  using Key = std::tuple<std::string, std::string, std::string>;
  struct Way {
    std::uint64_t records = 0;
    std::string example;  // path:line and the bytes before, of the first record that drifts so
  };
  static std::string tag_before(const std::string& context) {
    const std::size_t open = context.rfind('<');
    return open != std::string::npos ? context.substr(open)
                                     : context.substr(context.size() > 4 ? context.size() - 4 : 0);
  }
  std::uint64_t checked_ = 0;
  std::uint64_t drifted_ = 0;
  std::map<Key, Way> ways_;
  std::vector<Key> seen_;
};

}  // namespace

std::string lint::split_of(const std::string& path) {
  const std::string stem = std::filesystem::path(path).stem().string();
  for (const char* name : {"train", "valid", "test"}) {
    if (stem.rfind(name, 0) == 0) return name;
  }
  if (stem.rfind("val", 0) == 0 || stem.rfind("dev", 0) == 0) return "valid";
  return "";
}

bool rule_selected(const RuleInfo& rule, const std::vector<std::string>& select,
                   const std::vector<std::string>& ignore) {
  const bool chosen =
      select.empty() || std::any_of(select.begin(), select.end(), [&](const auto& p) { return matches(rule, p); });
  return chosen && std::none_of(ignore.begin(), ignore.end(), [&](const auto& p) { return matches(rule, p); });
}

std::uint64_t LintReport::errors() const {
  return static_cast<std::uint64_t>(
      std::count_if(findings.begin(), findings.end(), [](const auto& f) { return f.severity == Severity::error; }));
}

std::uint64_t LintReport::warnings() const {
  return static_cast<std::uint64_t>(
      std::count_if(findings.begin(), findings.end(), [](const auto& f) { return f.severity == Severity::warning; }));
}

LintReport lint_paths(const std::vector<std::string>& paths, const LintOptions& options) {
  std::vector<lint::DatasetInput> datasets;
  for (const auto& path : paths) datasets.push_back({path, std::nullopt});
  return lint::lint_datasets(datasets, options);
}

LintReport lint::lint_datasets(const std::vector<DatasetInput>& datasets, const LintOptions& options,
                               const DatasetVisitor& visit) {
  for (const auto& pattern : options.select) {
    if (pattern != "ALL" &&
        std::none_of(rules().begin(), rules().end(), [&](const auto& r) { return matches(r, pattern); }))
      throw UsageError("--select " + pattern + ": no rule has that id or code (chatfmt lint --list-rules lists them)");
  }
  for (const auto& pattern : options.ignore) {
    if (std::none_of(rules().begin(), rules().end(), [&](const auto& r) { return matches(r, pattern); }))
      throw UsageError("--ignore " + pattern + ": no rule has that id or code (chatfmt lint --list-rules lists them)");
  }
  std::vector<bool> selected(rules().size());
  for (const auto& rule : rules()) {
    selected[static_cast<std::size_t>(rule.rule)] = rule_selected(rule, options.select, options.ignore);
  }
  const RecordLinter linter(options, selected);
  std::unique_ptr<lint::JinjaRenderer> jinja;
  if (linter.drifts_against_jinja()) jinja = std::make_unique<lint::JinjaRenderer>(options.template_name);
  LintReport report;
  for (const auto& rule : rules()) {
    // Rules that need what was not given do not run (length-unchecked says so for too-long).
    const bool can_run =
        (rule.rule != Rule::template_drift || !options.template_name.empty()) &&
        (rule.rule != Rule::too_long || (!options.tokenizer_path.empty() && options.max_seq_length > 0));
    if (selected[static_cast<std::size_t>(rule.rule)] && can_run) report.rules_run.push_back(rule.rule);
  }
  std::uint64_t budget_used = 0;
  std::uint64_t run_bytes = 0;

  std::vector<std::vector<InputFile>> listings;
  std::vector<InputFile> all_files;
  for (const auto& input : datasets) {
    listings.push_back(input.files ? *input.files : list_inputs(input.path, options.convert.input).files);
    // --config's "exclude": files (relative to the PATH) not read at all.
    auto& files = listings.back();
    files.erase(std::remove_if(files.begin(), files.end(),
                               [&](const InputFile& file) {
                                 return std::any_of(options.exclude.begin(), options.exclude.end(),
                                                    [&](const auto& glob) {
                                                      return ::fnmatch(glob.c_str(), file.relative.c_str(), 0) == 0;
                                                    });
                               }),
                files.end());
    all_files.insert(all_files.end(), files.begin(), files.end());
  }
  const std::uint64_t run_size = options.convert.pipeline.on_progress ? detail::input_size(all_files) : 0;

  for (std::size_t d = 0; d < datasets.size(); ++d) {
    lint::DatasetFacts dataset;
    DriftTally drift;
    const std::size_t first_finding = report.findings.size();
    dataset.path = datasets[d].path;
    for (const auto& input : listings[d]) {
      lint::SplitFacts split;
      split.path = input.path;
      split.split = split_of(input.path);
      FileCounters counters;
      counters.input_path = input.path;
      process_jsonl(
          input.path,
          [&](std::string_view line, const SourceRef& source, RecordOutcome& outcome) {
            linter.lint(line, source, outcome);
            auto& facts = static_cast<RecordFacts&>(*outcome.extra);
            std::string hash;
            for (auto& found : facts.findings) {
              if (!selected[static_cast<std::size_t>(found.rule)]) continue;
              if (hash.empty()) hash = facts.exact.hex();
              LintFinding& f = facts.placed.emplace_back();
              f.rule = found.rule;
              f.path = source.path;
              f.line = source.line;
              f.column = found.column;
              f.message = std::move(found.message);
              f.record_hash = hash;
            }
          },
          [&](const SourceRef& source, std::string_view, RecordOutcome& outcome) {
            if (!outcome.extra) {  // refused before linting (record-too-large)
              LintFinding f;
              f.rule = find_rule(outcome.rule).value_or(Rule::internal_error);
              f.path = source.path;
              f.line = source.line;
              f.message = outcome.reason;
              if (selected[static_cast<std::size_t>(f.rule)]) report.findings.push_back(std::move(f));
              return;
            }
            auto& facts = static_cast<RecordFacts&>(*outcome.extra);
            std::move(facts.placed.begin(), facts.placed.end(), std::back_inserter(report.findings));
            dataset.add(split, source.line, facts);
            drift.add(source.path, source.line, facts);
            if (jinja) jinja->add(source, facts);
          },
          detail::with_run_progress(options.convert.pipeline, run_bytes, run_size), counters, budget_used);
      run_bytes += detail::input_size(input.path);
      report.files.push_back({input.path, split.split, counters.records});
      dataset.splits.push_back(std::move(split));
    }
    // The records' findings are in file and line order already; the dataset checks' are merged in.
    auto by_place = [](const LintFinding& a, const LintFinding& b) {
      const int path = a.path.compare(b.path);
      return path != 0 ? path < 0 : a.line < b.line;
    };
    // A check's findings come file by file in line order, mostly: sorting is then a merge.
    auto merge_in = [&](std::vector<LintFinding>& found) {
      const auto check_begin = report.findings.end() - report.findings.begin();
      for (auto& f : found) {
        if (selected[static_cast<std::size_t>(f.rule)]) report.findings.push_back(std::move(f));
      }
      const auto begin = report.findings.begin();
      if (!std::is_sorted(begin + check_begin, report.findings.end(), by_place)) {
        std::stable_sort(begin + check_begin, report.findings.end(), by_place);
      }
      std::inplace_merge(begin + static_cast<std::ptrdiff_t>(first_finding), begin + check_begin, report.findings.end(),
                         by_place);
    };
    if (jinja) {  // template drift against a Jinja file: rendered now, the whole dataset at once
      std::vector<LintFinding> found;
      jinja->finish([&](const std::string& path, std::uint64_t line, const lint::Hash128& exact, RecordFacts& facts) {
        drift.add(path, line, facts);
        for (auto& finding : facts.findings) {
          LintFinding& f = found.emplace_back();
          f.rule = finding.rule;
          f.path = path;
          f.line = line;
          f.message = std::move(finding.message);
          f.record_hash = exact.hex();
        }
      });
      merge_in(found);
      if (auto note = jinja->refusals_note(dataset.path); !note.empty()) report.notes.push_back(note);
    }
    for (const auto& row : lint::check_table()) {
      if (row.dataset == nullptr) continue;
      if (std::none_of(row.rules.begin(), row.rules.end(),
                       [&](Rule rule) { return selected[static_cast<std::size_t>(rule)]; }))
        continue;
      std::vector<LintFinding> found;
      row.dataset(dataset, options.thresholds, found);
      merge_in(found);
    }
    if (auto note = drift.note(dataset.path, linter.drift_name()); !note.empty()) report.notes.push_back(note);
    if (visit) visit(dataset);
  }

  if (selected[static_cast<std::size_t>(Rule::too_long)] &&
      (options.tokenizer_path.empty() || options.max_seq_length == 0)) {
    const std::string missing = options.tokenizer_path.empty() && options.max_seq_length == 0
                                    ? "--tokenizer and --max-seq-length"
                                : options.tokenizer_path.empty() ? "--tokenizer"
                                                                 : "--max-seq-length";
    if (selected[static_cast<std::size_t>(Rule::length_unchecked)]) {
      LintFinding f;
      f.rule = Rule::length_unchecked;
      f.path = datasets.size() == 1 ? datasets.front().path : std::string(".");
      f.message = "record lengths were not checked (rule too-long): give " + missing +
                  " to find the records a trainer would truncate";
      report.findings.push_back(std::move(f));
    }
  }
  for (auto& f : report.findings) f.severity = severity_of(options, f.rule);
  return report;
}

}  // namespace chatfmt
