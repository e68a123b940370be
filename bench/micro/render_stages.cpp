// The stages between a normalized conversation and an output line: the delimiter scan of the
// foreign-delimiter rule, each target's writer (target_rows()), and JSON string escaping.
#include "chatfmt/errors.hpp"
#include "core/control_scan.hpp"
#include "sample.hpp"

namespace chatfmt::micro {
namespace {

// What normalize scans: every message content as read, against every control string of the table.
// Credited with those contents' bytes and with the records that hold them.
void scan_delimiters(benchmark::State& state) {
  const Sample& s = sample();
  const detail::ControlStringScanner scanner(control_strings_of_all_formats());
  std::vector<std::string_view> texts;
  std::uint64_t bytes = 0;
  for (const auto& conversation : s.read) {
    for (const auto& message : conversation.messages) {
      texts.push_back(message.content);
      bytes += message.content.size();
    }
  }
  std::uint64_t hits = 0;
  for (auto _ : state) {
    hits = 0;
    for (const auto text : texts) hits += scanner.contains_any(text) ? 1 : 0;
  }
  credit(state, bytes, s.read.size());
  count(state, "texts", texts.size());
  count(state, "with_control_string", hits);
}

// One target's writer over every normalized conversation, with the writer options the target
// honours. A tool list is rendered once per list and kept (ToolList), as in a run where the
// inferred list is shared by the records that call the same tools. Credited with the records'
// input lines, so the rates compare with the other stages and with convert/.
void write_target(benchmark::State& state, const TargetRow* row) {
  const Sample& s = sample();
  const auto writer = row->make(options_for(*row).writer);
  std::string out;
  std::uint64_t rejected = 0;
  for (auto _ : state) {
    rejected = 0;
    for (const auto& conversation : s.normalized) {
      out.clear();
      try {
        writer->write(conversation, out);
      } catch (const RecordError&) {
        ++rejected;
      }
      benchmark::DoNotOptimize(out.data());
    }
  }
  credit(state, s.normalized_bytes, s.normalized.size());
  count(state, "rejected", rejected);
}

// append_json_string on what the default target renders (the text of each {"text": …} line): the
// bytes escaped, one text a record.
void escape(benchmark::State& state) {
  const Sample& s = sample();
  if (s.rendered.empty()) {
    state.SkipWithError("the default target renders no text");
    for (auto _ : state) {
    }
    return;
  }
  std::uint64_t bytes = 0;
  for (const auto& text : s.rendered) bytes += text.size();
  std::string out;
  for (auto _ : state) {
    for (const auto& text : s.rendered) {
      out.clear();
      append_json_string(out, text);
      benchmark::DoNotOptimize(out.data());
    }
  }
  credit(state, bytes, s.rendered.size());
}

}  // namespace

void register_render_stages() {
  stage("scan/control_strings", scan_delimiters);
  for (const TargetRow* row : target_rows()) {
    stage("writer/" + std::string(row->info.name), [row](benchmark::State& state) { write_target(state, row); });
  }
  stage("escape/append_json_string", escape);
}

}  // namespace chatfmt::micro
