// SentencePiece .model files through libsentencepiece. Control pieces written in the text
// ([INST], </s> …) are their ids; the text between them is encoded chunk by chunk, each with
// SentencePiece's own normalization and dummy prefix — what mistral-common does.
#include <sentencepiece_processor.h>

#include "tokenizers/loaders.hpp"
#include "tokenizers/special_splitter.hpp"

namespace chatfmt::tokenizers {
namespace {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(const std::string& path) {
    sentencepiece::util::Status status;
    try {
      status = processor_.Load(absl::string_view(path.data(), path.size()));
    } catch (const std::exception& error) {
      // Not every bad model comes back as a status: building the piece trie throws (darts-clone's
      // "zero-length key" for an empty piece), and that must read like any other bad file.
      status = sentencepiece::util::Status(sentencepiece::util::StatusCode::kInternal, error.what());
    }
    if (!status.ok()) {
      throw TokenizerError(path + ": not a SentencePiece model (" + status.ToString() +
                           "); chatfmt reads tokenizer.json, tekken.json and SentencePiece .model files");
    }
    for (int id = 0; id < processor_.GetPieceSize(); ++id) {
      if (processor_.IsControl(id)) splitter_.add(processor_.IdToPiece(id), id);
    }
  }

  std::string_view kind() const override { return "sentencepiece"; }

  void encode(std::string_view text, std::vector<TokenId>& ids) const override {
    std::vector<int> chunk_ids;
    splitter_.split(
        text,
        [&](std::string_view chunk) {
          chunk_ids.clear();
          const auto status = processor_.Encode(absl::string_view(chunk.data(), chunk.size()), &chunk_ids);
          if (!status.ok()) throw TokenizerError("SentencePiece could not encode a text: " + status.ToString());
          ids.insert(ids.end(), chunk_ids.begin(), chunk_ids.end());
        },
        [&](TokenId id, std::string_view) { ids.push_back(id); });
  }

  std::optional<TokenId> token_to_id(std::string_view token) const override {
    const int id = processor_.PieceToId(absl::string_view(token.data(), token.size()));
    // PieceToId answers unk for any unknown piece; only the real unk piece maps to it.
    if (processor_.IsUnknown(id) && processor_.IdToPiece(id) != token) return std::nullopt;
    return id;
  }
  std::string id_to_piece(TokenId id) const override {
    if (id < 0 || id >= processor_.GetPieceSize()) return {};
    return processor_.IdToPiece(id);
  }
  bool is_special(TokenId id) const override {
    return id >= 0 && id < processor_.GetPieceSize() && processor_.IsControl(id);
  }
  std::size_t vocab_size() const override { return static_cast<std::size_t>(processor_.GetPieceSize()); }

 private:
  sentencepiece::SentencePieceProcessor processor_;
  SpecialSplitter splitter_;
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& path) {
  return std::make_unique<SentencePieceTokenizer>(path);
}

}  // namespace chatfmt::tokenizers
