#include "tokenizers/special_splitter.hpp"

#include <algorithm>

namespace chatfmt::tokenizers {

void SpecialSplitter::add(std::string token, TokenId id) {
  if (token.empty()) return;
  starts_token_[static_cast<unsigned char>(token[0])] = true;
  int node = 0;
  for (const char ch : token) {
    const auto byte = static_cast<unsigned char>(ch);
    auto& children = nodes_[static_cast<std::size_t>(node)].children;
    auto it = std::lower_bound(children.begin(), children.end(), byte,
                               [](const auto& child, unsigned char b) { return child.first < b; });
    if (it != children.end() && it->first == byte) {
      node = it->second;
      continue;
    }
    const int next = static_cast<int>(nodes_.size());
    children.insert(it, {byte, next});
    nodes_.emplace_back();
    node = next;
  }
  nodes_[static_cast<std::size_t>(node)].id = id;
}

SpecialSplitter::Match SpecialSplitter::longest_at(std::string_view text, std::size_t pos) const {
  Match match;
  int node = 0;
  for (std::size_t i = pos; i < text.size(); ++i) {
    const auto& children = nodes_[static_cast<std::size_t>(node)].children;
    const auto byte = static_cast<unsigned char>(text[i]);
    auto it = std::lower_bound(children.begin(), children.end(), byte,
                               [](const auto& child, unsigned char b) { return child.first < b; });
    if (it == children.end() || it->first != byte) break;
    node = it->second;
    if (nodes_[static_cast<std::size_t>(node)].id >= 0)
      match = {i + 1 - pos, nodes_[static_cast<std::size_t>(node)].id};
  }
  return match;
}

}  // namespace chatfmt::tokenizers
