// The stages that turn bytes into normalized conversations: line split, parse, read into the IR,
// normalize. Each is credited with the bytes of the lines it handles and with records.
#include <simdjson.h>

#include "chatfmt/errors.hpp"
#include "core/jsonl_reader.hpp"
#include "core/normalize.hpp"
#include "core/record.hpp"
#include "sample.hpp"

namespace chatfmt::micro {
namespace {

// The reader only reads files, so this is the sample file from the page cache (after the first
// iteration), opened anew each iteration as a run opens each input: wall time, since reading is
// system calls as much as CPU. Credited with the whole file, blank lines included.
void split_lines(benchmark::State& state) {
  const Sample& s = sample();
  std::uint64_t lines = 0;
  for (auto _ : state) {
    detail::JsonlReader reader(s.path, kDefaultMaxRecordBytes);
    std::string_view line;
    std::uint64_t number = 0;
    std::uint64_t oversize = 0;
    lines = 0;
    while (reader.next(line, number, oversize)) {
      benchmark::DoNotOptimize(line.data());
      ++lines;
    }
  }
  credit(state, s.file_bytes, lines, "lines");
}

void parse(benchmark::State& state) {
  const Sample& s = sample();
  std::uint64_t rejected = 0;
  for (auto _ : state) {
    rejected = 0;
    for (const auto& line : s.lines) {
      try {
        simdjson::dom::object record = detail::parse_record(line);
        benchmark::DoNotOptimize(record);
      } catch (const RecordError&) {
        ++rejected;
      }
    }
  }
  credit(state, s.line_bytes, s.lines.size());
  count(state, "rejected", rejected);
}

// detail::parse_record keeps one document per thread, so each record here is parsed once, before
// timing, by a parser of its own; what is timed is read_parsed_record alone (choosing the reader,
// walking the DOM, decoding every encoding, building the Conversation) and freeing what it built.
void read_into_ir(benchmark::State& state) {
  const Sample& s = sample();
  std::vector<simdjson::dom::parser> parsers(s.lines.size());
  std::vector<simdjson::dom::object> records;
  std::vector<const SourceRef*> sources;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < s.lines.size(); ++i) {
    simdjson::dom::object record;
    if (parsers[i].parse(s.lines[i]).get(record) != simdjson::SUCCESS) continue;
    records.push_back(record);
    sources.push_back(&s.sources[i]);
    bytes += s.lines[i].size();
  }
  std::uint64_t rejected = 0;
  for (auto _ : state) {
    rejected = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
      try {
        Conversation conversation = detail::read_parsed_record(records[i], *sources[i], s.setup);
        benchmark::DoNotOptimize(conversation);
      } catch (const RecordError&) {
        ++rejected;
      }
    }
  }
  credit(state, bytes, records.size());
  count(state, "rejected", rejected);
}

// normalize changes the conversation in place, so every iteration starts from fresh copies of what
// the reader made; the copying (and freeing the previous iteration's) is outside the timing.
void normalize(benchmark::State& state) {
  const Sample& s = sample();
  std::vector<Conversation> work;
  std::uint64_t rejected = 0;
  for (auto _ : state) {
    state.PauseTiming();
    work = s.read;
    rejected = 0;
    state.ResumeTiming();
    for (auto& conversation : work) {
      try {
        detail::normalize(conversation, s.options, s.setup.shared_default_tools());
      } catch (const RecordError&) {
        ++rejected;
      }
    }
    benchmark::ClobberMemory();
  }
  credit(state, s.read_bytes, s.read.size());
  count(state, "rejected", rejected);
}

}  // namespace

void register_read_stages() {
  stage("split/jsonl_reader", split_lines)->UseRealTime();
  stage("parse/parse_record", parse);
  stage("read/read_parsed_record", read_into_ir);
  stage("normalize/normalize", normalize);
}

}  // namespace chatfmt::micro
