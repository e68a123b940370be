// One pass over a text for every control string of the table (the foreign-delimiter rule): the
// scan jumps between the bytes a control string can start with, sixteen bytes at a time, and
// compares candidates only there — instead of one search of the whole text per control string.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace chatfmt::detail {

class ControlStringScanner {
 public:
  /// A scanner for `strings` (none empty), e.g. control_strings_of_all_formats().
  explicit ControlStringScanner(const std::vector<std::string_view>& strings);
  /// The scanner for every control string of every format.
  static const ControlStringScanner& all_formats();

  /// Whether `text` contains any of the strings.
  bool contains_any(std::string_view text) const;
  /// The first of the strings, in their order, that `text` contains (for messages; slow), or "".
  std::string_view first_contained(std::string_view text) const;
  /// Whether every string is printable ASCII without '"' or '\\': then a JSON serialization
  /// writes each string as it is, and contains one exactly when one of its strings or keys does
  /// (JSON puts only quotes, separators and escapes between or around them).
  bool verbatim_in_json() const { return verbatim_in_json_; }

 private:
  /// The SIMD scan for K (1 to 4) distinct first bytes.
  template <std::size_t K>
  bool contains_any_of_first_bytes(std::string_view text) const;
  /// The scan a byte at a time, for more first bytes (or without SSE2).
  bool contains_any_bytewise(std::string_view text) const;
  /// Whether one of the strings starts at one of the candidates `mask` marks in the 16 bytes at
  /// `block`, `left` bytes before the text's end. Out of line: the block loops keep their
  /// registers.
  [[gnu::noinline]] bool matches_in_block(const char* block, std::size_t left, unsigned mask) const;
  /// Whether one of the strings starts at `at`, `left` bytes before the text's end, whose byte
  /// starts a string: the second byte is tested first, most candidates stop there.
  bool matches_at(const char* at, std::size_t left) const;

  std::vector<std::string_view> strings_;
  std::array<std::vector<std::string_view>, 256> by_first_byte_{};
  std::vector<char> first_bytes_;  // distinct first bytes
  /// For each first byte, the set of bytes that come second in a string starting with it (all
  /// 256 when a string is that byte alone).
  std::array<std::array<std::uint64_t, 4>, 256> second_bytes_{};
  /// Each of the first four distinct first bytes repeated 16 times, for the SIMD compares.
  alignas(16) std::array<std::array<char, 16>, 4> first_byte_blocks_{};
  bool verbatim_in_json_ = true;
};

}  // namespace chatfmt::detail
