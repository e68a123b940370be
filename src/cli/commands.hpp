// Each subcommand registers its options and its action on the app; the action sets exit_code.
#pragma once

#include <CLI/CLI.hpp>

namespace chatfmt::cli {

void add_convert_command(CLI::App& app, int& exit_code);
void add_detect_command(CLI::App& app, int& exit_code);
void add_lint_command(CLI::App& app, int& exit_code);
void add_tokens_command(CLI::App& app, int& exit_code);
void add_formats_command(CLI::App& app, int& exit_code);
void add_stats_command(CLI::App& app, int& exit_code);
void add_diff_command(CLI::App& app, int& exit_code);

}  // namespace chatfmt::cli
