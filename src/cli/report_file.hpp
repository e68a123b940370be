// A report written to a file the user names (--html): by the file policy of docs/cli.md
// ("Files"), never over one of the inputs, atomically.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chatfmt/pipeline.hpp"

namespace chatfmt::cli {

/// Throws UsageError when `path` is one of the files under `input_paths`, or cannot be written.
void write_report_file(const std::string& path, std::string_view text, const std::vector<std::string>& input_paths,
                       const InputOptions& input, std::string_view role);

}  // namespace chatfmt::cli
