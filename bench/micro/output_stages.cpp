// Writing the output file, and the whole conversion of one record (RecordConverter::convert) for
// every target of the table.
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

#include "core/output_file.hpp"
#include "sample.hpp"

namespace chatfmt::micro {
namespace {

// A directory of our own under $TMPDIR, removed when the program ends.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/chatfmt-micro.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error(pattern + ": cannot create a directory");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::string& temp_dir() {
  static const TempDir dir;
  return dir.path();
}

// The default target's output lines through detail::OutputFile, each with its newline written
// apart, as convert_paths writes them. Without commit: the bytes reach the page cache through the
// 1 MiB stdio buffer, then the temporary is closed and removed unread (no fsync, no rename). With
// commit: also fsync, close and the rename into place (replacing the previous iteration's file),
// which is what a run pays at the end of each output. Wall time: fsync waits for the disk.
void write_file(benchmark::State& state, bool commit) {
  const Sample& s = sample();
  const std::string path = temp_dir() + "/out.jsonl";
  std::uint64_t bytes = 0;
  for (const auto& line : s.converted) bytes += line.size() + 1;
  for (auto _ : state) {
    detail::OutputFile out(path);
    for (const auto& line : s.converted) {
      out.write(line);
      out.write("\n");
    }
    if (commit) out.commit();
  }
  credit(state, bytes, s.converted.size(), "lines");
}

// Every stage of one record in one call (parse, read, normalize, write, or the rejection), on one
// thread, for each line of the sample. Credited with the input lines.
void convert(benchmark::State& state, const TargetRow* row) {
  const Sample& s = sample();
  const RecordConverter converter(options_for(*row));
  std::uint64_t rejected = 0;
  for (auto _ : state) {
    rejected = 0;
    for (std::size_t i = 0; i < s.lines.size(); ++i) {
      RecordOutcome outcome = converter.convert(s.lines[i], s.sources[i]);
      rejected += outcome.accepted ? 0 : 1;
      benchmark::DoNotOptimize(outcome);
    }
  }
  credit(state, s.line_bytes, s.lines.size());
  count(state, "rejected", rejected);
}

}  // namespace

void register_output_stages() {
  stage("write/output_file_no_fsync", [](benchmark::State& state) { write_file(state, false); })->UseRealTime();
  stage("write/output_file_commit_fsync", [](benchmark::State& state) { write_file(state, true); })->UseRealTime();
  for (const TargetRow* row : target_rows()) {
    stage("convert/" + std::string(row->info.name), [row](benchmark::State& state) { convert(state, row); });
  }
}

}  // namespace chatfmt::micro
