// The real sample (data/samples/train.jsonl) and each stage's input, made once for every
// microbenchmark: a stage is timed over all the records, with what the stages before it made
// prepared outside the timed loop.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "chatfmt/convert.hpp"
#include "core/conversation.hpp"
#include "format.hpp"

namespace chatfmt::micro {

/// One message of a record as the source writes it (before any encoding is decoded), with what the
/// reader found in it. The encodings' decoders are timed on these texts.
struct SourceTurn {
  Role role = Role::user;
  std::string content;
  std::string where;  ///< "messages[2].content", as the reader names it
  SharedToolList tools;
  EncodingSet encodings = 0;  ///< the encodings the reader decoded in this turn
  /// User and tool turns that an encoding read as results: the messages read before the turn,
  /// which tell the prefix encoding whether calls are unanswered.
  std::vector<Message> before;
};

struct Sample {
  std::string path;
  std::uint64_t file_bytes = 0;
  std::vector<std::string> lines;  ///< the non-blank lines, without "\n"
  std::vector<SourceRef> sources;
  std::uint64_t line_bytes = 0;

  ConvertOptions options;  ///< a default run's (no --tools; tool lists inferred)
  ReadSetup setup{options.read};

  /// Every record that reads, as detail::read_record made it, and the bytes of their lines.
  std::vector<Conversation> read;
  std::uint64_t read_bytes = 0;
  /// Those of them that normalize, normalized, and the bytes of their lines.
  std::vector<Conversation> normalized;
  std::uint64_t normalized_bytes = 0;

  std::vector<SourceTurn> turns;  ///< every message of the records whose messages are plain text

  /// The default target's rendered texts (what a trainer tokenizes) and output lines.
  std::vector<std::string> rendered;
  std::vector<std::string> converted;
};

/// The sample, loaded and prepared on first use. Throws when the file cannot be read.
const Sample& sample();

/// A run's options for `row`: its target, with every writer option it honours enabled, as
/// bench/run.sh runs each target (mistral-v3's template refuses text and calls in one turn).
ConvertOptions options_for(const TargetRow& row);

/// The default target's row (chatfmt::kDefaultTarget, an alias resolved).
const TargetRow& default_target_row();

/// Credits one iteration with `bytes` and `items`, so the output shows MB/s and items/s; the
/// label names the items ("records", "texts", "lines").
void credit(benchmark::State& state, std::uint64_t bytes, std::uint64_t items, const char* unit = "records");

/// A per-iteration count shown beside the rates (records rejected, calls found, ...).
void count(benchmark::State& state, const char* name, std::uint64_t value);

/// Registers a stage's benchmark; one iteration is a pass over the whole sample, so milliseconds.
template <class Function>
benchmark::internal::Benchmark* stage(const std::string& name, Function&& function) {
  return benchmark::RegisterBenchmark(name.c_str(), std::forward<Function>(function))->Unit(benchmark::kMillisecond);
}

// Each file registers its stages' benchmarks; main.cpp calls these in this order, the output's.
void register_read_stages();
void register_decode_stages();
void register_render_stages();
void register_output_stages();

}  // namespace chatfmt::micro
