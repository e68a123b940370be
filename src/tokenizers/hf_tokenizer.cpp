// Hugging Face tokenizer.json with a byte-level BPE model (Qwen2/Qwen3, Mistral's HF exports):
// added tokens split out first, then NFC, the Split regex + ByteLevel pre-tokenizer, BPE merges.
// Semantics follow transformers.js, the reference the tests compare with (docs/tokenizers.md).
#include <simdjson.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <unordered_set>

#include "tokenizers/bpe_model.hpp"
#include "tokenizers/loaders.hpp"
#include "tokenizers/special_splitter.hpp"
#include "tokenizers/split_pattern.hpp"

namespace chatfmt::tokenizers {
namespace {

using simdjson::dom::element;

// GPT-2's byte-to-character table: printable Latin-1 bytes stand for themselves, the others are
// shifted to U+0100 onwards, so every byte has a visible character.
std::array<char32_t, 256> byte_to_char() {
  std::array<char32_t, 256> table{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    table[static_cast<std::size_t>(b)] = printable ? static_cast<char32_t>(b) : next++;
  }
  return table;
}

// A vocabulary string of byte-level characters back to the bytes it stands for.
bool decode_byte_level(std::string_view token, std::string& bytes) {
  static const auto table = byte_to_char();
  static const auto inverse = [] {
    std::unordered_map<char32_t, unsigned char> map;
    for (int b = 0; b < 256; ++b) map[table[static_cast<std::size_t>(b)]] = static_cast<unsigned char>(b);
    return map;
  }();
  bytes.clear();
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(token.data());
  std::size_t i = 0;
  while (i < token.size()) {
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(token.size() - i), &cp);
    if (n <= 0) return false;
    const auto it = inverse.find(static_cast<char32_t>(cp));
    if (it == inverse.end()) return false;
    bytes.push_back(static_cast<char>(it->second));
    i += static_cast<std::size_t>(n);
  }
  return true;
}

class HfByteLevelBpe final : public Tokenizer {
 public:
  std::string_view kind() const override { return "hf-bpe"; }

  void encode(std::string_view text, std::vector<TokenId>& ids) const override {
    splitter_.split(
        text, [&](std::string_view chunk) { encode_ordinary(chunk, ids); },
        [&](TokenId id, std::string_view) { ids.push_back(id); });
  }

  std::optional<TokenId> token_to_id(std::string_view token) const override {
    if (auto it = added_.find(token); it != added_.end()) return it->second;
    if (auto it = by_bytes_.find(token); it != by_bytes_.end()) return it->second;
    return std::nullopt;
  }

  std::string id_to_piece(TokenId id) const override {
    const auto it = pieces_.find(id);
    return it == pieces_.end() ? std::string() : display_bytes(it->second);
  }
  bool is_special(TokenId id) const override { return special_.contains(id); }
  std::size_t vocab_size() const override { return id_limit_; }

  void load(const std::string& path, const std::string& json);

 private:
  void encode_ordinary(std::string_view chunk, std::vector<TokenId>& ids) const {
    std::string normalized;
    const bool ascii = std::all_of(chunk.begin(), chunk.end(), [](char c) { return (c & 0x80) == 0; });
    if (nfc_ && !ascii) {  // ASCII text is its own NFC
      utf8proc_uint8_t* composed = nullptr;
      const utf8proc_ssize_t length = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(chunk.data()),
                                                   static_cast<utf8proc_ssize_t>(chunk.size()), &composed,
                                                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
      if (length >= 0) {
        normalized.assign(reinterpret_cast<const char*>(composed), static_cast<std::size_t>(length));
        chunk = normalized;
      }
      std::free(composed);
    }
    if (chunk.empty()) return;
    std::string prefixed;
    if (add_prefix_space_ && chunk.front() != ' ') {
      prefixed = " " + std::string(chunk);
      chunk = prefixed;
    }
    thread_local std::vector<std::string_view> pieces;
    pieces.clear();
    if (pattern_) {
      pattern_->split(chunk, pieces);
    } else {
      pieces.push_back(chunk);
    }
    for (const auto piece : pieces) bpe_.encode_piece(piece, ids);
  }

