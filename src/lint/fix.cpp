// lint --fix: a corrected copy of a dataset. The first pass is lint itself (the engine), whose
// record facts give each file a plan: which records leak into train, drift from the template, or
// cannot be read. The second pass reads the input again and writes it through convert's output
// plan, dropping exact duplicates on the way by the identity duplicate-record uses. A third pass
// lints what was written, so the summary says what is left, not what should be.
#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "chatfmt/errors.hpp"
#include "chatfmt/lint.hpp"
#include "core/normalize.hpp"
#include "core/output_plan.hpp"
#include "core/progress.hpp"
#include "core/record.hpp"
#include "core/rejects.hpp"
#include "lint/drift.hpp"
#include "lint/engine.hpp"

namespace chatfmt {
namespace {

using lint::Hash128;
using lint::Hash128Hasher;

enum class Action : std::uint8_t { keep, rewrite, leaks, unreadable };

/// Where a held-out record is: what a train record removed for leakage is said to leak into.
struct HeldOut {
  std::string path;
  std::uint64_t line = 0;
};

struct Planned {
  std::uint64_t line = 0;
  Action action = Action::keep;
  const HeldOut* held_out = nullptr;  // Action::leaks
};

struct FilePlan {
  std::vector<Planned> planned;  // by line; a record not here is kept as it is
  Hash128 digest;                // of every record's line number and identity, in order

  const Planned* find(std::uint64_t line) const {
    const auto at = std::lower_bound(planned.begin(), planned.end(), line,
                                     [](const Planned& p, std::uint64_t l) { return p.line < l; });
    return at != planned.end() && at->line == line ? &*at : nullptr;
  }
};

// The second reading is checked against the first: a file changed in between would otherwise
// have records dropped or rewritten for what other records were.
Hash128 fold(const Hash128& digest, std::uint64_t line, const Hash128& exact) {
  const std::uint64_t words[5] = {digest.high, digest.low, line, exact.high, exact.low};
  return lint::hash_bytes(std::string_view(reinterpret_cast<const char*>(words), sizeof words));
}

/// What the second pass's workers leave for the writing stage.
struct FixedRecord : RecordExtra {
  Hash128 exact;    // the input line's identity
  Hash128 written;  // the identity of the line written: `exact`, or the rewritten line's
  Action action = Action::keep;
  const HeldOut* held_out = nullptr;
  std::string rewrite_failure;  // drifts, and could not be rewritten: kept as it is, and why
};

class RecordFixer {
 public:
  RecordFixer(const LintOptions& options, bool fix_drift)
      : options_(options), read_(options.convert.read), normalize_options_(options.convert) {
    normalize_options_.foreign_delimiters = ForeignDelimiterPolicy::keep;
    if (fix_drift) drift_ = std::make_unique<lint::DriftCheck>(options.template_name, options.convert);
  }

  void fix(std::string_view line, const SourceRef& source, const FilePlan& plan, RecordOutcome& outcome) const {
    if (!outcome.extra) outcome.extra = std::make_shared<FixedRecord>();
    auto& fixed = static_cast<FixedRecord&>(*outcome.extra);
    fixed.exact = lint::exact_hash(line);
    fixed.written = fixed.exact;
    fixed.action = Action::keep;
    fixed.held_out = nullptr;
    fixed.rewrite_failure.clear();
    outcome.accepted = true;
    const Planned* planned = plan.find(source.line);
    if (planned == nullptr) return;
    fixed.action = planned->action;
    fixed.held_out = planned->held_out;
    if (fixed.action == Action::unreadable) {
      refuse(line, source, fixed, outcome);
    } else if (fixed.action == Action::rewrite) {
      rewrite(line, source, fixed, outcome);
    }
  }

 private:
  // The reason it cannot be read, as convert gives it; a rule not selected keeps the record.
  void refuse(std::string_view line, const SourceRef& source, FixedRecord& fixed, RecordOutcome& outcome) const {
    fixed.action = Action::keep;
    try {
      thread_local Conversation conversation;
      detail::read_parsed_record(detail::parse_record(line), source, read_, conversation);
    } catch (const RecordError& error) {
      if (!rule_selected(rule_info(error.rule()), options_.select, options_.ignore)) return;
      outcome.accepted = false;
      outcome.rule = error.rule_id();
      outcome.reason = error.what();
    }
    // Read after all: the file changed since the first pass, which the digest reports.
  }

