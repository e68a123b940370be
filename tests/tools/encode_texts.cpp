// encode_texts TOKENIZER: reads one JSON string per line and prints its ids as a JSON array per
// line (blank lines skipped) — the protocol of the reference encoders in tools/, so their output
// and chatfmt's can be compared line by line.
#include <iostream>
#include <string>

#include "chatfmt/tokenizer.hpp"
#include "core/json.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: encode_texts TOKENIZER < texts.jsonl\n";
    return 2;
  }
  try {
    const auto tokenizer = chatfmt::load_tokenizer(argv[1]);
    std::string line;
    std::vector<chatfmt::TokenId> ids;
    while (std::getline(std::cin, line)) {
      if (line.empty()) continue;
      chatfmt::JsonParseError error;
      const auto text = chatfmt::parse_json(line, error);
      if (!text || !text->is_string()) {
        std::cerr << "encode_texts: a line is not a JSON string\n";
        return 2;
      }
      ids.clear();
      tokenizer->encode(text->get_ref<const std::string&>(), ids);
      std::string out = "[";
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) out += ',';
        out += std::to_string(ids[i]);
      }
      std::cout << out << "]\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "encode_texts: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
