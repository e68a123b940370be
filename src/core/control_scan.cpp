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
    if (by_first_byte_[first].empty()) {
      if (first_bytes_.size() < first_byte_blocks_.size()) first_byte_blocks_[first_bytes_.size()].fill(s.front());
      first_bytes_.push_back(static_cast<char>(first));
    }
    by_first_byte_[first].push_back(s);
    auto& second = second_bytes_[first];
    if (s.size() == 1) {
      second.fill(~std::uint64_t{0});
    } else {
      const auto b = static_cast<unsigned char>(s[1]);
      second[b >> 6] |= std::uint64_t{1} << (b & 63);
    }
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

bool ControlStringScanner::matches_at(const char* at, std::size_t left) const {
  const auto first = static_cast<unsigned char>(at[0]);
  if (left >= 2) {
    const auto second = static_cast<unsigned char>(at[1]);
    if (((second_bytes_[first][second >> 6] >> (second & 63)) & 1) == 0) return false;
  }
  for (const auto s : by_first_byte_[first]) {
    if (s.size() <= left && std::memcmp(at, s.data(), s.size()) == 0) return true;
  }
  return false;
}

bool ControlStringScanner::matches_in_block(const char* block, std::size_t left, unsigned mask) const {
  for (; mask != 0; mask &= mask - 1) {
    const auto k = static_cast<std::size_t>(__builtin_ctz(mask));
    if (matches_at(block + k, left - k)) return true;
  }
  return false;
}

#if defined(__SSE2__)
namespace {

// Bit k set: byte k of `v` is one of the K bytes of `wanted`.
template <std::size_t K>
unsigned wanted_bytes(__m128i v, const std::array<std::array<char, 16>, 4>& wanted) {
  __m128i hit = _mm_cmpeq_epi8(v, _mm_load_si128(reinterpret_cast<const __m128i*>(wanted[0].data())));
  for (std::size_t k = 1; k < K; ++k) {
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_load_si128(reinterpret_cast<const __m128i*>(wanted[k].data()))));
  }
  return static_cast<unsigned>(_mm_movemask_epi8(hit));
}

}  // namespace

template <std::size_t K>
bool ControlStringScanner::contains_any_of_first_bytes(std::string_view text) const {
  const char* p = text.data();
  const std::size_t n = text.size();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const unsigned mask = wanted_bytes<K>(v, first_byte_blocks_);
    if (mask != 0 && matches_in_block(p + i, n - i, mask)) return true;
  }
  if (i == n) return false;
  // The last 1 to 15 bytes: the text's last 16 with the bytes already scanned shifted out, or a
  // copy of a shorter text with the bytes past its end masked off.
  const std::size_t rest = n - i;
  unsigned mask = 0;  // bit k: byte i + k
  if (n >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
    mask = wanted_bytes<K>(v, first_byte_blocks_) >> (16 - rest);
  } else {
    alignas(16) std::array<char, 16> copy{};
    std::memcpy(copy.data(), p, n);
    mask = wanted_bytes<K>(_mm_load_si128(reinterpret_cast<const __m128i*>(copy.data())), first_byte_blocks_) &
           ((1U << n) - 1);
  }
  return mask != 0 && matches_in_block(p + i, rest, mask);
}
#endif

bool ControlStringScanner::contains_any(std::string_view text) const {
#if defined(__SSE2__)
  // Every format's control strings start with one of a few bytes ('<' and '[' today).
  switch (first_bytes_.size()) {
    case 0:
      return false;
    case 1:
      return contains_any_of_first_bytes<1>(text);
    case 2:
      return contains_any_of_first_bytes<2>(text);
    case 3:
      return contains_any_of_first_bytes<3>(text);
    case 4:
      return contains_any_of_first_bytes<4>(text);
    default:
      break;
  }
#endif
  return contains_any_bytewise(text);
}

bool ControlStringScanner::contains_any_bytewise(std::string_view text) const {
  const char* p = text.data();
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (!by_first_byte_[static_cast<unsigned char>(p[i])].empty() && matches_at(p + i, n - i)) return true;
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