  void rewrite(std::string_view line, const SourceRef& source, FixedRecord& fixed, RecordOutcome& outcome) const {
    thread_local Conversation conversation;
    thread_local lint::RecordFacts facts;
    try {
      std::string_view shape;
      const simdjson::dom::object record = detail::parse_record(line);
      detail::read_parsed_record(record, source, read_, conversation, &shape);
      drift_->rewrite(record, shape, source, outcome.output);
      // The rewritten record must itself lint clean of drift, or it is not written.
      const simdjson::dom::object again = detail::parse_record(outcome.output);
      detail::read_parsed_record(again, source, read_, conversation, &shape);
      const bool record_has_tools = conversation.tools != nullptr;
      detail::normalize(conversation, normalize_options_, read_.shared_default_tools());
      facts.clear();
      drift_->check(again, shape, source, conversation, record_has_tools, facts);
      if (!facts.drifted) {
        fixed.written = lint::exact_hash(outcome.output);
        return;
      }
      fixed.rewrite_failure = facts.findings.empty() ? "it still drifts" : facts.findings.front().message;
    } catch (const RecordError& error) {
      fixed.rewrite_failure = error.what();
    }
    fixed.action = Action::keep;
    outcome.output.clear();
  }

  const LintOptions& options_;
  ReadSetup read_;
  ConvertOptions normalize_options_;  // as lint's engine normalizes: control strings kept
  std::unique_ptr<lint::DriftCheck> drift_;
};

std::string at_line(const std::string& path, std::uint64_t line) { return path + ":" + std::to_string(line); }

/// What became of the first copy of a record, for the reason its later copies are dropped.
enum class Fate : std::uint8_t { kept, rejected, leaked, duplicate_once_rewritten };

std::string what_became_of(Fate fate) {
  switch (fate) {
    case Fate::kept:
      return "the copy kept";
    case Fate::rejected:
      return "which is in the rejects file (it cannot be read)";
    case Fate::leaked:
      return "which was dropped too (" + std::string(rule_id(Rule::split_leakage)) + ")";
    case Fate::duplicate_once_rewritten:
      return "which was dropped too (the same as an earlier record once rewritten)";
  }
  return {};
}

// A directory beside `input` for the corrected copy: data/ -> data-fixed.
std::string beside(const std::string& input) {
  std::filesystem::path path = std::filesystem::path(input).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();
  if (path.empty() || path.filename() == "." || path.filename() == "..") {
    path = std::filesystem::absolute(input).lexically_normal();
    if (!path.has_filename()) path = path.parent_path();
  }
  return path.string() + "-fixed";
}

}  // namespace

LintFixSummary lint_fix(const std::string& input, const std::string& output, const std::string& rejects_path,
                        const LintOptions& options) {
  if (input == "-") throw UsageError("lint --fix reads its input twice; give a file or a directory, not -");
  if (output == "-") {
    throw UsageError(
        "lint --fix writes a dataset to train on and lints it again; give -o a file or a directory, not -");
  }
  const detail::OutputPlan plan =
      detail::plan_outputs(input, output, rejects_path, options.convert.input,
                           "write the corrected copy beside the dataset, not in it (lint and training would read "
                           "both), e.g. -o " +
                               beside(input));
  auto selected = [&](Rule rule) { return rule_selected(rule_info(rule), options.select, options.ignore); };
  const bool fix_duplicates = selected(Rule::duplicate_record);
  const bool fix_leakage = selected(Rule::split_leakage);
  const bool fix_drift = !options.template_name.empty() && selected(Rule::template_drift);
  if (fix_drift && is_jinja_template(options.template_name)) {
    throw UsageError("--fix --template " + options.template_name +
                     ": --fix rewrites drifting records with a template chatfmt renders itself (qwen3-coder, "
                     "mistral-vN); lint with the Jinja file to find the drift, fix with the built-in name");
  }

  LintFixSummary summary;
  summary.input = input;
  summary.output = output;
  if (fix_drift) summary.template_name = options.template_name;
  summary.skipped = plan.listing.skipped;
  summary.notices = plan.listing.notices;
  const std::string duplicate_record(rule_id(Rule::duplicate_record));
  const std::string split_leakage(rule_id(Rule::split_leakage));
  const std::string template_drift(rule_id(Rule::template_drift));
  if (!fix_duplicates) summary.notes.push_back(duplicate_record + " is not selected: duplicates were not dropped");
  if (!fix_leakage)
    summary.notes.push_back(split_leakage + " is not selected: train keeps the records valid/test have");
  if (options.template_name.empty()) {
    summary.notes.push_back(template_drift +
                            " was not fixed: no --template; give the model's template (--template qwen3-coder, ...) "
                            "to rewrite the records whose text differs from it");
  } else if (!fix_drift) {
    summary.notes.push_back(template_drift + " is not selected: records that drift were not rewritten");
  }

  // Pass 1: lint, and from the records' facts a plan for each file (in the listing's order).
  std::vector<FilePlan> plans;
  std::unordered_map<Hash128, HeldOut, Hash128Hasher> held_out;
  lint::lint_datasets({{input, plan.listing.files}}, options, [&](const lint::DatasetFacts& dataset) {
    for (const auto& split : dataset.splits) {
      if (split.split != "valid" && split.split != "test") continue;
      for (const auto& entry : split.records) {
        if (entry.readable) held_out.emplace(entry.loose, HeldOut{split.path, entry.line});
      }
    }
    for (const auto& split : dataset.splits) {
      FilePlan file_plan;
      for (const auto& entry : split.records) {
        const lint::RecordEntry& facts = entry;
        file_plan.digest = fold(file_plan.digest, entry.line, facts.exact);
        Planned planned{entry.line, Action::keep, nullptr};
        if (!facts.readable) {
          planned.action = Action::unreadable;
        } else if (const auto leak = held_out.find(facts.loose);
                   fix_leakage && split.split == "train" && leak != held_out.end()) {
          planned.action = Action::leaks;
          planned.held_out = &leak->second;
        } else if (fix_drift && facts.drifted) {
          planned.action = Action::rewrite;
        }
        if (planned.action != Action::keep) file_plan.planned.push_back(planned);
      }
      plans.push_back(std::move(file_plan));
    }
  });

  // Pass 2: every record to the output or the rejects file.
  const RecordFixer fixer(options, fix_drift);
  detail::RejectsFile rejects(plan.rejects, plan.rejects_always);
  detail::OutputFiles outputs;
  std::uint64_t budget_used = 0;
  std::uint64_t run_bytes = 0;
  const std::uint64_t run_size = options.convert.pipeline.on_progress ? detail::input_size(plan.listing.files) : 0;
  std::uint64_t duplicates_once_rewritten = 0;
  std::uint64_t rewrite_failures = 0;
  std::string first_rewrite_failure;
  std::string reject_line;
  for (std::size_t k = 0; k < plan.jobs.size(); ++k) {
    const detail::Job& job = plan.jobs[k];
    const FilePlan& file_plan = plans.at(k);
    detail::OutputFile& out = outputs.open(job.output);
    LintFixFile file{job.input, job.output};
    Hash128 digest;
    // Each record read by identity: its first line, and what became of that first copy.
    std::unordered_map<Hash128, std::pair<std::uint64_t, Fate>, Hash128Hasher> seen_read;
    std::unordered_map<Hash128, std::uint64_t, Hash128Hasher> seen_written;
    FileCounters counters;
    counters.input_path = job.input;
    counters.output_path = job.output;
    auto set_aside = [&](const SourceRef& source, std::string_view line, RecordOutcome& outcome) {
      reject_line.clear();
      detail::append_reject_line(reject_line, source, line, outcome);
      rejects.write(reject_line);
    };
    auto drop = [&](Rule rule, std::string reason, const SourceRef& source, std::string_view line,
                    RecordOutcome& outcome) {
      outcome.rule = rule_id(rule);
      outcome.reason = "dropped by lint --fix: " + std::move(reason);
      set_aside(source, line, outcome);
      ++file.dropped;
      ++summary.by_rule[rule];
    };
    process_jsonl(
        job.input,
        [&](std::string_view line, const SourceRef& source, RecordOutcome& outcome) {
          fixer.fix(line, source, file_plan, outcome);
        },
        [&](const SourceRef& source, std::string_view line, RecordOutcome& outcome) {
          auto reject = [&] {
            set_aside(source, line, outcome);
            ++file.rejected;
            ++summary.by_rule[find_rule(outcome.rule).value_or(Rule::internal_error)];
          };
          if (!outcome.extra) return reject();  // refused unread: record-too-large
          const auto& fixed = static_cast<const FixedRecord&>(*outcome.extra);
          digest = fold(digest, source.line, fixed.exact);
          Fate* fate = nullptr;  // what became of this record, for its later copies
          if (fix_duplicates) {
            const auto [first, is_new] = seen_read.try_emplace(fixed.exact, source.line, Fate::kept);
            if (!is_new) {
              return drop(Rule::duplicate_record,
                          "the same record as line " + std::to_string(first->second.first) + ", " +
                              what_became_of(first->second.second),
                          source, line, outcome);
            }
            fate = &first->second.second;
          }
          auto decided = [&](Fate what) {
            if (fate != nullptr) *fate = what;
          };
          if (!outcome.accepted) {
            decided(Fate::rejected);
            return reject();
          }
          if (fixed.action == Action::leaks) {
            decided(Fate::leaked);
            return drop(Rule::split_leakage,
                        "its conversation is also in " + at_line(fixed.held_out->path, fixed.held_out->line) +
                            "; removed from train so that split measures skill, not memory",
                        source, line, outcome);
          }
          const bool rewritten = fixed.action == Action::rewrite;
          if (fix_duplicates) {
            const auto [first, is_new] = seen_written.emplace(fixed.written, source.line);
            if (!is_new) {
              ++duplicates_once_rewritten;
              decided(Fate::duplicate_once_rewritten);
              return drop(Rule::duplicate_record,
                          "written as the template renders it, the same record as line " +
                              std::to_string(first->second) + ", the copy kept",
                          source, line, outcome);
            }
          }
          if (!fixed.rewrite_failure.empty() && rewrite_failures++ == 0) {
            first_rewrite_failure = at_line(source.path, source.line) + ": " + fixed.rewrite_failure;
          }
          out.write(rewritten ? std::string_view(outcome.output) : line);
          out.write("\n");
          ++file.written;
          if (rewritten) {
            ++file.rewritten;
            ++summary.by_rule[Rule::template_drift];
          }
        },
        detail::with_run_progress(options.convert.pipeline, run_bytes, run_size), counters, budget_used);
    run_bytes += detail::input_size(job.input);
    if (digest != file_plan.digest) {
      throw UsageError(job.input +
                       ": changed while lint --fix read it (its second reading differs from the first); nothing "
                       "was written; run it again when nothing is writing to the dataset");
    }
    out.finish();
    file.records = counters.records;
    file.blank_lines = counters.blank_lines;
    summary.files.push_back(std::move(file));
  }
  rejects.finish();
  outputs.commit_all();
  summary.rejects_path = rejects.commit();

  if (duplicates_once_rewritten > 0) {
    summary.notes.push_back(std::to_string(duplicates_once_rewritten) +
                            " of the duplicates dropped were the same record only once rewritten as the template "
                            "renders it (the same conversation, spelled differently)");
  }
  if (rewrite_failures > 0) {
    summary.notes.push_back(std::to_string(rewrite_failures) +
                            " records drift but could not be rewritten so that they do not; they were written as "
                            "they were (please report it), the first at " +
                            first_rewrite_failure);
  }

  // Pass 3: what is left in what was written.
  std::vector<InputFile> written;
  for (const auto& job : plan.jobs) written.push_back({job.output, job.output});
  summary.remaining = lint::lint_datasets({{output, written}}, options);
  return summary;
}

}  // namespace chatfmt
