#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "chatfmt/convert.hpp"
#include "chatfmt/errors.hpp"
#include "core/output_file.hpp"
#include "temp_dir.hpp"

namespace chatfmt {
namespace {
namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using testing_support::TempDir;

const std::string kSamples = std::string(CHATFMT_SOURCE_DIR) + "/data/samples";

TEST(Pipeline, SameBytesForAnyThreadCountAndBatchSize) {
  TempDir dir;
  std::string reference;
  for (unsigned threads : {1U, 2U, 7U}) {
    for (std::size_t batch : {1UL, 3UL, 512UL}) {
      ConvertOptions options;
      options.pipeline.threads = threads;
      options.pipeline.batch_records = batch;
      const auto out = dir.path / ("out-" + std::to_string(threads) + "-" + std::to_string(batch));
      const auto summary = convert_paths(kSamples, out.string(), "", options);
      EXPECT_EQ(summary.records(), 1104U);
      const std::string bytes =
          slurp(out / "train.jsonl") + slurp(out / "valid.jsonl") + slurp(out.string() + ".rejects.jsonl");
      if (reference.empty()) reference = bytes;
      EXPECT_EQ(bytes, reference) << threads << " threads, batches of " << batch;
    }
  }
}

TEST(Pipeline, DirectoryMirroredAndEveryRecordAccounted) {
  TempDir dir;
  const auto summary = convert_paths(kSamples, (dir.path / "out").string(), "", ConvertOptions{});
  ASSERT_EQ(summary.files.size(), 2U);
  for (const auto& f : summary.files) EXPECT_EQ(f.records, f.converted + f.rejected);
  EXPECT_EQ(summary.files[0].output_path, (dir.path / "out" / "train.jsonl").string());
  EXPECT_EQ(summary.rejects_path, (dir.path / "out.rejects.jsonl").string());
  EXPECT_TRUE(fs::exists(dir.path / "out" / "valid.jsonl"));
}

TEST(Pipeline, BlankLinesBomInvalidUtf8AndLimit) {
  TempDir dir;
  const auto input = dir.path / "in.jsonl";
  {
    std::ofstream out(input, std::ios::binary);
    out << "\xEF\xBB\xBF{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", "
           "\"content\": \"a\"}]}\r\n"
        << "   \n"
        << "{\"messages\": [{\"role\": \"user\", \"content\": \"\xFF\"}]}\n"
        << "not json\n"
        << "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}";
  }
  const auto summary = convert_paths(input.string(), (dir.path / "out.jsonl").string(), "", ConvertOptions{});
  const auto& f = summary.files.at(0);
  EXPECT_EQ(f.records, 4U);
  EXPECT_EQ(f.converted, 2U);
  EXPECT_EQ(f.rejected, 2U);
  EXPECT_EQ(f.blank_lines, 1U);
  const std::string rejects = slurp(dir.path / "out.rejects.jsonl");
  EXPECT_NE(rejects.find("\"line\": 3"), std::string::npos);
  EXPECT_NE(rejects.find("\"record_base64\": "), std::string::npos);
  EXPECT_NE(rejects.find("\"line\": 4, \"rule\": \"invalid-json\""), std::string::npos);

  ConvertOptions limited;
  limited.pipeline.limit = 1;
  const auto partial = convert_paths(input.string(), (dir.path / "limited.jsonl").string(), "", limited);
  EXPECT_TRUE(partial.stopped_by_limit);
  EXPECT_EQ(partial.records(), 1U);
}

TEST(Pipeline, MessagesReusedBetweenRecordsLeaveNothingBehind) {
  // A thread's conversation and its messages are reused from record to record: a record's output
  // must not depend on the records converted before it on that thread. Forward and backward
  // over the sample, and each record once more after a long one, must agree byte for byte.
  std::ifstream in(kSamples + "/train.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_GT(lines.size(), 900U);
  for (const char* target : {"mistral-v13", "openai", "qwen3-xml"}) {
    ConvertOptions options;
    options.target = target;
    const RecordConverter converter(options);
    std::vector<RecordOutcome> forward(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) forward[i] = converter.convert(lines[i], {"train.jsonl", i + 1});
    const auto longest =
        std::max_element(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
    for (std::size_t i = lines.size(); i-- > 0;) {
      const RecordOutcome backward = converter.convert(lines[i], {"train.jsonl", i + 1});
      (void)converter.convert(*longest, {"train.jsonl", 0});
      const RecordOutcome after_longest = converter.convert(lines[i], {"train.jsonl", i + 1});
      for (const RecordOutcome* again : {&backward, &after_longest}) {
        ASSERT_EQ(again->accepted, forward[i].accepted) << target << " line " << i + 1;
        ASSERT_EQ(again->output, forward[i].output) << target << " line " << i + 1;
        ASSERT_EQ(again->reason, forward[i].reason) << target << " line " << i + 1;
      }
    }
  }
}

TEST(OutputFile, NothingUnderTheFinalNameUntilCommit) {
  TempDir dir;
  const auto path = dir.path / "sub" / "out.jsonl";
  {
    detail::OutputFile file(path.string());
    file.write("partial");
    EXPECT_FALSE(fs::exists(path));
  }  // destroyed without commit: a failed run
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir.path / "sub"));  // the directory it created is gone again, temporary and all
  detail::OutputFile file(path.string());
  file.write("whole");
  file.commit();
  EXPECT_EQ(slurp(path), "whole");
}

TEST(OutputFile, LargeOutputsAreSyncedOnTheWayAndWhole) {
  // Past 32 MiB a temporary is fdatasync'ed by a thread of its own while writing goes on: the
  // bytes must still arrive whole and in order, on commit and not before; an abandoned one leaves
  // nothing, its sync thread stopped before its descriptor closes.
  TempDir dir;
  std::string chunk(1 << 20, 'x');
  const auto path = dir.path / "big.jsonl";
  for (const bool commit : {false, true}) {
    detail::OutputFile file(path.string());
    for (std::size_t i = 0; i < 80; ++i) {
      chunk.front() = static_cast<char>('A' + i % 26);
      file.write(chunk);
    }
    EXPECT_FALSE(fs::exists(path));
    if (commit) file.commit();
  }
  ASSERT_EQ(fs::file_size(path), 80U << 20);
  const std::string written = slurp(path);
  for (std::size_t i = 0; i < 80; ++i) ASSERT_EQ(written[i << 20], static_cast<char>('A' + i % 26)) << i;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
}

TEST(ConvertPaths, UsageErrors) {
  TempDir dir;
  EXPECT_THROW(convert_paths((dir.path / "missing.jsonl").string(), (dir.path / "o.jsonl").string(), "", {}),
               UsageError);
  EXPECT_THROW(convert_paths(kSamples, "-", "", {}), UsageError);
  ConvertOptions bad;
  bad.target = "mistral-v99";
  EXPECT_THROW(convert_paths(kSamples, (dir.path / "o").string(), "", bad), UsageError);
}

}  // namespace
}  // namespace chatfmt
