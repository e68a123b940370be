// Tokenizer ids are proven against the reference implementations by tests/differential/; these
// cover what must never happen with a bad file: a crash or a silent wrong answer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "chatfmt/tokenizer.hpp"

namespace chatfmt {
namespace {
namespace fs = std::filesystem;

const std::string kTekken = std::string(CHATFMT_SOURCE_DIR) + "/tests/fixtures/tekken/tekken_fixture.json";
const std::string kSentencePieceV3 =
    std::string(CHATFMT_SOURCE_DIR) +
    "/tests/reference/mistral-common/tokenizers/mistral_instruct_tokenizer_240323.model.v3";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& name, const std::string& content)
      : path(fs::temp_directory_path() / ("chatfmt-tok-" + name)) {
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { fs::remove(path); }
};

std::string load_error(const std::string& name, const std::string& content) {
  TempFile file(name, content);
  try {
    load_tokenizer(file.path.string());
  } catch (const TokenizerError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.path.string()), std::string::npos) << "the message names the file: " << message;
    return message;
  }
  return "loaded";
}

TEST(LoadTokenizer, BadFilesFailWithAClearMessage) {
  EXPECT_NE(load_error("empty", "").find("empty"), std::string::npos);
  const std::string tekken = slurp(kTekken);
  EXPECT_NE(load_error("truncated.json", tekken.substr(0, tekken.size() / 2)).find("is the file complete"),
            std::string::npos);
  EXPECT_NE(load_error("unigram.json", R"({"model": {"type": "Unigram", "vocab": []}, "pre_tokenizer": null})")
                .find("model type 'Unigram' is not supported"),
            std::string::npos);
  EXPECT_NE(load_error("other.json", R"({"hello": 1})").find("neither a tokenizer.json"), std::string::npos);
  EXPECT_NE(load_error("noise.model", std::string("\x01\x02garbage\xff", 11)).find("not a SentencePiece model"),
            std::string::npos);
  // A tekken.json whose vocabulary is shorter than its config says: refused, not silently short.
  std::string short_vocab = tekken;
  const auto at = short_vocab.find("\"default_vocab_size\": ");
  ASSERT_NE(at, std::string::npos);
  short_vocab.replace(at, std::string("\"default_vocab_size\": ").size(), "\"default_vocab_size\": 9");
  EXPECT_NE(load_error("short.json", short_vocab).find("vocab has"), std::string::npos);
  const std::string model = slurp(kSentencePieceV3);
  EXPECT_NE(load_error("truncated.model", model.substr(0, model.size() / 3)).find("not a SentencePiece model"),
            std::string::npos);
  EXPECT_THROW(load_tokenizer("/nonexistent/tokenizer.json"), TokenizerError);
  // A corrupt count must fail, not allocate tens of GB (found by fuzz_tekken_json).
  std::string many_specials = tekken;
  for (const std::string key : {"\"default_vocab_size\": ", "\"default_num_special_tokens\": "}) {
    const auto field = many_specials.find(key);
    ASSERT_NE(field, std::string::npos);
    const auto end = many_specials.find_first_not_of("0123456789", field + key.size());
    many_specials.replace(field + key.size(), end - field - key.size(), "2000000000");
  }
  EXPECT_NE(load_error("many-specials.json", many_specials).find("default_num_special_tokens"), std::string::npos);
}

// The BPE piece cache is per thread: a tokenizer loaded where a freed one lived used to find that
// one's pieces and answer with its ids (ids outside its own vocabulary, even).
TEST(LoadTokenizer, EachTokenizerEncodesAsIfLoadedAlone) {
  std::string smaller = slurp(kTekken);
  const std::string key = "\"default_vocab_size\": ";
  const auto field = smaller.find(key);
  ASSERT_NE(field, std::string::npos);
  smaller.replace(field + key.size(), smaller.find_first_not_of("0123456789", field + key.size()) - field - key.size(),
                  "400");
  const TempFile smaller_file("smaller.json", smaller);
  const std::string text = "Hello world, encoding some words: function parameter tool_call";
  const auto full_ids = load_tokenizer(kTekken)->encode(text);
  const auto smaller_ids = load_tokenizer(smaller_file.path.string())->encode(text);
  ASSERT_NE(full_ids, smaller_ids);
  for (int round = 0; round < 3; ++round) {
    // Each tokenizer dies at the end of its statement, so the next one is likely made in its place.
    EXPECT_EQ(load_tokenizer(kTekken)->encode(text), full_ids);
    EXPECT_EQ(load_tokenizer(smaller_file.path.string())->encode(text), smaller_ids);
  }
}

TEST(Tekken, SpecialTokensAreParsedAndIdsShiftedPastThem) {
  const auto tokenizer = load_tokenizer(kTekken);
  EXPECT_EQ(tokenizer->kind(), "tekken");
  const auto ids = tokenizer->encode("[INST]hi[/INST]");
  ASSERT_GE(ids.size(), 3U);
  EXPECT_EQ(ids.front(), 3);
  EXPECT_EQ(ids.back(), 4);
  for (std::size_t i = 1; i + 1 < ids.size(); ++i)
    EXPECT_GE(ids[i], 100) << "vocabulary ids come after the 100 special ids";
  EXPECT_TRUE(tokenizer->is_special(9));
  EXPECT_EQ(tokenizer->id_to_piece(9), "[TOOL_CALLS]");
  EXPECT_FALSE(tokenizer->token_to_id("[/TOOL_CALLS]"));
}

TEST(SentencePiece, ControlTokensWrittenInTextAreTheirIds) {
  const auto tokenizer = load_tokenizer(kSentencePieceV3);
  EXPECT_EQ(tokenizer->kind(), "sentencepiece");
  EXPECT_EQ(tokenizer->token_to_id("[TOOL_CALLS]"), 5);
  EXPECT_TRUE(tokenizer->is_special(5));
  const auto ids = tokenizer->encode("<s>[INST]Hi[/INST]");
  ASSERT_GE(ids.size(), 4U);
  EXPECT_EQ(ids[0], 1);
  EXPECT_EQ(ids[1], 3);
  EXPECT_EQ(ids.back(), 4);
  EXPECT_FALSE(tokenizer->token_to_id("[/TOOL_CALLS]"));
}

}  // namespace
}  // namespace chatfmt
