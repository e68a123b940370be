#include "tokenizers/bpe_model.hpp"

#include <algorithm>
#include <atomic>

namespace chatfmt::tokenizers {

std::uint64_t BpeModel::next_id() {
  static std::atomic<std::uint64_t> last{0};
  return ++last;
}

void BpeModel::add_merge(TokenId left, TokenId right, std::uint32_t rank, TokenId merged) {
  merges_.try_emplace(key(left, right), Merge{rank, merged});
}

bool BpeModel::has_all_bytes() const {
  return std::none_of(byte_tokens_.begin(), byte_tokens_.end(), [](TokenId id) { return id < 0; });
}

void BpeModel::merge(std::string_view bytes, std::vector<TokenId>& out) const {
  std::vector<TokenId> symbols;
  symbols.reserve(bytes.size());
  for (const char b : bytes) symbols.push_back(byte_tokens_[static_cast<unsigned char>(b)]);
  // Pieces are short (a word, a number, a run of spaces): a linear scan per merge is fastest in
  // practice, and the per-thread cache makes repeats free.
  for (;;) {
    std::uint32_t best_rank = UINT32_MAX;
    std::size_t best = 0;
    TokenId best_merged = -1;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
      const auto it = merges_.find(key(symbols[i], symbols[i + 1]));
      if (it != merges_.end() && it->second.rank < best_rank) {
        best_rank = it->second.rank;
        best = i;
        best_merged = it->second.merged;
      }
    }
    if (best_merged < 0) break;
    symbols[best] = best_merged;
    symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
  out.insert(out.end(), symbols.begin(), symbols.end());
}

void BpeModel::encode_piece(std::string_view bytes, std::vector<TokenId>& out) const {
  if (!whole_.empty()) {
    if (const auto it = whole_.find(bytes); it != whole_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  if (bytes.size() == 1) {
    out.push_back(byte_tokens_[static_cast<unsigned char>(bytes[0])]);
    return;
  }
  // Per-thread cache of frequent pieces; bounded so a long run cannot grow it without limit.
  struct Cache {
    std::uint64_t owner = 0;  // the id_ of the model the pieces belong to
    StringMap<std::vector<TokenId>> pieces;
  };
  thread_local Cache cache;
  constexpr std::size_t kMaxCachedPieces = 1 << 18;
  constexpr std::size_t kMaxCachedPieceBytes = 64;
  if (cache.owner != id_ || cache.pieces.size() >= kMaxCachedPieces) {
    cache.pieces.clear();
    cache.owner = id_;
  }
  if (bytes.size() > kMaxCachedPieceBytes) {
    merge(bytes, out);
    return;
  }
  if (const auto it = cache.pieces.find(bytes); it != cache.pieces.end()) {
    out.insert(out.end(), it->second.begin(), it->second.end());
    return;
  }
  std::vector<TokenId> ids;
  merge(bytes, ids);
  out.insert(out.end(), ids.begin(), ids.end());
  cache.pieces.emplace(std::string(bytes), std::move(ids));
}

}  // namespace chatfmt::tokenizers