  SpecialSplitter splitter_;
  BpeModel bpe_;
  std::unique_ptr<SplitPattern> pattern_;
  bool nfc_ = false;
  bool add_prefix_space_ = false;
  StringMap<TokenId> added_;     // added token content -> id
  StringMap<TokenId> by_bytes_;  // vocabulary bytes -> id
  // id -> bytes (added tokens: their content). A map, not a vector indexed by id: ids may have
  // gaps (cl100k-style exports do), and a file's ids must not decide how much memory we take.
  std::unordered_map<TokenId, std::string> pieces_;
  std::unordered_set<TokenId> special_;
  std::size_t id_limit_ = 0;  // one past the largest id
};

// An optional boolean field; absent or null means `fallback`.
bool bool_or(element e, const char* key, bool fallback) {
  bool value = fallback;
  if (e[key].get(value) != simdjson::SUCCESS) return fallback;
  return value;
}

std::string_view string_at(element e, const char* key, const std::string& path, const std::string& where) {
  std::string_view value;
  if (e[key].get(value)) fail(path, where + " has no string \"" + key + "\"");
  return value;
}

void HfByteLevelBpe::load(const std::string& path, const std::string& json) {
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(json).get(root); error) {
    fail(path, std::string("not valid JSON (") + simdjson::error_message(error) + "); is the file complete?");
  }
  element model;
  if (root["model"].get(model)) fail(path, "no \"model\": not a tokenizer.json");
  const std::string_view type = string_at(model, "type", path, "\"model\"");
  if (type != "BPE")
    fail(path, "model type '" + std::string(type) + "' is not supported (chatfmt reads byte-level BPE)");
  bool byte_fallback = false;
  if (model["byte_fallback"].get(byte_fallback) == simdjson::SUCCESS && byte_fallback) {
    fail(path, "BPE with byte_fallback is not supported (chatfmt reads byte-level BPE)");
  }

  // Normalizer: none, NFC, or a sequence of NFC.
  element normalizer;
  if (root["normalizer"].get(normalizer) == simdjson::SUCCESS && !normalizer.is_null()) {
    std::vector<element> steps;
    simdjson::dom::array sequence;
    if (normalizer["normalizers"].get(sequence) == simdjson::SUCCESS) {
      for (element step : sequence) steps.push_back(step);
    } else {
      steps.push_back(normalizer);
    }
    for (element step : steps) {
      const std::string_view name = string_at(step, "type", path, "a normalizer");
      if (name != "NFC") fail(path, "normalizer '" + std::string(name) + "' is not supported (NFC is)");
      nfc_ = true;
    }
  }

  // Pre-tokenizer: Split(Regex, Isolated) and/or ByteLevel.
  element pre;
  if (root["pre_tokenizer"].get(pre) || pre.is_null()) fail(path, "no \"pre_tokenizer\": a byte-level BPE needs one");
  std::vector<element> steps;
  simdjson::dom::array sequence;
  if (pre["pretokenizers"].get(sequence) == simdjson::SUCCESS) {
    for (element step : sequence) steps.push_back(step);
  } else {
    steps.push_back(pre);
  }
  bool byte_level = false;
  for (element step : steps) {
    const std::string_view name = string_at(step, "type", path, "a pre_tokenizer");
    if (name == "Split") {
      std::string_view regex;
      if (step["pattern"]["Regex"].get(regex)) fail(path, "Split pre-tokenizer without a \"Regex\" pattern");
      std::string_view behavior = string_at(step, "behavior", path, "the Split pre-tokenizer");
      if (behavior != "Isolated" || bool_or(step, "invert", false))
        fail(path, "Split pre-tokenizer must be Isolated and not inverted");
      if (pattern_) fail(path, "more than one Split pre-tokenizer");
      pattern_ = std::make_unique<SplitPattern>(regex, Whitespace::javascript);
    } else if (name == "ByteLevel") {
      byte_level = true;
      add_prefix_space_ = bool_or(step, "add_prefix_space", false);
      if (bool_or(step, "use_regex", true)) {
        if (pattern_) fail(path, "ByteLevel with use_regex after a Split pre-tokenizer");
        pattern_ = std::make_unique<SplitPattern>(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Whitespace::javascript);
      }
    } else {
      fail(path, "pre-tokenizer '" + std::string(name) + "' is not supported (Split and ByteLevel are)");
    }
  }
  if (!byte_level) fail(path, "no ByteLevel pre-tokenizer: chatfmt reads byte-level BPE only");

