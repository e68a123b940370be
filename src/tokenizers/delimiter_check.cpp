#include "chatfmt/tokens.hpp"

namespace chatfmt {

std::vector<DelimiterCheck> check_delimiters(const Tokenizer& tokenizer, const std::vector<std::string>& delimiters) {
  std::vector<DelimiterCheck> checks;
  for (const auto& delimiter : delimiters) {
    DelimiterCheck check;
    check.delimiter = delimiter;
    check.vocabulary_id = tokenizer.token_to_id(delimiter);
    tokenizer.encode(delimiter, check.ids);
    for (const TokenId id : check.ids) check.pieces.push_back(tokenizer.id_to_piece(id));
    check.special = check.single_token() && tokenizer.is_special(check.ids.front());
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace chatfmt
