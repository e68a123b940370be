// The lint engine over datasets already listed, for the jobs built on it: lint_paths, and
// lint --fix, which reads the facts each dataset's records left before they are freed.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chatfmt/lint.hpp"
#include "lint/checks.hpp"

namespace chatfmt::lint {

struct DatasetInput {
  std::string path;  ///< what dataset findings name
  /// Its files when the caller listed them already; else list_inputs(path), once the options
  /// are known to be usable.
  std::optional<std::vector<InputFile>> files;
};

using DatasetVisitor = std::function<void(const DatasetFacts& dataset)>;

/// lint_paths over listed datasets; `visit`, when set, sees each dataset's facts once its checks
/// have run.
LintReport lint_datasets(const std::vector<DatasetInput>& datasets, const LintOptions& options,
                         const DatasetVisitor& visit = {});

/// A file's split by its name: "train", "valid" (valid*, val*, dev*), "test", or "".
std::string split_of(const std::string& path);

}  // namespace chatfmt::lint