  // Vocabulary.
  simdjson::dom::object vocab;
  if (model["vocab"].get(vocab)) fail(path, "model has no \"vocab\" object");
  std::string bytes;
  for (auto field : vocab) {
    std::int64_t id = 0;
    if (field.value.get(id) || id < 0 || id > INT32_MAX)
      fail(path, "vocab entry '" + std::string(field.key) + "' has no valid id");
    if (!decode_byte_level(field.key, bytes)) {
      fail(path, "vocab entry '" + std::string(field.key) + "' is not byte-level text");
    }
    pieces_[static_cast<TokenId>(id)] = bytes;
    id_limit_ = std::max(id_limit_, static_cast<std::size_t>(id) + 1);
    by_bytes_[bytes] = static_cast<TokenId>(id);
    if (bytes.size() == 1) bpe_.set_byte_token(static_cast<unsigned char>(bytes[0]), static_cast<TokenId>(id));
  }
  if (by_bytes_.empty()) fail(path, "the vocabulary is empty");
  if (!bpe_.has_all_bytes()) fail(path, "the vocabulary lacks single-byte tokens: not a byte-level BPE");

  // Merges: ["a", "b"] pairs or "a b" strings; rank = position.
  simdjson::dom::array merges;
  if (model["merges"].get(merges)) fail(path, "model has no \"merges\" list");
  std::uint32_t rank = 0;
  std::string left;
  std::string right;
  for (element merge : merges) {
    std::string_view a;
    std::string_view b;
    std::string_view joined;
    if (merge.get(joined) == simdjson::SUCCESS) {
      const auto space = joined.find(' ');
      if (space == std::string_view::npos) fail(path, "merge " + std::to_string(rank) + " is not \"a b\"");
      a = joined.substr(0, space);
      b = joined.substr(space + 1);
    } else {
      simdjson::dom::array pair;
      if (merge.get(pair) || pair.size() != 2 || pair.at(0).get(a) || pair.at(1).get(b)) {
        fail(path, "merge " + std::to_string(rank) + " is neither \"a b\" nor [\"a\", \"b\"]");
      }
    }
    if (!decode_byte_level(a, left) || !decode_byte_level(b, right)) {
      fail(path, "merge " + std::to_string(rank) + " is not byte-level text");
    }
    const auto l = by_bytes_.find(left);
    const auto r = by_bytes_.find(right);
    const auto m = by_bytes_.find(left + right);
    if (l == by_bytes_.end() || r == by_bytes_.end() || m == by_bytes_.end()) {
      fail(path, "merge " + std::to_string(rank) + " ('" + std::string(a) + " " + std::string(b) +
                     "') uses or makes a token that is not in the vocabulary");
    }
    bpe_.add_merge(l->second, r->second, rank++, m->second);
  }
  bool ignore_merges = false;
  if (model["ignore_merges"].get(ignore_merges) == simdjson::SUCCESS && ignore_merges)
    bpe_.set_whole_piece_tokens(by_bytes_);

  // Added tokens: matched in the raw text, longest first, before anything else.
  simdjson::dom::array added;
  if (root["added_tokens"].get(added) == simdjson::SUCCESS) {
    for (element token : added) {
      std::int64_t id = 0;
      if (token["id"].get(id) || id < 0 || id > INT32_MAX) fail(path, "an added token has no valid id");
      const std::string content(string_at(token, "content", path, "added token " + std::to_string(id)));
      const bool special = bool_or(token, "special", false);
      if (bool_or(token, "lstrip", false) || bool_or(token, "rstrip", false) || bool_or(token, "single_word", false)) {
        fail(path, "added token '" + content + "' uses lstrip/rstrip/single_word, which chatfmt does not support yet");
      }
      pieces_[static_cast<TokenId>(id)] = content;
      id_limit_ = std::max(id_limit_, static_cast<std::size_t>(id) + 1);
      added_[content] = static_cast<TokenId>(id);
      if (special) {
        special_.insert(static_cast<TokenId>(id));
      } else {
        special_.erase(static_cast<TokenId>(id));
      }
      splitter_.add(content, static_cast<TokenId>(id));
    }
  }
}

}  // namespace

std::unique_ptr<Tokenizer> load_hf_tokenizer_json(const std::string& path, const std::string& json) {
  auto tokenizer = std::make_unique<HfByteLevelBpe>();
  tokenizer->load(path, json);
  return tokenizer;
}

std::string display_bytes(std::string_view bytes) {
  std::string out;
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(bytes.data());
  while (i < bytes.size()) {
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(bytes.size() - i), &cp);
    if (n <= 0) {
      static constexpr char hex[] = "0123456789ABCDEF";
      const auto b = static_cast<unsigned char>(bytes[i]);
      out += "<0x";
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 0xF]);
      out += ">";
      ++i;
      continue;
    }
    out.append(bytes.substr(i, static_cast<std::size_t>(n)));
    i += static_cast<std::size_t>(n);
  }
  return out;
}

}  // namespace chatfmt::tokenizers
