#include "core/control_scan.hpp"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "chatfmt/targets.hpp"

namespace chatfmt::detail {

ControlStringScanner::ControlStringScanner(const std::vector<std::string_view>& strings) : strings_(strings) {
  for (const auto s : strings_) {
    const auto first = static_cast<unsigned char>(s.front());
    if (by_first_byte_[first].empty()) first_bytes_.push_back(static_cast<char>(first));
    by_first_byte_[first].push_back(s);
    for (const char c : s) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte > 0x7E || c == '"' || c == '\\') verbatim_in_json_ = false;
    }
  }
}

const ControlStringScanner& ControlStringScanner::all_formats() {
  static const ControlStringScanner scanner(control_strings_of_all_formats());
  return scanner;
}

bool ControlStringScanner::contains_any(std::string_view text) const {
  const char* p = text.data();
  const std::size_t n = text.size();
  auto matches_at = [&](std::size_t i) {
    for (const auto s : by_first_byte_[static_cast<unsigned char>(p[i])]) {
      if (s.size() <= n - i && std::memcmp(p + i, s.data(), s.size()) == 0) return true;
    }
    return false;
  };
  std::size_t i = 0;
#if defined(__SSE2__)
  // Every format's control strings start with one of a few bytes ('<' and '[' today).
  if (first_bytes_.size() <= 4) {
    // Up to four wanted bytes; unused slots repeat the last one.
    auto wanted = [&](std::size_t k) {
      return _mm_set1_epi8(first_bytes_.empty() ? '\0' : first_bytes_[std::min(k, first_bytes_.size() - 1)]);
    };
    const __m128i w0 = wanted(0), w1 = wanted(1), w2 = wanted(2), w3 = wanted(3);
    for (; i + 16 <= n && !first_bytes_.empty(); i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, w0), _mm_cmpeq_epi8(v, w1)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, w2), _mm_cmpeq_epi8(v, w3)));
      auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
      while (mask != 0) {
        const std::size_t at = i + static_cast<std::size_t>(__builtin_ctz(mask));
        if (matches_at(at)) return true;
        mask &= mask - 1;
      }
    }
  }
#endif
  for (; i < n; ++i) {
    if (!by_first_byte_[static_cast<unsigned char>(p[i])].empty() && matches_at(i)) return true;
  }
  return false;
}

std::string_view ControlStringScanner::first_contained(std::string_view text) const {
  for (const auto s : strings_) {
    if (text.find(s) != std::string_view::npos) return s;
  }
  return {};
}

}  // namespace chatfmt::detail
