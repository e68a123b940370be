// Prints a libFuzzer dictionary (-dict=) of the strings chatfmt's parsers branch on, taken from
// its own tables so the dictionary follows the code: every control string of every target, reader
// and encoding (what the foreign-delimiter rule refuses in content), and the fixed text of
// Qwen3-Coder's tools section.
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "chatfmt/convert.hpp"
#include "chatfmt/targets.hpp"
#include "qwen3_chatml.hpp"

int main() {
  using namespace chatfmt;
  std::set<std::string> entries;
  // Targets' control strings of every use (delimiter, markup, reserved) are in this list too.
  for (const auto control : control_strings_of_all_formats()) entries.emplace(control);
  // What turns a user turn into a tool result (--tool-result-prefix's default).
  entries.emplace(kDefaultToolResultPrefix);
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
