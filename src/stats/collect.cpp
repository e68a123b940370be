#include "stats/collect.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <unordered_set>

#include "chatfmt/errors.hpp"
#include "chatfmt/tokenizer.hpp"
#include "core/normalize.hpp"
#include "core/progress.hpp"
#include "core/record.hpp"
#include "format.hpp"
#include "lint/engine.hpp"
#include "stats/record_summary.hpp"

namespace chatfmt::stats {
namespace {

using lint::Hash128;
using lint::Hash128Hasher;

// The values a Distribution is made from, kept until the split is done (one integer per record).
struct Values {
  std::vector<std::uint64_t> values;
  void add(std::uint64_t value) { values.push_back(value); }
};

std::uint64_t nearest_rank(const std::vector<std::uint64_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size()) + 0.999999999);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Distribution distribution(std::vector<std::uint64_t> values) {
  Distribution d;
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  d.count = values.size();
  for (const auto v : values) {
    d.total += v;
    const std::size_t bucket = static_cast<std::size_t>(std::bit_width(v));
    if (d.histogram.size() <= bucket) d.histogram.resize(bucket + 1);
    ++d.histogram[bucket];
  }
  d.min = values.front();
  d.max = values.back();
  d.p50 = nearest_rank(values, 0.5);
  d.p90 = nearest_rank(values, 0.9);
  d.p99 = nearest_rank(values, 0.99);
  return d;
}

// A split's figures as records come, then made into SplitStats. Counted in arrays by role and
// encoding (the serial stage adds a record; names are made once, at the end).
struct SplitTally {
  SplitStats stats;
  std::array<std::uint64_t, 4> roles{};
  std::vector<std::uint64_t> encoding_records = std::vector<std::uint64_t>(encodings().size());
  Values turns;
  Values chars;
  Values tokens;
  std::unordered_set<Hash128, Hash128Hasher> seen;
  std::unordered_set<std::uint64_t> system_prompts;

  void add(const RecordSummary& r) {
    ++stats.records;
    for (std::size_t role = 0; role < roles.size(); ++role) roles[role] += r.messages_by_role[role];
    // Turns: the messages after the system prompt (user, assistant and tool results).
    turns.add(r.messages_by_role[static_cast<std::size_t>(Role::user)] +
              r.messages_by_role[static_cast<std::size_t>(Role::assistant)] +
              r.messages_by_role[static_cast<std::size_t>(Role::tool)]);
    chars.add(r.chars);
    if (r.tokens) tokens.add(*r.tokens);
    for (EncodingSet set = r.encodings; set != 0; set &= set - 1) {
      ++encoding_records[static_cast<std::size_t>(std::countr_zero(set))];
    }
    for (const auto& tool : r.tools_called) ++stats.calls_by_tool[tool];
    stats.tool_calls += r.tools_called.size();
    stats.tool_results += r.tool_results;
    if (!r.tools_called.empty()) ++stats.records_with_calls;
    if (r.system_hash != 0) {
      ++stats.records_with_system;
      system_prompts.insert(r.system_hash);
    }
    if (!seen.insert(r.exact).second) ++stats.duplicates;
  }

  /// Adds a finished split's figures (before its finish()) to this total.
  void merge(const SplitTally& split) {
    stats.records += split.stats.records;
    stats.unreadable += split.stats.unreadable;
    for (std::size_t k = 0; k < roles.size(); ++k) roles[k] += split.roles[k];
    for (std::size_t k = 0; k < encoding_records.size(); ++k) encoding_records[k] += split.encoding_records[k];
    for (const auto& [tool, n] : split.stats.calls_by_tool) stats.calls_by_tool[tool] += n;
    stats.tool_calls += split.stats.tool_calls;
    stats.tool_results += split.stats.tool_results;
    stats.records_with_calls += split.stats.records_with_calls;
    stats.records_with_system += split.stats.records_with_system;
    stats.duplicates += split.stats.duplicates;  // within a split each: their sum, not a cross-split count
    turns.values.insert(turns.values.end(), split.turns.values.begin(), split.turns.values.end());
    chars.values.insert(chars.values.end(), split.chars.values.begin(), split.chars.values.end());
    tokens.values.insert(tokens.values.end(), split.tokens.values.begin(), split.tokens.values.end());
    system_prompts.insert(split.system_prompts.begin(), split.system_prompts.end());
  }

