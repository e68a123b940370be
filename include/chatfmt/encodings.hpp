// How tool calls and tool results are written in source data. The list is the one table in
// converters/registry.cpp: `detect` reports, and lint/stats count, by it. A message can carry
// several encodings (that is what "mixed encodings" means).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace chatfmt {

enum class EncodingKind : std::uint8_t { tool_call, tool_result };

struct EncodingInfo {
  std::string_view name;  ///< as `detect` reports it: "code-mode-xml"
  EncodingKind kind;
  std::string_view summary;  ///< one line: how it looks
};

/// Every encoding, in the order reports list them. Bit i of an EncodingSet is encodings()[i].
const std::vector<EncodingInfo>& encodings();
using EncodingSet = std::uint32_t;
inline constexpr EncodingSet encoding_bit(std::size_t index) { return EncodingSet{1} << index; }
/// The index of the encoding called `name`, if there is one.
std::optional<std::size_t> find_encoding(std::string_view name);

}  // namespace chatfmt
