// Byte-pair merging shared by tokenizer.json (merges ranked by their position in "merges") and
// tekken/tiktoken (a pair ranked by the rank of the token it makes): start from one token per
// byte, merge the adjacent pair of lowest rank (leftmost on ties) until none is left.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chatfmt/tokenizer.hpp"

namespace chatfmt::tokenizers {

/// Hash and equality that look up std::string keys by std::string_view without allocating.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

class BpeModel {
 public:
  BpeModel() : id_(next_id()) { byte_tokens_.fill(-1); }
  void set_byte_token(unsigned char byte, TokenId id) { byte_tokens_[byte] = id; }
  TokenId byte_token(unsigned char byte) const { return byte_tokens_[byte]; }
  /// `left` followed by `right` merge into `merged` with priority `rank` (lower first).
  void add_merge(TokenId left, TokenId right, std::uint32_t rank, TokenId merged);
  /// A piece that is a token as a whole is that token, whatever the merges say (tiktoken, and
  /// tokenizer.json's "ignore_merges").
  void set_whole_piece_tokens(StringMap<TokenId> tokens) { whole_ = std::move(tokens); }
  /// Appends the ids of one pre-token's bytes. Results are cached per thread.
  void encode_piece(std::string_view bytes, std::vector<TokenId>& out) const;
  bool has_all_bytes() const;

 private:
  void merge(std::string_view bytes, std::vector<TokenId>& out) const;
  struct Merge {
    std::uint32_t rank;
    TokenId merged;
  };
  static std::uint64_t next_id();
  static std::uint64_t key(TokenId left, TokenId right) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) | static_cast<std::uint32_t>(right);
  }
  // Names this model to the per-thread piece cache. Not its address: a model created where a
  // freed one lived would find that one's pieces and encode with another vocabulary's ids.
  std::uint64_t id_;
  std::array<TokenId, 256> byte_tokens_{};
  std::unordered_map<std::uint64_t, Merge> merges_;
  StringMap<TokenId> whole_;
};

}  // namespace chatfmt::tokenizers
