// Why a record cannot be converted. Every rejection names a stable rule id (for machines and
// for lint/stats to count) and a message that says what is wrong and what to do.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "chatfmt/rules.hpp"

namespace chatfmt {

class RecordError : public std::runtime_error {
 public:
  RecordError(Rule rule, const std::string& message, std::uint64_t column = 0)
      : std::runtime_error(message), rule_(rule), column_(column) {}
  Rule rule() const noexcept { return rule_; }
  /// 1-based column in the record's line where it is known (invalid JSON), else 0.
  std::uint64_t column() const noexcept { return column_; }
  std::string_view rule_id() const noexcept { return chatfmt::rule_id(rule_); }

 private:
  Rule rule_;
  std::uint64_t column_ = 0;
};

/// A usage or I/O problem: the run cannot go on (exit code 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace chatfmt
