// A directory of its own for each test, removed afterwards. CTest runs every test in its own
// process, in parallel: the test's name keeps two of them out of each other's files.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace chatfmt::testing_support {

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("chatfmt-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace chatfmt::testing_support
