// Mistral tekken.json: tiktoken-style ranks (base64 token_bytes), the config's split pattern,
// special tokens first in the id space (docs/tekken.md). Special tokens written in the text are
// their ids; the text between them is tiktoken-encoded.
#include <simdjson.h>

#include "tokenizers/bpe_model.hpp"
#include "tokenizers/loaders.hpp"
#include "tokenizers/special_splitter.hpp"
#include "tokenizers/split_pattern.hpp"

namespace chatfmt::tokenizers {
namespace {

using simdjson::dom::element;

bool decode_base64(std::string_view text, std::string& out) {
  static const auto table = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    return t;
  }();
  out.clear();
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') break;
    const int value = table[static_cast<unsigned char>(c)];
    if (value < 0) return false;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return true;
}

class TekkenTokenizer final : public Tokenizer {
 public:
  std::string_view kind() const override { return "tekken"; }

  void encode(std::string_view text, std::vector<TokenId>& ids) const override {
    std::vector<std::string_view> pieces;
    splitter_.split(
        text,
        [&](std::string_view chunk) {
          pieces.clear();
          pattern_->split(chunk, pieces);
          for (const auto piece : pieces) bpe_.encode_piece(piece, ids);
        },
        [&](TokenId id, std::string_view) { ids.push_back(id); });
  }

  std::optional<TokenId> token_to_id(std::string_view token) const override {
    for (std::size_t id = 0; id < specials_.size(); ++id) {
      if (specials_[id] == token) return static_cast<TokenId>(id);
    }
    if (auto it = by_bytes_.find(token); it != by_bytes_.end()) return it->second;
    return std::nullopt;
  }
  std::string id_to_piece(TokenId id) const override {
    if (id < 0) return {};
    const auto index = static_cast<std::size_t>(id);
    if (index < specials_.size()) return specials_[index];
    if (index - specials_.size() < vocab_.size()) return display_bytes(vocab_[index - specials_.size()]);
    return {};
  }
  bool is_special(TokenId id) const override { return id >= 0 && static_cast<std::size_t>(id) < specials_.size(); }
  std::size_t vocab_size() const override { return specials_.size() + vocab_.size(); }

  void load(const std::string& path, const std::string& json) {
    simdjson::dom::parser parser;
    element root;
    if (auto error = parser.parse(json).get(root); error) {
      fail(path, std::string("not valid JSON (") + simdjson::error_message(error) + "); is the file complete?");
    }
    element config;
    if (root["config"].get(config)) fail(path, "no \"config\": not a tekken.json");
    std::string_view pattern;
    std::int64_t vocab_size = 0;
    std::int64_t num_special = 0;
    if (config["pattern"].get(pattern)) fail(path, "config has no \"pattern\"");
    if (config["default_vocab_size"].get(vocab_size) || vocab_size <= 0)
      fail(path, "config has no \"default_vocab_size\"");
    if (config["default_num_special_tokens"].get(num_special) || num_special < 0 || num_special > vocab_size) {
      fail(path, "config has no valid \"default_num_special_tokens\"");
    }
    pattern_ = std::make_unique<SplitPattern>(pattern, Whitespace::unicode);

    simdjson::dom::array special_list;
    simdjson::dom::array vocab;
    const bool has_special_list = root["special_tokens"].get(special_list) == simdjson::SUCCESS;
    if (root["vocab"].get(vocab)) fail(path, "no \"vocab\" list");
    // The fillers below are made for every special id, as mistral-common does; a count beyond
    // what the file lists is a corrupt config, and must not make us allocate without bound.
    const std::size_t listed = vocab.size() + (has_special_list ? special_list.size() : 0);
    if (static_cast<std::uint64_t>(num_special) > listed) {
      fail(path, "config's default_num_special_tokens (" + std::to_string(num_special) +
                     ") is more than the file's tokens; is the config right?");
    }

    // Special tokens occupy ids 0..num_special-1; unlisted ones are <SPECIAL_i> fillers.
    specials_.resize(static_cast<std::size_t>(num_special));
    for (std::size_t i = 0; i < specials_.size(); ++i) specials_[i] = "<SPECIAL_" + std::to_string(i) + ">";
    if (has_special_list) {
      for (element special : special_list) {
        std::int64_t rank = 0;
        std::string_view token;
        if (special["rank"].get(rank) || special["token_str"].get(token))
          fail(path, "a special token lacks rank or token_str");
        if (rank < 0 || rank >= num_special) {
          fail(path, "special token '" + std::string(token) + "' has rank " + std::to_string(rank) + " outside the " +
                         std::to_string(num_special) + " special ids");
        }
        specials_[static_cast<std::size_t>(rank)] = std::string(token);
        splitter_.add(std::string(token), static_cast<TokenId>(rank));
      }
    }

    // The inner vocabulary: ranks 0..n-1 in order, cut at default_vocab_size - num_special.
    const auto inner = static_cast<std::size_t>(vocab_size - num_special);
    std::string bytes;
    for (element entry : vocab) {
      if (vocab_.size() == inner) break;
      std::int64_t rank = 0;
      std::string_view encoded;
      if (entry["rank"].get(rank) || entry["token_bytes"].get(encoded))
        fail(path, "a vocab entry lacks rank or token_bytes");
      if (static_cast<std::size_t>(rank) != vocab_.size()) {
        fail(path, "vocab rank " + std::to_string(rank) + " is out of order (expected " +
                       std::to_string(vocab_.size()) + ")");
      }
      if (!decode_base64(encoded, bytes) || bytes.empty())
        fail(path, "vocab rank " + std::to_string(rank) + ": bad token_bytes");
      const auto id = static_cast<TokenId>(num_special + rank);
      vocab_.push_back(bytes);
      by_bytes_.emplace(bytes, id);
      if (bytes.size() == 1) bpe_.set_byte_token(static_cast<unsigned char>(bytes[0]), id);
    }
    if (vocab_.size() < inner) {
      fail(path, "vocab has " + std::to_string(vocab_.size()) + " tokens, config says " + std::to_string(inner) +
                     "; is the file complete?");
    }
    if (!bpe_.has_all_bytes()) fail(path, "the vocabulary lacks single-byte tokens");
    // tiktoken merges the adjacent pair whose concatenation has the lowest rank: every token that
    // splits into two tokens is a merge of that pair, ranked by the token's own rank.
    for (std::size_t rank = 0; rank < vocab_.size(); ++rank) {
      const std::string& token = vocab_[rank];
      for (std::size_t cut = 1; cut < token.size(); ++cut) {
        const auto left = by_bytes_.find(token.substr(0, cut));
        const auto right = by_bytes_.find(token.substr(cut));
        if (left != by_bytes_.end() && right != by_bytes_.end()) {
          bpe_.add_merge(left->second, right->second, static_cast<std::uint32_t>(rank),
                         static_cast<TokenId>(num_special + rank));
        }
      }
    }
    bpe_.set_whole_piece_tokens(by_bytes_);
  }

 private:
  SpecialSplitter splitter_;
  BpeModel bpe_;
  std::unique_ptr<SplitPattern> pattern_;
  std::vector<std::string> specials_;
  std::vector<std::string> vocab_;  // rank -> bytes
  StringMap<TokenId> by_bytes_;
};

}  // namespace

std::unique_ptr<Tokenizer> load_tekken_json(const std::string& path, const std::string& json) {
  auto tokenizer = std::make_unique<TekkenTokenizer>();
  tokenizer->load(path, json);
  return tokenizer;
}

}  // namespace chatfmt::tokenizers
