// One pass over a dataset for stats and diff: the figures of each split, and (for diff) a small
// entry per record.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "chatfmt/stats.hpp"

namespace chatfmt::stats {

/// What diff keeps of a record: where it is and its hashes (about 100 bytes).
struct Entry {
  std::uint32_t split = 0;  ///< into DatasetStats::splits
  std::uint64_t line = 0;
  std::uint64_t identity = 0;
  std::uint64_t content = 0;
  std::uint64_t system = 0;
  std::uint64_t first_user = 0;
  std::array<std::uint64_t, kRecordParts> parts{};
  bool text_with_calls = false;
  std::uint64_t lead_text = 0;  ///< RecordSummary's
  std::uint64_t answer_text = 0;
};

struct Collected {
  DatasetStats stats;
  std::vector<Entry> entries;       ///< every readable record, split after split, in file order
  std::set<std::string> tools;      ///< every tool called
  std::set<std::string> encodings;  ///< every encoding used
  std::set<std::uint64_t> system_prompts;
};

/// Reads the dataset at `path` (a file, or a directory of splits); `keep_entries` for diff.
Collected collect(const std::string& path, const StatsOptions& options, bool keep_entries);

}  // namespace chatfmt::stats
