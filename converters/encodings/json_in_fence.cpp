// json-in-fence: a ```json fence whose body is an object with "name": a tool call. Valid JSON of
// any other kind in such a fence is ordinary text shown to the reader.
#include <re2/re2.h>

#include "chatfmt/errors.hpp"
#include "core/arguments.hpp"
#include "core/json_internal.hpp"
#include "json_call.hpp"
#include "registry_entries.hpp"

namespace chatfmt {
namespace {

constexpr std::string_view kFenceClose = "```";
constexpr std::string_view kFenceStart = "```json";  // what every match of fence_open() starts with

const RE2& fence_open() {
  static const RE2 re("(```json[ \\t]*\\r?\\n)");
  return re;
}

// The length of the fence opening at `at` ("```json" and the rest of its line), 0 when none does.
std::size_t fence_at(std::string_view text, std::size_t at) {
  if (text.substr(at, kFenceStart.size()) != kFenceStart) return 0;
  re2::StringPiece match;
  const re2::StringPiece input(text.data(), text.size());
  return fence_open().Match(input, at, text.size(), RE2::ANCHOR_START, &match, 1) ? match.size() : 0;
}

CallMatch read_fence(std::string_view text, std::size_t at, const ReadContext& context) {
  const std::size_t body_start = at + fence_at(text, at);
  const std::size_t close = text.find(kFenceClose, body_start);
  if (close == std::string_view::npos) {
    throw RecordError(Rule::json_fence_unclosed, std::string(context.where) + ": ```json fence is not closed by ```");
  }
  const std::string_view body = text.substr(body_start, close - body_start);
  detail::NestedParser parser;
  auto parsed = parser.get().parse(body.data(), body.size());
  if (parsed.error()) {
    throw RecordError(Rule::tool_call_json,
                      std::string(context.where) + ": the ```json block is not valid JSON (" +
                          detail::diagnose_json(body, parsed.error()).describe() +
                          "), so it can be neither a tool call nor kept as text; fix the JSON in the source data");
  }
  CallMatch match;
  match.end = close + kFenceClose.size();
  simdjson::dom::object object;
  if (parsed.value_unsafe().get(object) || !detail::find_field(object, "name")) {
    match.kind = CallMatch::Kind::text;
    return match;
  }
  match.kind = CallMatch::Kind::call;
  match.call = json_call::from_json(parsed.value_unsafe(), context.where);
  return match;
}

}  // namespace

const EncodingRow& json_in_fence_encoding() {
  // A markdown fence is not a chat-control string: code blocks in training text are ordinary.
  static const EncodingRow row{
      {"json-in-fence", EncodingKind::tool_call, "```json {\"name\": …, \"arguments\": …} ```"},
      {},
      kFenceStart,
      [](std::string_view text, std::size_t at) { return fence_at(text, at) != 0; },
      &read_fence};
  return row;
}

}  // namespace chatfmt
