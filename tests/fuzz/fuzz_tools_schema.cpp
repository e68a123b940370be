// A --tools file: chatfmt's JSON parser and serializers on any JSON text, then the tool list
// checks of `chatfmt convert --tools` (detail::parse_tool_list, which read_tools_file and every
// RecordConverter run), and an accepted list used by every target on records that call those
// tools: the writers render the schema (qwen3-xml as XML, Mistral as JSON) and XML parameters
// are typed by it.
#include <optional>
#include <vector>

#include "chatfmt/errors.hpp"
#include "core/record.hpp"
#include "fuzz_support.hpp"

namespace chatfmt::fuzz {
namespace {

// Records calling the tools in the encodings whose reading depends on the schema.
constexpr std::string_view kRecords[] = {
    R"({"messages": [{"role": "user", "content": "list files"}, {"role": "assistant", "content": "Sure.\n\n<tool_call>\n<function=execute_code>\n<parameter=code>\nprint(run_command(\"ls\"))\n</parameter>\n</function>\n</tool_call>"}, {"role": "user", "content": "<tool_response>\na.py\n</tool_response>"}, {"role": "assistant", "content": "One file."}]})",
    R"({"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "go"}, {"role": "assistant", "content": "<tool_call>\n<function=typed>\n<parameter=i>\n42\n</parameter>\n<parameter=b>\ntrue\n</parameter>\n<parameter=o>\n{\"k\": [1, 2.5]}\n</parameter>\n<parameter=u>\nnull\n</parameter>\n</function>\n</tool_call>"}, {"role": "user", "content": "<tool_response>\nok\n</tool_response>"}]})",
    R"({"messages": [{"role": "user", "content": "run"}, {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "run_command", "arguments": "{\"command\": \"ls\", \"timeout\": 5}"}}]}, {"role": "tool", "content": "done"}]})",
};

// What `chatfmt convert --tools FILE` does with the list: the file's text, as read_tools_file
// returns it, is ReadOptions::tools_json of one converter per target, which parses it again.
void convert_with(std::string_view tools_json) {
  const SourceRef source{"fuzz.jsonl", 1};
  for (const TargetInfo* info : targets()) {
    ConvertOptions options;
    options.target = std::string(info->name);
    options.read.tools_json = std::string(tools_json);
    std::optional<Target> target;
    try {
      target.emplace(make_target(options));
    } catch (const UsageError& error) {
      finding("a tool list parse_tool_list accepted is refused by RecordConverter", error.what());
    }
    for (const auto record : kRecords) {
      check_record(*target, source, record, target->converter->convert(record, source));
    }
  }
}

// The serializer writes what the parser reads back to the same value (the templates' tojson).
void check_json_round_trip(std::string_view text) {
  JsonParseError error;
  const auto value = parse_json(text, error);
  if (!value) {
    FUZZ_REQUIRE(!error.message.empty(), "a parse error without a message");
    FUZZ_REQUIRE(is_utf8(error.message), "a parse error message is not valid UTF-8", error.message);
    return;
  }
  const std::string written = python_json(*value);
  JsonParseError again_error;
  const auto again = parse_json(written, again_error);
  FUZZ_REQUIRE(again.has_value(), "python_json wrote what parse_json cannot read",
               written + "\n" + again_error.describe());
  FUZZ_REQUIRE(*again == *value, "python_json does not round-trip", written);
  (void)python_str(*value);
}

}  // namespace
}  // namespace chatfmt::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chatfmt;
  using namespace chatfmt::fuzz;
  const std::string_view text = as_text(data, size);
  check_json_round_trip(text);
  constexpr std::string_view kOrigin = "tools.json";
  Json tools;
  try {
    tools = detail::parse_tool_list(text, std::string(kOrigin));
  } catch (const UsageError& error) {
    FUZZ_REQUIRE(std::string_view(error.what()).starts_with(kOrigin), "a tool list error does not name its origin",
                 error.what());
    FUZZ_REQUIRE(is_utf8(error.what()), "a tool list error is not valid UTF-8", error.what());
    return 0;
  }
  FUZZ_REQUIRE(tools.is_array(), "parse_tool_list accepted something that is not a list",
               tools.dump(-1, ' ', false, Json::error_handler_t::replace));
  convert_with(text);
  return 0;
}
