// ChatML text as the fuzzer writes it: the input bytes become the "text" of a {"text": …} record
// (invalid UTF-8 replaced, since such a record could not be JSON), so mutations act on the turns,
// tags and tools section, not on JSON escaping. Read by the Qwen3 ChatML reader, then written by
// qwen3-xml (which must read back to itself), a Mistral target and openai.
#include <vector>

#include "core/text.hpp"
#include "fuzz_support.hpp"

namespace chatfmt::fuzz {
namespace {

const std::vector<Target>& converters() {
  static const std::vector<Target> all = [] {
    std::vector<Target> list;
    // The ChatML target the reader reads back, a Mistral one and one that writes no text: a
    // choice of targets by name, not a test of names (what each is comes from the table).
    for (const std::string_view name : {"qwen3-xml", "mistral-v13", "openai"}) {
      ConvertOptions options;
      options.target = std::string(name);
      list.push_back(make_target(options));
    }
    // --tools types the XML parameters of records whose text has no tools section.
    ConvertOptions typed;
    typed.target = "qwen3-xml";
    typed.read.tools_json = typed_tools_json();
    list.push_back(make_target(typed));
    require_read_back(list);
    return list;
  }();
  return all;
}

}  // namespace
}  // namespace chatfmt::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chatfmt;
  using namespace chatfmt::fuzz;
  std::string record = "{\"text\": ";
  append_json_string(record, text::valid_utf8(as_text(data, size)));
  record += "}";
  const SourceRef source{"fuzz.jsonl", 1};
  for (const Target& target : converters()) {
    check_record(target, source, record, target.converter->convert(record, source));
  }
  return 0;
}
