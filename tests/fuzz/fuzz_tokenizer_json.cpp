// A Hugging Face tokenizer.json (byte-level BPE): the loader's checks of model, normalizer,
// pre-tokenizers (the Split regex translated for RE2), vocabulary, merges and added tokens; a
// tokenizer that loads must encode. Only TokenizerError is an expected way out.
#include "fuzz_support.hpp"
#include "tokenizers/loaders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chatfmt;
  const std::string json(fuzz::as_text(data, size));
  std::unique_ptr<Tokenizer> tokenizer;
  try {
    tokenizer = tokenizers::load_hf_tokenizer_json("tokenizer.json", json);
  } catch (const TokenizerError&) {
    return 0;
  }
  fuzz::check_tokenizer(*tokenizer, json);
  return 0;
}
