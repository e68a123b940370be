#include "chatfmt/detect.hpp"

#include <bit>

#include "chatfmt/errors.hpp"
#include "core/progress.hpp"
#include "core/record.hpp"
#include "format.hpp"

namespace chatfmt {
namespace {

// The encodings that write tool calls: a record using more than one of them mixes encodings.
EncodingSet call_encodings() {
  EncodingSet set = 0;
  for (std::size_t k = 0; k < encodings().size(); ++k) {
    if (encodings()[k].kind == EncodingKind::tool_call) set |= encoding_bit(k);
  }
  return set;
}

void read_only(std::string_view line, const SourceRef& source, const ReadSetup& read, RecordOutcome& outcome) {
  try {
    const Conversation conversation = detail::read_record(line, source, read, &outcome.shape);
    for (const auto& message : conversation.messages) outcome.message_encodings.push_back(message.source_encodings);
    outcome.content_hash = content_hash(conversation);
    outcome.accepted = true;
  } catch (const RecordError& error) {
    outcome.rule = error.rule_id();
    outcome.reason = error.what();
  }
}

}  // namespace

std::vector<DetectFileReport> detect_paths(const std::vector<std::string>& paths, const ReadOptions& read,
                                           const PipelineOptions& pipeline, const InputOptions& input,
                                           std::vector<SkippedInput>* skipped) {
  std::vector<DetectFileReport> reports;
  const ReadSetup setup(read);
  const EncodingSet calls = call_encodings();
  std::uint64_t budget_used = 0;
  std::vector<InputListing> listings;
  std::vector<InputFile> all_files;
  for (const auto& path : paths) {
    listings.push_back(list_inputs(path, input));
    const InputListing& listing = listings.back();
    if (skipped != nullptr) skipped->insert(skipped->end(), listing.skipped.begin(), listing.skipped.end());
    all_files.insert(all_files.end(), listing.files.begin(), listing.files.end());
  }
  const std::uint64_t run_size = pipeline.on_progress ? detail::input_size(all_files) : 0;
  std::uint64_t run_bytes = 0;
  for (const auto& listing : listings) {
    for (const auto& input_file : listing.files) {
      const std::string& file = input_file.path;
      DetectFileReport report;
      report.counters.input_path = file;
      process_jsonl(
          file,
          [&](std::string_view line, const SourceRef& source, RecordOutcome& outcome) {
            read_only(line, source, setup, outcome);
          },
          [&](const SourceRef& source, std::string_view, RecordOutcome& outcome) {
            if (!outcome.accepted) {
              report.unknown.push_back({source.line, std::string(outcome.rule), outcome.reason});
              return;
            }
            ++report.records_by_shape[std::string(outcome.shape)];
            EncodingSet record_set = 0;
            for (const EncodingSet set : outcome.message_encodings) {
              ++report.messages;
              if (set == 0) ++report.plain_messages;
              record_set |= set;
              for (std::size_t k = 0; k < encodings().size(); ++k) {
                if ((set & encoding_bit(k)) != 0) ++report.messages_by_encoding[std::string(encodings()[k].name)];
              }
            }
            for (std::size_t k = 0; k < encodings().size(); ++k) {
              if ((record_set & encoding_bit(k)) != 0) ++report.records_by_encoding[std::string(encodings()[k].name)];
            }
            if (std::popcount(record_set & calls) > 1) report.mixed_lines.push_back(source.line);
          },
          detail::with_run_progress(pipeline, run_bytes, run_size), report.counters, budget_used);
      run_bytes += detail::input_size(file);
      reports.push_back(std::move(report));
    }
  }
  return reports;
}

std::string detect_report_json(const std::vector<DetectFileReport>& reports) {
  Json files = Json::array();
  for (const auto& report : reports) {
    Json unknown = Json::array();
    for (const auto& u : report.unknown)
      unknown.push_back(Json{{"line", u.line}, {"rule", u.rule}, {"reason", u.reason}});
    files.push_back(Json{{"path", report.counters.input_path},
                         {"records", report.counters.records},
                         {"blank_lines", report.counters.blank_lines},
                         {"records_by_shape", report.records_by_shape},
                         {"messages", report.messages},
                         {"plain_messages", report.plain_messages},
                         {"messages_by_encoding", report.messages_by_encoding},
                         {"records_by_encoding", report.records_by_encoding},
                         {"mixed_encoding_lines", report.mixed_lines},
                         {"unknown", unknown}});
  }
  return Json{{"files", files}}.dump(2);
}

}  // namespace chatfmt
