// tokens_per_second TOKENIZER TEXTS [REPEAT]: encodes every JSON-string line of TEXTS, REPEAT
// times, on one thread, and prints {"seconds", "tokens", "texts"} for the encoding alone
// (loading and reading excluded) — the same measure tools/tokenizer-fixture/encode.mjs --time
// reports for the JavaScript reference, so bench/tokenizer.sh can take their ratio.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "chatfmt/tokenizer.hpp"
#include "core/json.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: tokens_per_second TOKENIZER TEXTS [REPEAT]\n");
    return 2;
  }
  try {
    const auto tokenizer = chatfmt::load_tokenizer(argv[1]);
    const int repeat = argc > 3 ? std::stoi(argv[3]) : 1;
    std::ifstream in(argv[2]);
    std::vector<std::string> texts;
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      chatfmt::JsonParseError error;
      const auto text = chatfmt::parse_json(line, error);
      if (!text || !text->is_string()) throw std::runtime_error("a line is not a JSON string");
      texts.push_back(text->get<std::string>());
    }
    std::vector<chatfmt::TokenId> ids;
    std::size_t tokens = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < repeat; ++r) {
      for (const auto& text : texts) {
        ids.clear();
        tokenizer->encode(text, ids);
        tokens += ids.size();
      }
    }
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    std::printf("{\"seconds\": %.6f, \"tokens\": %zu, \"texts\": %zu}\n", seconds.count(), tokens,
                texts.size() * static_cast<std::size_t>(repeat));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokens_per_second: %s\n", e.what());
    return 2;
  }
  return 0;
}
