// lint --fix reads its input twice: a file that changes between the readings stops the run with
// nothing written, rather than records being dropped or rewritten for what other records were.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "chatfmt/errors.hpp"
#include "chatfmt/lint.hpp"
#include "temp_dir.hpp"

namespace chatfmt {
namespace {
namespace fs = std::filesystem;

using testing_support::TempDir;

TEST(LintFix, AnInputChangedBetweenItsTwoReadingsStopsTheRunWithNothingWritten) {
  const TempDir temp;
  const fs::path& dir = temp.path;
  const fs::path input = dir / "valid.jsonl";
  fs::copy_file(std::string(CHATFMT_SOURCE_DIR) + "/data/samples/valid.jsonl", input);
  std::stringstream original;
  original << std::ifstream(input).rdbuf();
  std::string first_line;
  std::getline(original, first_line);
  const std::string rest = original.str().substr(first_line.size() + 1);

  LintOptions options;
  options.template_name = "qwen3-coder";
  bool changed = false;
  // Progress is reported while the first reading (lint) runs: the file changes under it, keeping
  // its records and its size, only their order.
  options.convert.pipeline.on_progress = [&](const ProgressEvent&) {
    if (changed) return;
    changed = true;
    std::ofstream(input, std::ios::binary | std::ios::trunc) << rest << first_line << "\n";
  };
  const fs::path output = dir / "fixed.jsonl";
  try {
    lint_fix(input.string(), output.string(), "", options);
    ADD_FAILURE() << "lint --fix wrote a copy of a file that changed under it";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("changed while lint --fix read it"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(changed);
  EXPECT_FALSE(fs::exists(output));
  EXPECT_FALSE(fs::exists(dir / "fixed.rejects.jsonl"));
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename().string().find("chatfmt-tmp"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace chatfmt
