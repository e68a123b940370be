// A tokenizer's pre-tokenization regex, run with RE2. RE2 has no lookaround, so the one the
// tokenizers use, `\s+(?!\S)` ("a whitespace run, but leave its last character to the next piece
// when a non-space follows"), is matched as `\s+` and shortened afterwards.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

namespace chatfmt::tokenizers {

/// Which characters `\s` means. The reference implementations differ: JavaScript's \s (the
/// transformers.js port that is our Qwen3 oracle) includes U+FEFF and not U+0085; Rust's regex
/// (tiktoken, mistral-common's tekken) uses Unicode White_Space, which includes U+0085.
enum class Whitespace { javascript, unicode };

class SplitPattern {
 public:
  /// Throws TokenizerError for a pattern RE2 cannot run (other lookarounds, backreferences).
  SplitPattern(std::string_view pattern, Whitespace whitespace);
  /// Appends the pieces of `text`: every match and every stretch between matches, in order.
  void split(std::string_view text, std::vector<std::string_view>& pieces) const;

 private:
  bool is_space(char32_t cp) const;
  std::size_t apply_lookahead(std::string_view text, std::size_t start, std::size_t end) const;
  std::unique_ptr<RE2> regex_;
  int lookahead_group_ = 0;                    // capture group of the emulated \s+(?!\S); 0 when absent
  std::unique_ptr<RE2> earlier_alternatives_;  // the top-level alternatives before it, if any
  bool lookahead_first_ = false;               // it is the first top-level alternative
  Whitespace whitespace_;
};

}  // namespace chatfmt::tokenizers
