// tool-role-tagged: a role "tool" message whose content is wrapped in Qwen's result tags,
// {"role": "tool", "content": "<tool_response>…</tool_response>"}. The tags are the source
// format's delimiters; the body is the result (the value rule of <tool_response> blocks).
#include "chatfmt/errors.hpp"
#include "qwen3_vocabulary.hpp"
#include "registry_entries.hpp"
#include "tool_response_tags.hpp"

namespace chatfmt {

const EncodingRow& tool_role_tagged_encoding() {
  static const EncodingRow row{
      {"tool-role-tagged", EncodingKind::tool_result,
       "{\"role\": \"tool\", \"content\": \"<tool_response>…</tool_response>\"}"},
      {qwen3::kResponseOpen, qwen3::kResponseClose},
      {},
      nullptr,
      nullptr,
      [](const ResultTurn& turn, const ReadContext& context, std::vector<std::string_view>& results) {
        if (turn.role != Role::tool) return false;
        if (!responses::read_blocks(turn.content, context.where, "a tool message", results)) return false;
        if (results.size() != 1) {
          throw RecordError(Rule::tool_response_mixed,
                            std::string(context.where) + ": a tool message holds " + std::to_string(results.size()) +
                                " <tool_response> blocks, but answers one call; give each result its own message");
        }
        return true;
      }};
  return row;
}

}  // namespace chatfmt
