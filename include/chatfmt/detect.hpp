// `chatfmt detect`: which record shapes and tool-call encodings a dataset uses, per file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "chatfmt/convert.hpp"

namespace chatfmt {

struct UnknownRecord {
  std::uint64_t line = 0;
  std::string rule;
  std::string reason;
};

struct DetectFileReport {
  FileCounters counters;  ///< converted = records read, rejected = records that could not be
  std::map<std::string, std::uint64_t> records_by_shape;      ///< reader name -> records
  std::map<std::string, std::uint64_t> messages_by_encoding;  ///< encoding -> messages
  std::map<std::string, std::uint64_t> records_by_encoding;   ///< encoding -> records
  std::uint64_t messages = 0;
  std::uint64_t plain_messages = 0;        ///< messages with no tool call or result
  std::vector<std::uint64_t> mixed_lines;  ///< records whose calls use more than one encoding
  std::vector<UnknownRecord> unknown;      ///< records that could not be read, with the reason
};

/// Reads every record of every *.jsonl below each path (no writing, no target rules). Entries
/// skipped under input.skip_unreadable are appended to `skipped` when given.
std::vector<DetectFileReport> detect_paths(const std::vector<std::string>& paths, const ReadOptions& read,
                                           const PipelineOptions& pipeline, const InputOptions& input = {},
                                           std::vector<SkippedInput>* skipped = nullptr);

/// The report as JSON text, indented (schemas/detect-report.schema.json).
std::string detect_report_json(const std::vector<DetectFileReport>& reports);

}  // namespace chatfmt
