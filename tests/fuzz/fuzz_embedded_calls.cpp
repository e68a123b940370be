// Tool calls and tool results written inside message text, every encoding of the table: Code
// Mode XML, direct XML, JSON in <tool_call> tags, JSON in ```json fences, bare code; and the
// results: <tool_response> blocks in a user turn, a tagged role "tool" message, a user turn with
// a --tool-result-prefix. The raw input is an assistant text (with and without a tools schema
// typing XML parameters), the <tool_response> blocks of a user turn, and a user and a tool turn
// after an assistant turn with calls (read by embedded::append_turn as the readers do). Only
// RecordError is an expected way out, and it names a rule.
#include <re2/re2.h>

#include <optional>
#include <string>
#include <vector>

#include "chatfmt/errors.hpp"
#include "core/normalize.hpp"
#include "embedded.hpp"
#include "encodings/tool_response_tags.hpp"
#include "fuzz_support.hpp"

namespace chatfmt::fuzz {
namespace {

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

ReadSetup setup_with(std::string tools_json, std::vector<std::string> prefixes) {
  ReadOptions options;
  options.tools_json = std::move(tools_json);
  options.tool_result_prefixes = std::move(prefixes);
  return ReadSetup(std::move(options));
}

// The reading setups, built once: defaults; --tools; and --tool-result-prefix given twice (and
// once as '', which is no prefix).
const ReadSetup& plain_setup() {
  static const ReadSetup setup = setup_with({}, {std::string(kDefaultToolResultPrefix)});
  return setup;
}
const ReadSetup& typed_setup() {
  static const ReadSetup setup = setup_with(typed_tools_json(), {std::string(kDefaultToolResultPrefix)});
  return setup;
}
const ReadSetup& prefixes_setup() {
  static const ReadSetup setup = setup_with({}, {"", "Observation:", std::string(kDefaultToolResultPrefix)});
  return setup;
}

/// Every bit of `set` is an encoding of the table, of kind `kind`.
bool all_of_kind(EncodingSet set, EncodingKind kind) {
  for (std::size_t i = 0; i < 8 * sizeof set; ++i) {
    if ((set & encoding_bit(i)) == 0) continue;
    if (i >= encodings().size() || encodings()[i].kind != kind) return false;
  }
  return true;
}

void check_rejection(const RecordError& error, std::string_view text) {
  FUZZ_REQUIRE(!error.rule_id().empty(), "a rejection without a rule", error.what());
  // Message texts come from JSON, so they are UTF-8; the reason quoting them must stay so.
  FUZZ_REQUIRE(!is_utf8(text) || is_utf8(error.what()), "a reason is not valid UTF-8", error.what());
}

void check_assistant(std::string_view text, const ReadSetup& setup) {
  const detail::ToolIndex tools(setup.default_tools());
  const ReadContext context{"fuzz", tools, setup};
  embedded::DecodedAssistant decoded;
  try {
    decoded = embedded::decode_assistant(text, context);
  } catch (const RecordError& error) {
    check_rejection(error, text);
    return;
  }
  if (decoded.calls.empty()) {
    // No call: the whole text is the content, byte for byte.
    FUZZ_REQUIRE(decoded.content == text && decoded.encodings == 0, "a text without calls was changed", text);
    return;
  }
  FUZZ_REQUIRE(decoded.encodings != 0, "calls were found but no encoding recorded");
  FUZZ_REQUIRE(all_of_kind(decoded.encodings, EncodingKind::tool_call),
               "an assistant text's encodings are not tool-call encodings of the table",
               std::to_string(decoded.encodings));
  // Content is what precedes the first call, right-stripped: a prefix of the text.
  FUZZ_REQUIRE(text.starts_with(decoded.content), "the content before the calls is not a prefix of the text",
               decoded.content);
  static const RE2 name_pattern("[A-Za-z0-9_\\-]{1,64}");
  for (const auto& call : decoded.calls) {
    FUZZ_REQUIRE(RE2::FullMatch(call.name, name_pattern), "a call name breaks the name rule", call.name);
    FUZZ_REQUIRE(call.arguments().is_object(), "call arguments are not an object",
                 call.arguments().dump(-1, ' ', false, Json::error_handler_t::replace));
    // Arguments are written out by every target: they must serialize.
    (void)python_json(call.arguments());
  }
}

void check_tool_responses(std::string_view text) {
  try {
    std::vector<std::string_view> bodies;
    const bool found = responses::read_blocks(text, "fuzz", "a user turn", bodies);
    const auto* results = &bodies;
    if (!found) {
      FUZZ_REQUIRE(text.find("<tool_response>") == std::string_view::npos, "a <tool_response> block was not seen");
      return;
    }
    FUZZ_REQUIRE(results->size() == count(text, "<tool_response>"), "a <tool_response> block was lost or invented");
    for (const auto& result : *results) {
      FUZZ_REQUIRE(text.find(result) != std::string_view::npos, "a tool result is not a part of the text", result);
    }
  } catch (const RecordError& error) {
    check_rejection(error, text);
  }
}

/// The messages append_turn added for one `role` turn of `text`: tool results that are each a
/// part of the text, answering `tool_call_id`; or, when no encoding reads results there, the
/// turn itself (a user turn unchanged; a tool turn as its result, whole).
void check_appended(const std::vector<Message>& added, Role role, std::string_view text,
                    const std::string& tool_call_id) {
  FUZZ_REQUIRE(!added.empty(), "a turn appended no message", text);
  if (role == Role::user && added.size() == 1 && added[0].role == Role::user) {
    FUZZ_REQUIRE(added[0].content == text && added[0].source_encodings == 0 && added[0].tool_calls.empty(),
                 "a user turn without results was changed", added[0].content);
    return;
  }
  FUZZ_REQUIRE(role == Role::user || added.size() == 1, "a tool message became several results", text);
  for (const Message& message : added) {
    FUZZ_REQUIRE(message.role == Role::tool, "a turn read as results holds a message that is no result",
                 std::string(role_name(message.role)));
    FUZZ_REQUIRE(text.find(message.content) != std::string_view::npos, "a tool result is not a part of the turn",
                 message.content);
    FUZZ_REQUIRE(message.tool_call_id == tool_call_id, "a result answers another call id than its turn gave",
                 message.tool_call_id);
    FUZZ_REQUIRE(message.tool_calls.empty(), "a tool result carries tool calls");
    const EncodingSet set = message.source_encodings;
    FUZZ_REQUIRE(set != 0 && (set & (set - 1)) == 0 && all_of_kind(set, EncodingKind::tool_result),
                 "a tool result is not marked with exactly one tool-result encoding", std::to_string(set));
  }
}

/// A user or tool turn of `text` after an assistant turn making `calls` calls, read twice in a
/// row (the second time after the first one's results, if any), each followed by the whole
/// conversation's checks (a record may end after either turn: one prefixed result for two calls
/// is ambiguous, two are not): RecordError with a rule, or messages check_appended accepts.
void check_result_turns(std::string_view text, Role role, std::size_t calls, const ReadSetup& setup) {
  const detail::ToolIndex tools(setup.default_tools());
  const ReadContext context{"fuzz", tools, setup};
  Conversation conversation;
  conversation.messages.push_back({Role::user, "go", {}, {}, 0});
  Message assistant{Role::assistant, "On it.", {}, {}, 0};
  for (std::size_t k = 0; k < calls; ++k) {
    assistant.tool_calls.push_back({"call" + std::to_string(k), "run_command", Json{{"command", "ls"}}});
  }
  conversation.messages.push_back(std::move(assistant));
  for (int turn = 0; turn < 2; ++turn) {
    const std::string id = role == Role::tool ? "call" + std::to_string(turn) : std::string();
    const std::size_t before = conversation.messages.size();
    try {
      embedded::append_turn(conversation, role, text, context, id);
    } catch (const RecordError& error) {
      check_rejection(error, text);
      return;
    }
    FUZZ_REQUIRE(conversation.messages.size() > before, "a turn appended no message", text);
    check_appended({conversation.messages.begin() + static_cast<std::ptrdiff_t>(before), conversation.messages.end()},
                   role, text, id);
    try {
      embedded::check_conversation(conversation, setup);
    } catch (const RecordError& error) {
      check_rejection(error, text);
    }
  }
}

}  // namespace
}  // namespace chatfmt::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chatfmt;
  using namespace chatfmt::fuzz;
  const std::string_view text = as_text(data, size);
  check_assistant(text, plain_setup());
  check_assistant(text, typed_setup());
  check_tool_responses(text);
  for (const std::size_t calls : {std::size_t{1}, std::size_t{2}}) {
    for (const Role role : {Role::user, Role::tool}) check_result_turns(text, role, calls, plain_setup());
    check_result_turns(text, Role::user, calls, prefixes_setup());
  }
  return 0;
}
