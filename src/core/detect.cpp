#include "chatfmt/detect.hpp"

#include <bit>

#include "chatfmt/errors.hpp"
#include "core/record.hpp"

namespace chatfmt {
namespace {

constexpr EncodingSet kCallEncodings = encoding_bit(Encoding::structured_tool_calls) |
                                       encoding_bit(Encoding::code_mode_xml) | encoding_bit(Encoding::direct_xml) |
                                       encoding_bit(Encoding::json_in_tags) | encoding_bit(Encoding::json_in_fence) |
                                       encoding_bit(Encoding::bare_code);

RecordOutcome read_only(std::string_view line, const SourceRef& source, const ReadOptions& read) {
  RecordOutcome outcome;
  try {
    const Conversation conversation = detail::read_record(line, source, read, &outcome.shape);
    for (const auto& message : conversation.messages) outcome.message_encodings.push_back(message.source_encodings);
    outcome.content_hash = content_hash(conversation);
    outcome.accepted = true;
  } catch (const RecordError& error) {
    outcome.rule = error.rule_id();
    outcome.reason = error.what();
  }
  return outcome;
}

}  // namespace

std::vector<DetectFileReport> detect_paths(const std::vector<std::string>& paths, const ReadOptions& read,
                                           const PipelineOptions& pipeline, const InputOptions& input,
                                           std::vector<SkippedInput>* skipped) {
  std::vector<DetectFileReport> reports;
  std::uint64_t budget_used = 0;
  for (const auto& path : paths) {
    InputListing listing = list_inputs(path, input);
    if (skipped != nullptr) skipped->insert(skipped->end(), listing.skipped.begin(), listing.skipped.end());
    for (const auto& input_file : listing.files) {
      const std::string& file = input_file.path;
      DetectFileReport report;
      report.counters.input_path = file;
      process_jsonl(
          file, [&](std::string_view line, const SourceRef& source) { return read_only(line, source, read); },
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
              for (const Encoding encoding : all_encodings()) {
                if ((set & encoding_bit(encoding)) != 0)
                  ++report.messages_by_encoding[std::string(encoding_name(encoding))];
              }
            }
            for (const Encoding encoding : all_encodings()) {
              if ((record_set & encoding_bit(encoding)) != 0)
                ++report.records_by_encoding[std::string(encoding_name(encoding))];
            }
            if (std::popcount(static_cast<unsigned>(record_set & kCallEncodings)) > 1)
              report.mixed_lines.push_back(source.line);
          },
          pipeline, report.counters, budget_used);
      reports.push_back(std::move(report));
    }
  }
  return reports;
}

Json detect_report_json(const std::vector<DetectFileReport>& reports) {
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
  return Json{{"files", files}};
}

}  // namespace chatfmt
