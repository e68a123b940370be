// A --tools file: chatfmt's JSON parser and serializers on any JSON text, then the tools file
// checks of `chatfmt convert --tools` (the CLI's own load_tools_file, on an in-memory file), and
// an accepted tool list used by every target on records that call those tools: the writers
// render the schema (qwen3-xml as XML, Mistral as JSON) and XML parameters are typed by it.
#include <vector>

#include "chatfmt/errors.hpp"
#include "cli/options.hpp"
#include "fuzz_support.hpp"

namespace chatfmt::fuzz {
namespace {

// Records calling the tools in the encodings whose reading depends on the schema.
constexpr std::string_view kRecords[] = {
    R"({"messages": [{"role": "user", "content": "list files"}, {"role": "assistant", "content": "Sure.\n\n<tool_call>\n<function=execute_code>\n<parameter=code>\nprint(run_command(\"ls\"))\n</parameter>\n</function>\n</tool_call>"}, {"role": "user", "content": "<tool_response>\na.py\n</tool_response>"}, {"role": "assistant", "content": "One file."}]})",
    R"({"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "go"}, {"role": "assistant", "content": "<tool_call>\n<function=typed>\n<parameter=i>\n42\n</parameter>\n<parameter=b>\ntrue\n</parameter>\n<parameter=o>\n{\"k\": [1, 2.5]}\n</parameter>\n<parameter=u>\nnull\n</parameter>\n</function>\n</tool_call>"}, {"role": "user", "content": "<tool_response>\nok\n</tool_response>"}]})",
    R"({"messages": [{"role": "user", "content": "run"}, {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "run_command", "arguments": "{\"command\": \"ls\", \"timeout\": 5}"}}]}, {"role": "tool", "content": "done"}]})",
};

// What `chatfmt convert --tools FILE` does with the list: one converter per target.
void convert_with(const Json& tools) {
  const SourceRef source{"fuzz.jsonl", 1};
  for (const auto& info : writers()) {
    ConvertOptions options;
    options.target = std::string(info.name);
    options.tools = tools;
    const Target target{info.name, info.name != "openai", std::make_unique<RecordConverter>(options),
                        info.name == "qwen3-xml"};
    for (const auto record : kRecords) check_record(target, source, record, target.converter->convert(record, source));
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
  const MemoryFile file(text);
  Json tools;
  try {
    tools = cli::load_tools_file(file.path());
  } catch (const UsageError& error) {
    FUZZ_REQUIRE(std::string_view(error.what()).starts_with(file.path()), "a tools file error does not name the file",
                 error.what());
    return 0;
  }
  FUZZ_REQUIRE(tools.is_array(), "load_tools_file accepted something that is not a list",
               tools.dump(-1, ' ', false, Json::error_handler_t::replace));
  convert_with(tools);
  return 0;
}
