// A SentencePiece .model (protobuf) as `chatfmt tokens` loads it: through libsentencepiece from a
// path (an in-memory file here), its control pieces taken as specials; a model that loads must
// encode. Only TokenizerError is an expected way out.
#include "fuzz_support.hpp"
#include "tokenizers/loaders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chatfmt;
  const std::string_view bytes = fuzz::as_text(data, size);
  const fuzz::MemoryFile file(bytes);
  std::unique_ptr<Tokenizer> tokenizer;
  try {
    tokenizer = tokenizers::load_sentencepiece(file.path());
  } catch (const TokenizerError&) {
    return 0;
  }
  fuzz::check_tokenizer(*tokenizer, {});
  return 0;
}
