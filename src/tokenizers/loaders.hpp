// The three tokenizer file kinds; load_tokenizer() picks one by content.
#pragma once

#include <memory>
#include <string>

#include "chatfmt/tokenizer.hpp"

namespace chatfmt::tokenizers {

std::unique_ptr<Tokenizer> load_hf_tokenizer_json(const std::string& path, const std::string& json);
std::unique_ptr<Tokenizer> load_tekken_json(const std::string& path, const std::string& json);
std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& path);

/// Throws TokenizerError("PATH: WHAT").
[[noreturn]] inline void fail(const std::string& path, const std::string& what) {
  throw TokenizerError(path + ": " + what);
}

/// A piece's bytes for display: valid UTF-8 as is, other bytes as <0xNN>.
std::string display_bytes(std::string_view bytes);

}  // namespace chatfmt::tokenizers
