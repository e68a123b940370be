// Tokenizer-exact checks: Gate 0 (is every delimiter a single token?) and token counts per record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatfmt/convert.hpp"
#include "chatfmt/tokenizer.hpp"

namespace chatfmt {

struct DelimiterCheck {
  std::string delimiter;
  std::optional<TokenId> vocabulary_id;  ///< the token spelled exactly so, if the vocabulary has one
  std::vector<TokenId> ids;              ///< what encoding the delimiter as text gives
  std::vector<std::string> pieces;
  bool single_token() const { return ids.size() == 1; }
  bool special = false;  ///< the single token is special/control
};

/// Checks each delimiter against the tokenizer.
std::vector<DelimiterCheck> check_delimiters(const Tokenizer& tokenizer, const std::vector<std::string>& delimiters);

struct OverLimit {
  std::string path;
  std::uint64_t line = 0;
  std::uint64_t tokens = 0;
};

struct RejectedRecord {
  std::string path;
  std::uint64_t line = 0;
  std::string rule;
  std::string reason;
};

struct TokenCountOptions {
  /// How message records are rendered (target, tools, …), inputs walked and the pipeline run;
  /// text records are used as they are. The target must write text.
  ConvertOptions convert;
  std::uint64_t max_seq_length = 2048;  ///< 0: no limit
  std::string dump_ids_path;            ///< each record's ids as a JSON array per line ("" = none)
};

struct TokenCountReport {
  std::string_view target;            ///< the target message records were rendered by (an alias resolved)
  std::vector<FileCounters> files;    ///< converted = records tokenized
  std::vector<std::uint32_t> counts;  ///< tokens per tokenized record, in input order
  std::vector<OverLimit> over_limit;
  std::vector<RejectedRecord> rejected;
  std::vector<SkippedInput> skipped;  ///< unreadable entries skipped (--skip-unreadable)
  std::vector<std::string> notices;
  // Distribution of `counts` (nearest-rank percentiles).
  std::uint64_t min = 0, median = 0, p95 = 0, max = 0, total = 0;
};

/// Renders each record as the trainer sees it and counts its tokens.
TokenCountReport count_tokens(const std::vector<std::string>& paths, const Tokenizer& tokenizer,
                              const TokenCountOptions& options);

}  // namespace chatfmt
