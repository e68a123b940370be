// Tool calls and tool results written inside message text, every encoding: Code Mode XML, direct
// XML, JSON in <tool_call> tags, JSON in ```json fences, bare code, <tool_response> blocks. The
// raw input is both an assistant text (with and without a tools schema typing XML parameters)
// and a user text. Only RecordError is an expected way out.
#include <re2/re2.h>

#include "chatfmt/errors.hpp"
#include "embedded_tool_calls.hpp"
#include "fuzz_support.hpp"

namespace chatfmt::fuzz {
namespace {

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

void check_assistant(std::string_view text, const Json* tools) {
  embedded::DecodedAssistant decoded;
  try {
    decoded = embedded::decode_assistant(text, "fuzz", tools);
  } catch (const RecordError& error) {
    FUZZ_REQUIRE(!error.rule_id().empty(), "a rejection without a rule", error.what());
    // Message texts come from JSON, so they are UTF-8; the reason quoting them must stay so.
    FUZZ_REQUIRE(!is_utf8(text) || is_utf8(error.what()), "a reason is not valid UTF-8", error.what());
    return;
  }
  if (decoded.calls.empty()) {
    // No call: the whole text is the content, byte for byte.
    FUZZ_REQUIRE(decoded.content == text && decoded.encodings == 0, "a text without calls was changed", text);
    return;
  }
  FUZZ_REQUIRE(decoded.encodings != 0, "calls were found but no encoding recorded");
  // Content is what precedes the first call, right-stripped: a prefix of the text.
  FUZZ_REQUIRE(text.starts_with(decoded.content), "the content before the calls is not a prefix of the text",
               decoded.content);
  static const RE2 name_pattern("[A-Za-z0-9_\\-]{1,64}");
  for (const auto& call : decoded.calls) {
    FUZZ_REQUIRE(RE2::FullMatch(call.name, name_pattern), "a call name breaks the name rule", call.name);
    FUZZ_REQUIRE(call.arguments.is_object(), "call arguments are not an object",
                 call.arguments.dump(-1, ' ', false, Json::error_handler_t::replace));
    // Arguments are written out by every target: they must serialize.
    (void)python_json(call.arguments);
  }
}

void check_tool_responses(std::string_view text) {
  try {
    const auto results = embedded::decode_tool_responses(text, "fuzz");
    if (!results) {
      FUZZ_REQUIRE(text.find("<tool_response>") == std::string_view::npos, "a <tool_response> block was not seen");
      return;
    }
    FUZZ_REQUIRE(results->size() == count(text, "<tool_response>"), "a <tool_response> block was lost or invented");
    for (const auto& result : *results) {
      FUZZ_REQUIRE(text.find(result) != std::string_view::npos, "a tool result is not a part of the text", result);
    }
  } catch (const RecordError& error) {
    FUZZ_REQUIRE(!error.rule_id().empty(), "a rejection without a rule", error.what());
  }
}

}  // namespace
}  // namespace chatfmt::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chatfmt::fuzz;
  const std::string_view text = as_text(data, size);
  check_assistant(text, nullptr);
  check_assistant(text, &typed_tools());
  check_tool_responses(text);
  return 0;
}
