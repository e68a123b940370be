// tool-response-block: <tool_response>…</tool_response> blocks making up a user turn, one result
// each (Qwen3-Coder's template writes results so).
#include "chatfmt/errors.hpp"
#include "core/text.hpp"
#include "qwen3_vocabulary.hpp"
#include "registry_entries.hpp"
#include "tool_response_tags.hpp"

namespace chatfmt {

bool responses::read_blocks(std::string_view text, std::string_view where, std::string_view turn,
                            std::vector<std::string_view>& results) {
  using qwen3::kResponseClose;
  using qwen3::kResponseOpen;
  auto at = [where](const std::string& what) { return std::string(where) + ": " + what; };
  if (text.find(kResponseOpen) == std::string_view::npos) {
    if (text.find(kResponseClose) != std::string_view::npos) {
      throw RecordError(Rule::tool_response_unclosed, at("</tool_response> without <tool_response>"));
    }
    return false;
  }
  std::size_t pos = 0;
  for (;;) {
    const std::size_t open = text.find(kResponseOpen, pos);
    const std::string_view gap = text.substr(pos, open == std::string_view::npos ? std::string_view::npos : open - pos);
    if (!text::is_blank_ascii(gap)) {
      throw RecordError(Rule::tool_response_mixed,
                        at(std::string(turn) + " mixes <tool_response> blocks with other text ('" +
                           text::excerpt(text::strip_ascii(gap)) + "'); put the text in its own user turn"));
    }
    if (open == std::string_view::npos) break;
    const std::size_t body_start = open + kResponseOpen.size();
    const std::size_t close = text.find(kResponseClose, body_start);
    if (close == std::string_view::npos) {
      throw RecordError(Rule::tool_response_unclosed, at("<tool_response> is not closed by </tool_response>"));
    }
    const std::string_view body = text.substr(body_start, close - body_start);
    if (body.find(kResponseOpen) != std::string_view::npos) {
      throw RecordError(Rule::tool_response_unclosed, at("<tool_response> opens again before </tool_response>"));
    }
    results.emplace_back(text::strip_one_newline_each_side(body));
    pos = close + kResponseClose.size();
  }
  return true;
}

const EncodingRow& tool_response_block_encoding() {
  static const EncodingRow row{
      {"tool-response-block", EncodingKind::tool_result,
       "<tool_response>…</tool_response> blocks making up a user turn"},
      {qwen3::kResponseOpen, qwen3::kResponseClose},
      {},
      nullptr,
      nullptr,
      [](const ResultTurn& turn, const ReadContext& context, std::vector<std::string_view>& results) {
        return turn.role == Role::user && responses::read_blocks(turn.content, context.where, "a user turn", results);
      }};
  return row;
}

}  // namespace chatfmt
