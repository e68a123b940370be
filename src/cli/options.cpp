#include "cli/options.hpp"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "chatfmt/errors.hpp"

namespace chatfmt::cli {

Json load_tools_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(path + ": cannot open the tools file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  JsonParseError error;
  auto tools = parse_json(buffer.str(), error);
  if (!tools) {
    const std::string where =
        error.position ? ":" + std::to_string(error.position->line) + ":" + std::to_string(error.position->column) : "";
    throw UsageError(path + where + ": not valid JSON: " + error.message);
  }
  if (tools->is_object() && tools->contains("tools")) tools = (*tools)["tools"];
  if (!tools->is_array()) throw UsageError(path + ": expected a JSON list of tools (OpenAI format)");
  std::size_t index = 0;
  for (const auto& entry : *tools) {
    const Json& function = entry.is_object() && entry.contains("function") ? entry["function"] : entry;
    if (!function.is_object() || !function.contains("name") || !function["name"].is_string()) {
      throw UsageError(path + ": tool " + std::to_string(index) +
                       " has no \"name\" (expected {\"type\": \"function\", \"function\": {\"name\": …}})");
    }
    ++index;
  }
  return *tools;
}

namespace {

// CLI11 2.1 converts "-1" and overflowing numbers into unsigned options without complaint (they
// became "no limit"): numbers are checked here, as decimal digits in range, before conversion.
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& value) -> std::string {
        std::uint64_t number = 0;
        const char* end = value.data() + value.size();
        const auto [ptr, error] = std::from_chars(value.data(), end, number);
        if (value.empty() || error == std::errc::result_out_of_range) {
          return "'" + value + "' is not a number from " + std::to_string(min) + " to " + std::to_string(max);
        }
        if (error != std::errc() || ptr != end || number < min || number > max) {
          return "'" + value + "' is not a whole number from " + std::to_string(min) + " to " + std::to_string(max);
        }
        return {};
      },
      "N", "whole number");
}

}  // namespace

CLI::Validator non_empty_path() {
  return CLI::Validator([](std::string& value) { return value.empty() ? std::string("an empty path") : std::string(); },
                        "PATH", "non-empty path");
}

void add_input_options(CLI::App& cmd, InputOptions& options) {
  cmd.add_flag("--follow-symlinks", options.follow_symlinks,
               "in an input directory, follow symlinks that lead out of it, and symlinked directories");
  cmd.add_flag("--skip-unreadable", options.skip_unreadable,
               "skip (and list) input entries that cannot be read instead of stopping with exit 2");
}

void add_pipeline_options(CLI::App& cmd, PipelineOptions& options) {
  cmd.add_option("--threads", options.threads,
                 "worker threads, 1-1024 (default: all cores); output is the same for any N")
      ->check(whole_number(1, 1024));
  cmd.add_option("--max-record-bytes", options.max_record_bytes,
                 "refuse records longer than this (rule record-too-large) without holding them (default 64MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(whole_number(1, std::numeric_limits<std::uint64_t>::max()));
}

void add_limit_option(CLI::App& cmd, std::uint64_t& limit, const std::string& help) {
  cmd.add_option("--limit", limit, help)->check(whole_number(1, std::numeric_limits<std::uint64_t>::max()));
}

void report_inputs(const std::vector<std::string>& notices, const std::vector<SkippedInput>& skipped, bool quiet) {
  if (!quiet) {
    for (const auto& notice : notices) std::fprintf(stderr, "chatfmt: notice: %s\n", notice.c_str());
  }
  for (const auto& entry : skipped) {
    std::fprintf(stderr, "chatfmt: skipped (--skip-unreadable): %s: %s\n", entry.path.c_str(), entry.reason.c_str());
  }
}

}  // namespace chatfmt::cli
