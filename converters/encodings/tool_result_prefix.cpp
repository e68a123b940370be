// tool-result-prefix: a tool result given as a user turn with a textual prefix, right after the
// calls it answers: {"role": "user", "content": "Tool result: …"} (--tool-result-prefix).
#include "chatfmt/errors.hpp"
#include "core/text.hpp"
#include "registry_entries.hpp"

namespace chatfmt {
namespace {

// The calls still unanswered when a turn comes right after an assistant turn's calls (or after
// some of their results): 0 when the turn follows anything else.
std::size_t unanswered_calls(const std::vector<Message>& before) {
  std::size_t results = 0;
  for (auto message = before.rbegin(); message != before.rend(); ++message) {
    if (message->role == Role::tool) {
      ++results;
      continue;
    }
    if (message->role != Role::assistant || message->tool_calls.size() <= results) return 0;
    return message->tool_calls.size() - results;
  }
  return 0;
}

bool read_prefixed(const ResultTurn& turn, const ReadContext& context, std::vector<std::string_view>& results) {
  if (turn.role != Role::user || unanswered_calls(turn.before) == 0) return false;
  for (const std::string& prefix : context.setup.options().tool_result_prefixes) {
    if (prefix.empty() || !text::starts_with(turn.content, prefix)) continue;
    std::string_view value = turn.content.substr(prefix.size());
    // One separator between prefix and value belongs to the prefix; nothing else is dropped.
    if (text::starts_with(value, " ") || text::starts_with(value, "\n")) value.remove_prefix(1);
    results.push_back(value);
    return true;
  }
  return false;
}

std::string prefixes_named(const ReadSetup& setup) {
  std::string named;
  for (const auto& prefix : setup.options().tool_result_prefixes) {
    if (!prefix.empty()) named += (named.empty() ? "'" : " or '") + prefix + "'";
  }
  return named;
}

// Fewer prefixed results than the calls they follow: which call each answers is a guess.
void check_runs(const Conversation& conversation, const ReadSetup& setup) {
  const EncodingSet prefixed = encoding_bit_of(tool_result_prefix_encoding());
  const auto& messages = conversation.messages;
  for (std::size_t m = 0; m < messages.size(); ++m) {
    const std::size_t calls = messages[m].tool_calls.size();
    if (messages[m].role != Role::assistant || calls < 2) continue;
    std::size_t results = 0;
    bool any_prefixed = false;
    while (m + 1 + results < messages.size() && messages[m + 1 + results].role == Role::tool) {
      any_prefixed = any_prefixed || (messages[m + 1 + results].source_encodings & prefixed) != 0;
      ++results;
    }
    if (!any_prefixed || results >= calls) continue;
    std::string names;
    for (const auto& call : messages[m].tool_calls) names += (names.empty() ? "'" : ", '") + call.name + "'";
    throw RecordError(Rule::tool_result_ambiguous,
                      "an assistant turn makes " + std::to_string(calls) + " calls (" + names + ") but only " +
                          std::to_string(results) + " result turn(s) follow, written as user turns starting with " +
                          prefixes_named(setup) +
                          ": which call each answers is ambiguous; give every call its own result turn, in call "
                          "order (or, if such turns are not tool results, pass --tool-result-prefix '')");
  }
}

}  // namespace

const EncodingRow& tool_result_prefix_encoding() {
  // The prefix is ordinary text, not a chat-control string: it is refused nowhere.
  static const EncodingRow row{
      {"tool-result-prefix", EncodingKind::tool_result,
       "a user turn starting with \"Tool result:\" right after unanswered calls (--tool-result-prefix)"},
      {},
      {},
      nullptr,
      nullptr,
      &read_prefixed,
      &check_runs};
  return row;
}

}  // namespace chatfmt
