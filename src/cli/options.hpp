// Option parsing shared by subcommands.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "chatfmt/json.hpp"
#include "chatfmt/pipeline.hpp"

namespace chatfmt::cli {

/// Reads an OpenAI tool list from a JSON file; throws UsageError with path:line:col on errors.
Json load_tools_file(const std::string& path);

/// A path option given as "" is a usage error, never "not given".
CLI::Validator non_empty_path();

/// --follow-symlinks and --skip-unreadable (docs/cli.md "Files"), the same for every command.
void add_input_options(CLI::App& cmd, InputOptions& options);
/// --threads (1-1024; default all cores) and --max-record-bytes, validated before anything runs.
void add_pipeline_options(CLI::App& cmd, PipelineOptions& options);
/// --limit N (N >= 1; a negative, zero or overflowing N is a usage error).
void add_limit_option(CLI::App& cmd, std::uint64_t& limit, const std::string& help);

/// Prints the skipped entries of a listing to stderr, and its notices unless quiet.
void report_inputs(const std::vector<std::string>& notices, const std::vector<SkippedInput>& skipped, bool quiet);

}  // namespace chatfmt::cli