  SplitStats finish() {
    for (std::size_t role = 0; role < roles.size(); ++role) {
      if (roles[role] > 0) stats.messages_by_role[std::string(role_name(static_cast<Role>(role)))] = roles[role];
    }
    for (std::size_t k = 0; k < encoding_records.size(); ++k) {
      if (encoding_records[k] > 0) stats.records_by_encoding[std::string(encodings()[k].name)] = encoding_records[k];
    }
    stats.turns = distribution(std::move(turns.values));
    stats.chars = distribution(std::move(chars.values));
    stats.tokens = distribution(std::move(tokens.values));
    stats.distinct_system_prompts = system_prompts.size();
    return std::move(stats);
  }
};

bool held_out(const std::string& split) { return split == "valid" || split == "test"; }

// --tokenizer: a record's tokens as the trainer sees them, the record rendered by --to.
class TokenCounter {
 public:
  explicit TokenCounter(const StatsOptions& options) {
    if (options.tokenizer_path.empty()) return;
    target_ = find_target_row(options.target);
    if (target_ == nullptr || !target_->info.writes_text) {
      throw UsageError("--to " + options.target +
                       ": --tokenizer counts the text a trainer reads; pick a target "
                       "that writes text (the one you train with)");
    }
    try {
      tokenizer_ = load_tokenizer(options.tokenizer_path);
    } catch (const TokenizerError& error) {
      throw UsageError(std::string("--tokenizer: ") + error.what());
    }
    convert_.read = options.read;
    convert_.target = options.target;
    writer_ = target_->make(convert_.writer);
  }
  bool enabled() const { return tokenizer_ != nullptr; }
  /// The token count of `conversation` (normalized here) as the target renders it; nullopt when
  /// the target refuses it.
  std::optional<std::uint64_t> count(Conversation& conversation, const ReadSetup& setup) const {
    thread_local std::string text;
    thread_local std::vector<TokenId> ids;
    text.clear();
    ids.clear();
    try {
      detail::normalize(conversation, convert_, setup.shared_default_tools());
      writer_->render_text(conversation, text);
    } catch (const RecordError&) {
      return std::nullopt;
    }
    tokenizer_->encode(text, ids);
    return ids.size();
  }

 private:
  const TargetRow* target_ = nullptr;
  ConvertOptions convert_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Tokenizer> tokenizer_;
};

}  // namespace

Collected collect(const std::string& path, const StatsOptions& options, bool keep_entries) {
  Collected out;
  out.stats.path = path;
  const ReadSetup setup(options.read);
  const TokenCounter tokens(options);
  const InputListing listing = list_inputs(path, options.input);
  std::uint64_t budget_used = 0;
  std::uint64_t run_bytes = 0;
  const std::uint64_t run_size = options.pipeline.on_progress ? detail::input_size(listing.files) : 0;
  // Leakage: train's conversations and first prompts; then each held-out record's.
  std::unordered_set<Hash128, Hash128Hasher> train_conversations;
  std::unordered_set<Hash128, Hash128Hasher> train_prompts;
  std::vector<std::pair<Hash128, Hash128>> held_out_records;
  SplitTally total;
  for (const auto& file : listing.files) {
    SplitTally tally;
    tally.stats.path = file.path;
    tally.stats.split = lint::split_of(file.path);
    const auto split_index = static_cast<std::uint32_t>(out.stats.splits.size());
    FileCounters counters;
    counters.input_path = file.path;
    process_jsonl(
        file.path,
        [&](std::string_view line, const SourceRef& source, RecordOutcome& outcome) {
          if (!outcome.extra) outcome.extra = std::make_shared<RecordSummary>();
          auto& summary = static_cast<RecordSummary&>(*outcome.extra);
          summary.clear_summary();
          summary.exact = lint::exact_hash(line);
          thread_local Conversation conversation;
          try {
            detail::read_parsed_record(detail::parse_record(line), source, setup, conversation);
          } catch (const RecordError&) {
            outcome.accepted = false;
            return;
          }
          summarize(conversation, summary);
          if (tokens.enabled()) summary.tokens = tokens.count(conversation, setup);
          outcome.accepted = true;
        },
        [&](const SourceRef& source, std::string_view, RecordOutcome& outcome) {
          if (!outcome.accepted || !outcome.extra) {
            ++tally.stats.records;
            ++tally.stats.unreadable;
            return;
          }
          const auto& r = static_cast<const RecordSummary&>(*outcome.extra);
          tally.add(r);
          if (tally.stats.split == "train") {
            train_conversations.insert(r.loose);
            if (!r.first_prompt.empty()) train_prompts.insert(r.first_prompt);
          } else if (held_out(tally.stats.split)) {
            held_out_records.emplace_back(r.loose, r.first_prompt);
          }
          if (keep_entries) {
            Entry& e = out.entries.emplace_back();
            e.split = split_index;
            e.line = source.line;
            e.identity = r.identity;
            e.content = r.content;
            e.system = r.system_hash;
            e.first_user = r.first_user;
            e.parts = r.parts;
            e.text_with_calls = r.text_with_calls;
            e.lead_text = r.lead_text;
            e.answer_text = r.answer_text;
          }
        },
        detail::with_run_progress(options.pipeline, run_bytes, run_size), counters, budget_used);
    run_bytes += detail::input_size(file.path);
    total.merge(tally);
    out.stats.splits.push_back(tally.finish());
  }
  for (const auto& [conversation, prompt] : held_out_records) {
    if (train_conversations.count(conversation) != 0) ++out.stats.leaked_conversations;
    if (!prompt.empty() && train_prompts.count(prompt) != 0) ++out.stats.leaked_prompts;
  }
  out.system_prompts.insert(total.system_prompts.begin(), total.system_prompts.end());
  out.stats.total = total.finish();
  out.stats.total.path = path;
  for (const auto& [tool, n] : out.stats.total.calls_by_tool) out.tools.insert(tool);
  for (const auto& [name, n] : out.stats.total.records_by_encoding) out.encodings.insert(name);
  return out;
}

}  // namespace chatfmt::stats
