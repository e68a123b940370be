// Streaming, parallel processing of JSONL files with per-record accounting. Convert is one job
// on it; detect (and lint/stats later) are others that reuse the same reading and parsing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chatfmt/conversation.hpp"
#include "chatfmt/format.hpp"

namespace chatfmt {

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

/// What became of one record.
struct RecordOutcome {
  bool accepted = false;
  std::string output;  ///< the output line when accepted (no newline)
  std::string_view rule;  ///< when rejected: the rule's stable id (rule_id(): static storage)
  std::string reason;  ///< when rejected: what is wrong and what to do
  /// What the reader saw (for detect, lint and stats): the record shape's reader and each
  /// message's source encodings.
  std::string_view shape;
  std::vector<EncodingSet> message_encodings;
  std::uint64_t content_hash = 0;  ///< content_hash() of the conversation read (0 when unreadable)
  std::uint64_t record_bytes = 0;  ///< rule "record-too-large": the record's size (it is not kept)
  std::uint64_t tokens = 0;        ///< jobs that tokenize: the record's token count
};

inline constexpr std::uint64_t kDefaultMaxRecordBytes = std::uint64_t{64} << 20;

struct PipelineOptions {
  unsigned threads = 0;                   ///< 0: all hardware threads
  std::size_t max_batches_in_flight = 0;  ///< 0: 4 per thread
  std::size_t batch_bytes = 1 << 20;      ///< a batch closes at this many bytes...
  std::size_t batch_records = 512;        ///< ...or this many records
  std::uint64_t limit = 0;                ///< stop after this many records in all (0: no limit)
  /// A record (line) longer than this is refused with rule "record-too-large" without being held
  /// in memory (0: no limit).
  std::uint64_t max_record_bytes = kDefaultMaxRecordBytes;
  /// Called from the writing stage after every batch (records done so far, bytes read so far).
  std::function<void(std::uint64_t records, std::uint64_t bytes)> on_progress;
};

/// Turns one record line into an outcome. Called concurrently from many threads.
using RecordProcessor = std::function<RecordOutcome(std::string_view line, const SourceRef& source)>;
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

// ---- conversion -------------------------------------------------------------------------------

enum class ForeignDelimiterPolicy { reject, keep };

struct ConvertOptions {
  std::string target = "devstral-small-2";
  std::optional<Json> tools;  ///< from --tools FILE
  bool no_tools = false;      ///< --no-tools: never render a tool list
  ForeignDelimiterPolicy foreign_delimiters = ForeignDelimiterPolicy::reject;
  WriterOptions writer;
  ReadOptions read;
  InputOptions input;
  PipelineOptions pipeline;
};

/// Reads, normalizes and writes one record (what every convert worker does).
class RecordConverter {
 public:
  explicit RecordConverter(const ConvertOptions& options);
  ~RecordConverter();
  RecordConverter(const RecordConverter&) = delete;
  RecordConverter& operator=(const RecordConverter&) = delete;
  RecordOutcome convert(std::string_view line, const SourceRef& source) const;
  /// The text a trainer reads for this record, in `output`: a {"text": …} record's text as it
  /// is, a message record rendered by the target (targets that write no text reject it with
  /// rule "no-text-target").
  RecordOutcome trainer_text(std::string_view line, const SourceRef& source) const;

 private:
  RecordOutcome run(std::string_view line, const SourceRef& source, bool text_only) const;
  struct State;
  std::unique_ptr<State> state_;
};

struct ConvertSummary {
  std::vector<FileCounters> files;
  std::string rejects_path;        ///< empty when no rejects file was written (stdout output, none rejected)
  bool rejects_on_demand = false;  ///< the rejects file was created because records were rejected
  std::vector<SkippedInput> skipped;
  std::vector<std::string> notices;
  bool stopped_by_limit = false;
  std::uint64_t records() const;
  std::uint64_t converted() const;
  std::uint64_t rejected() const;
};

/// `chatfmt convert`: IN and OUT are files, directories (every *.jsonl below IN, mirrored) or "-".
/// Outputs and the rejects file follow docs/cli.md "Files": checked against the inputs before any
/// byte is read; regular files written to temporaries and renamed into place at the end.
ConvertSummary convert_paths(const std::string& input, const std::string& output, const std::string& rejects_path,
                             const ConvertOptions& options);

/// For programs that write with chatfmt (the CLI calls it first thing): a closed stdin, stdout or
/// stderr is reopened on /dev/null so no output file can take its descriptor (and writing to a
/// closed stdout, "-", becomes an error); temporaries are removed on SIGINT, SIGTERM, SIGHUP and
/// SIGPIPE before the process dies of the signal.
void install_process_guards();

/// The rejects file's default path for an output path (see docs/cli.md).
std::string default_rejects_path(const std::string& output);

}  // namespace chatfmt
