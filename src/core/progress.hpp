// Progress over a run of several files: the jobs add run totals to the engine's per-file events.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chatfmt/pipeline.hpp"

namespace chatfmt::detail {

/// A regular file's size; 0 for "-", pipes, devices and what cannot be stat'ed.
std::uint64_t input_size(const std::string& path);
/// The inputs' total size; 0 (unknown) when one is standard input.
std::uint64_t input_size(const std::vector<InputFile>& files);

/// `options` for one file of a run: its progress events carry the run's bytes read so far
/// (`run_bytes_before` plus the file's) and the run's size.
PipelineOptions with_run_progress(const PipelineOptions& options, std::uint64_t run_bytes_before,
                                  std::uint64_t run_size);

}  // namespace chatfmt::detail
