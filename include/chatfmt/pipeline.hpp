// The engine: streaming, parallel processing of JSONL files with per-record accounting, and the
// input policy. Convert (chatfmt/convert.hpp) is one job on it; detect, tokens (and lint/stats
// later) are others that reuse the same reading and parsing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chatfmt/encodings.hpp"

namespace chatfmt {

/// Where a record came from: the input file and its 1-based line.
struct SourceRef {
  std::string path;
  std::uint64_t line = 0;
};

/// Counters for one input file. records == converted + rejected, always.
struct FileCounters {
  std::string input_path;   ///< as given, or "-" for stdin
  std::string output_path;  ///< empty when the job writes no output
  std::uint64_t records = 0;
  std::uint64_t converted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t blank_lines = 0;  ///< whitespace-only lines: not records, counted, not written
  std::map<std::string, std::uint64_t> rejected_by_rule;
};

/// A job's own per-record result beyond RecordOutcome's fields (lint's findings and facts): its
/// processor makes it, its sink reads it.
struct RecordExtra {
  virtual ~RecordExtra() = default;
};

/// What became of one record.
struct RecordOutcome {
  bool accepted = false;
  std::string output;     ///< the output line when accepted (no newline)
  std::string_view rule;  ///< when rejected: the rule's stable id (rule_id(): static storage)
  std::string reason;     ///< when rejected: what is wrong and what to do
  /// What the reader saw (for detect, lint and stats): the record shape's reader and each
  /// message's source encodings.
  std::string_view shape;
  std::vector<EncodingSet> message_encodings;
  std::uint64_t content_hash = 0;  ///< content_hash() of the conversation read (0 when unreadable)
  std::uint64_t record_bytes = 0;  ///< rule "record-too-large": the record's size (it is not kept)
  std::uint64_t tokens = 0;        ///< jobs that tokenize: the record's token count
  /// A job's own result (null for jobs without one, and for records refused before processing,
  /// such as record-too-large). Kept by clear(), so a processor can reuse its memory.
  std::shared_ptr<RecordExtra> extra;

  /// Back to a fresh outcome, keeping the strings' and vector's capacity: the pipeline hands each
  /// worker outcomes it has used before, so a record's output costs no allocation once warm.
  void clear() {
    accepted = false;
    output.clear();
    rule = {};
    reason.clear();
    shape = {};
    message_encodings.clear();
    content_hash = 0;
    record_bytes = 0;
    tokens = 0;
  }
};

inline constexpr std::uint64_t kDefaultMaxRecordBytes = std::uint64_t{64} << 20;

/// How far a run has got, for a progress display.
struct ProgressEvent {
  std::string_view path;         ///< the file being read ("-" for stdin)
  std::uint64_t records = 0;     ///< records of this file done
  std::uint64_t file_bytes = 0;  ///< bytes of this file read
  std::uint64_t file_size = 0;   ///< its size, 0 when unknown (a pipe)
  std::uint64_t run_bytes = 0;   ///< bytes of all inputs read (jobs over several files fill these two)
  std::uint64_t run_size = 0;    ///< bytes of all inputs, 0 when unknown
};

struct PipelineOptions {
  unsigned threads = 0;                   ///< 0: all hardware threads
  std::size_t max_batches_in_flight = 0;  ///< 0: 4 per thread
  std::size_t batch_bytes = 1 << 20;      ///< a batch closes at this many bytes...
  std::size_t batch_records = 128;        ///< ...or this many records
  std::uint64_t limit = 0;                ///< stop after this many records in all (0: no limit)
  /// A record (line) longer than this is refused with rule "record-too-large" without being held
  /// in memory (0: no limit).
  std::uint64_t max_record_bytes = kDefaultMaxRecordBytes;
  /// Called from the writing stage after every batch.
  std::function<void(const ProgressEvent& progress)> on_progress;
};

/// Turns one record line into an outcome, filling `outcome` (which arrives clear(): fresh, with
/// capacity kept from earlier records). Called concurrently from many threads.
using RecordProcessor = std::function<void(std::string_view line, const SourceRef& source, RecordOutcome& outcome)>;
/// Receives every record's outcome in input order, from one thread at a time.
using OutcomeSink = std::function<void(const SourceRef& source, std::string_view line, RecordOutcome& outcome)>;

/// Streams `input` (a path or "-") through `process`, handing outcomes to `sink` in input order.
/// Counts into `counters`. Returns false when --limit stopped it before the end of the file.
/// Throws UsageError on I/O errors.
bool process_jsonl(const std::string& input, const RecordProcessor& process, const OutcomeSink& sink,
                   const PipelineOptions& options, FileCounters& counters, std::uint64_t& records_budget_used);

// ---- inputs (docs/cli.md, "Files") ------------------------------------------------------------

/// How a directory input is walked.
struct InputOptions {
  bool follow_symlinks = false;  ///< follow symlinks out of the input tree, and symlinked directories
  bool skip_unreadable = false;  ///< skip (and list) entries that cannot be read instead of failing
};

struct InputFile {
  std::string path;      ///< as reached from the path given ("-" for stdin)
  std::string relative;  ///< below the input directory, by the names in the tree (a file: its name)
};

struct SkippedInput {
  std::string path;
  std::string reason;
};

struct InputListing {
  std::vector<InputFile> files;       ///< sorted by path
  std::vector<SkippedInput> skipped;  ///< unreadable entries skipped (only with skip_unreadable)
  std::vector<std::string> notices;   ///< entries deliberately not read, and why
};

/// The *.jsonl files below `path` (or `path` itself when it is not a directory, or "-"), by the
/// policy of docs/cli.md. `own_outputs`: this run's output directory and rejects file, not read
/// back (a rejects file only when it holds rejects lines: anything else stays an input). Throws
/// UsageError listing every unreadable entry unless options.skip_unreadable.
InputListing list_inputs(const std::string& path, const InputOptions& options,
                         const std::vector<std::string>& own_outputs = {});

/// For programs that write with chatfmt (the CLI calls it first thing): a closed stdin, stdout or
/// stderr is reopened on /dev/null so no output file can take its descriptor (and writing to a
/// closed stdout, "-", becomes an error); temporaries are removed on SIGINT, SIGTERM, SIGHUP and
/// SIGPIPE before the process dies of the signal.
void install_process_guards();

}  // namespace chatfmt
