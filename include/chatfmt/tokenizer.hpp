// One interface for the tokenizers chatfmt checks data against: Hugging Face tokenizer.json
// (byte-level BPE), Mistral tekken.json, and SentencePiece .model files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace chatfmt {

using TokenId = std::int32_t;

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  /// "hf-bpe", "tekken" or "sentencepiece".
  virtual std::string_view kind() const = 0;
  /// Appends the ids of `text` as a trainer's tokenizer produces them: special and added tokens
  /// written in the text are parsed as their single ids, the text between them is encoded;
  /// no BOS/EOS is added. Thread-safe.
  virtual void encode(std::string_view text, std::vector<TokenId>& ids) const = 0;
  std::vector<TokenId> encode(std::string_view text) const {
    std::vector<TokenId> ids;
    encode(text, ids);
    return ids;
  }
  /// The id of a token written exactly so in the vocabulary (special tokens included).
  virtual std::optional<TokenId> token_to_id(std::string_view token) const = 0;
  /// The token's text as the vocabulary spells it (byte-level pieces decoded to their bytes,
  /// bytes that are not valid UTF-8 shown as <0xNN>).
  virtual std::string id_to_piece(TokenId id) const = 0;
  /// Special (HF), control (tekken, SentencePiece) tokens.
  virtual bool is_special(TokenId id) const = 0;
  virtual std::size_t vocab_size() const = 0;
};

/// A tokenizer file that is missing, truncated, not what it claims, or of an unsupported kind.
class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Loads `path`, recognizing the kind by content: a JSON object with "model" (tokenizer.json),
/// one with "config" and "vocab" (tekken.json), else a SentencePiece model. Throws TokenizerError
/// naming the file and what is missing.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

}  // namespace chatfmt
