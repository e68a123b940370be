// Finds special/added token strings in text: leftmost occurrence, longest token at a position
// (what transformers' and tokenizers' added-token splitters do).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chatfmt/tokenizer.hpp"

namespace chatfmt::tokenizers {

class SpecialSplitter {
 public:
  void add(std::string token, TokenId id);

  /// Calls on_text(chunk) for each stretch of ordinary text (never empty) and on_special(id, token)
  /// for each special token, in order.
  template <typename OnText, typename OnSpecial>
  void split(std::string_view text, OnText&& on_text, OnSpecial&& on_special) const {
    std::size_t start = 0;
    std::size_t i = 0;
    while (i < text.size()) {
      // Jump to the next byte that can start a special token (usually '<' or '[').
      while (i < text.size() && !starts_token_[static_cast<unsigned char>(text[i])]) ++i;
      if (i == text.size()) break;
      const Match match = longest_at(text, i);
      if (match.length == 0) {
        ++i;
        continue;
      }
      if (i > start) on_text(text.substr(start, i - start));
      on_special(match.id, text.substr(i, match.length));
      i += match.length;
      start = i;
    }
    if (start < text.size()) on_text(text.substr(start));
  }

  bool empty() const { return nodes_.size() <= 1; }

 private:
  struct Match {
    std::size_t length = 0;
    TokenId id = -1;
  };
  struct Node {
    std::vector<std::pair<unsigned char, int>> children;  // sorted by byte
    TokenId id = -1;                                      // a token ends here
  };
  Match longest_at(std::string_view text, std::size_t pos) const;
  std::vector<Node> nodes_{Node{}};
  bool starts_token_[256] = {};  // bytes that begin some token
};

}  // namespace chatfmt::tokenizers
