#include <fstream>
#include <sstream>

#include <simdjson.h>

#include "tokenizers/loaders.hpp"

namespace chatfmt {

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError(path + ": cannot open the tokenizer file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string content = buffer.str();
  if (content.empty()) throw TokenizerError(path + ": the file is empty");
  const auto first = content.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && content[first] == '{') {
    // Which JSON tokenizer: look at the top-level keys only.
    const bool has_model = content.find("\"model\"") != std::string::npos;
    const bool has_config = content.find("\"config\"") != std::string::npos;
    simdjson::dom::parser parser;
    simdjson::dom::object root;
    if (auto error = parser.parse(content).get(root); error) {
      throw TokenizerError(path + ": not valid JSON (" + simdjson::error_message(error) + "); is the file complete?");
    }
    simdjson::dom::element unused;
    if (has_model && root["model"].get(unused) == simdjson::SUCCESS)
      return tokenizers::load_hf_tokenizer_json(path, content);
    if (has_config && root["config"].get(unused) == simdjson::SUCCESS)
      return tokenizers::load_tekken_json(path, content);
    throw TokenizerError(
        path + ": a JSON file that is neither a tokenizer.json (no \"model\") nor a tekken.json (no \"config\")");
  }
  return tokenizers::load_sentencepiece(path);
}

}  // namespace chatfmt
