// Option parsing shared by subcommands.
#pragma once

#include <string>

#include "chatfmt/json.hpp"

namespace chatfmt::cli {

/// Reads an OpenAI tool list from a JSON file; throws UsageError with path:line:col on errors.
Json load_tools_file(const std::string& path);

}  // namespace chatfmt::cli
