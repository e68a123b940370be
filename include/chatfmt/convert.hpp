// Conversion, the main job on the engine: records read into conversations, normalized, and
// written in a target format (chatfmt/targets.hpp), every record accounted for.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chatfmt/pipeline.hpp"
#include "chatfmt/targets.hpp"

namespace chatfmt {

/// The default --tool-result-prefix: a user turn starting so, right after unanswered calls, is
/// their result (docs/formats.md, "Tool results").
inline constexpr std::string_view kDefaultToolResultPrefix = "Tool result:";

/// What readers need beyond the record itself.
struct ReadOptions {
  /// An OpenAI tool list as JSON text ("" for none): types XML parameter values when a record has
  /// no "tools" of its own, and is the tool list targets render for such records.
  std::string tools_json;
  /// Top-level record keys to ignore (anything else unknown is a rejection, never dropped).
  std::vector<std::string> ignored_keys;
  /// Prefixes that make a user turn a tool result (empty: none).
  std::vector<std::string> tool_result_prefixes = {std::string(kDefaultToolResultPrefix)};
};

/// Reads an OpenAI tool list file (a list, or an object with "tools") and returns it as JSON
/// text for ReadOptions::tools_json. Throws UsageError with path:line:col when it is not one.
std::string read_tools_file(const std::string& path);

enum class ForeignDelimiterPolicy { reject, keep };

struct ConvertOptions {
  std::string target = std::string(kDefaultTarget);  ///< a name or alias of targets()
  ReadOptions read;
  bool no_tools = false;  ///< never render a tool list
  ForeignDelimiterPolicy foreign_delimiters = ForeignDelimiterPolicy::reject;
  WriterOptions writer;
  InputOptions input;
  PipelineOptions pipeline;
};

/// Reads, normalizes and writes one record (what every convert worker does).
class RecordConverter {
 public:
  /// Throws UsageError for an unknown target, unusable tools or a writer option the target
  /// does not honour.
  explicit RecordConverter(const ConvertOptions& options);
  ~RecordConverter();
  RecordConverter(const RecordConverter&) = delete;
  RecordConverter& operator=(const RecordConverter&) = delete;
  const TargetInfo& target() const;
  RecordOutcome convert(std::string_view line, const SourceRef& source) const;
  /// convert() into an outcome the caller reuses (it must arrive clear()): what a pipeline worker
  /// calls, so the output buffer's capacity carries over from record to record.
  void convert(std::string_view line, const SourceRef& source, RecordOutcome& outcome) const;
  /// The text a trainer reads for this record, in `output`: a {"text": …} record's text as it
  /// is, a message record rendered by the target (targets that write no text reject it with
  /// rule "no-text-target").
  RecordOutcome trainer_text(std::string_view line, const SourceRef& source) const;
  void trainer_text(std::string_view line, const SourceRef& source, RecordOutcome& outcome) const;

 private:
  void run(std::string_view line, const SourceRef& source, bool text_only, RecordOutcome& outcome) const;
  struct State;
  std::unique_ptr<State> state_;
};

struct ConvertSummary {
  std::string_view target;  ///< the target's name (an alias resolved)
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

/// The rejects file's default path for an output path (see docs/cli.md).
std::string default_rejects_path(const std::string& output);

}  // namespace chatfmt
