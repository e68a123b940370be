// Prints a libFuzzer dictionary (-dict=) of the strings chatfmt's parsers branch on, taken from
// its own tables so the dictionary follows the code: every target's delimiters, the foreign
// delimiters normalization refuses, and the fixed text of Qwen3-Coder's tools section.
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "chatfmt/format.hpp"
#include "core/normalize.hpp"
#include "qwen3_chatml.hpp"

int main() {
  using namespace chatfmt;
  std::set<std::string> entries;
  for (const auto& info : writers()) {
    for (const auto delimiter : info.delimiters) entries.emplace(delimiter);
  }
  for (const auto delimiter : detail::foreign_delimiters()) entries.emplace(delimiter);
  // The reader matches the tools section's fixed text whole; libFuzzer ignores entries over 64
  // bytes, so its parts go in (the seeds carry it whole).
  entries.emplace(qwen3::kToolsIntro.substr(0, 64));
  entries.emplace(qwen3::kToolsOutro.substr(0, 64));
  for (const char* extra : {"```json\n",
                            "```",
                            "<|im_start|>system\n",
                            "<|im_start|>user\n",
                            "<|im_start|>assistant\n",
                            "<tools>",
                            "</tools>",
                            "<function>",
                            "<name>",
                            "</name>",
                            "<parameters>",
                            "<parameter>",
                            "<type>",
                            "<description>",
                            "\"messages\"",
                            "\"text\"",
                            "\"tools\"",
                            "\"tool_calls\"",
                            "\"role\"",
                            "\"content\"",
                            "\"tool_call_id\"",
                            "\"function\"",
                            "\"arguments\"",
                            "\"name\"",
                            "\"id\"",
                            "\"type\"",
                            "\"assistant\"",
                            "\"user\"",
                            "\"system\"",
                            "\"tool\"",
                            "execute_code",
                            "\"code\"",
                            "\"parameters\"",
                            "\"properties\""}) {
    entries.emplace(extra);
  }
  for (const auto& entry : entries) {
    if (entry.size() > 64) continue;
    // libFuzzer dictionary syntax: a quoted string with \\, \" and \xNN escapes.
    std::string line = "\"";
    for (const char c : entry) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        line += '\\';
        line += c;
      } else if (byte < 0x20 || byte >= 0x7F) {
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02X", byte);
        line += hex;
      } else {
        line += c;
      }
    }
    std::printf("%s\"\n", line.c_str());
  }
  return 0;
}
