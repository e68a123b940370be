// Tool calls (T): calls against their tool's schema. The reasons convert refuses calls for
// (unreadable JSON, bad names, unclosed tags, unknown tools ...) are reported by the engine.
#include <set>

#include "core/normalize.hpp"
#include "lint/checks.hpp"

namespace chatfmt::lint {

void check_parameters(const RecordView& record, std::vector<RecordFinding>& findings) {
  if (record.tools == nullptr) return;  // no schema to hold the calls to
  const detail::ToolIndex tools(record.tools);
  const auto& messages = record.conversation.messages;
  for (std::size_t m = 0; m < messages.size(); ++m) {
    for (std::size_t c = 0; c < messages[m].tool_calls.size(); ++c) {
      const ToolCall& call = messages[m].tool_calls[c];
      const Json* function = tools.find(call.name);
      if (function == nullptr) continue;  // unknown-tool, when the list is --tools (the engine)
      const auto parameters = function->find("parameters");
      if (parameters == function->end() || !parameters->is_object()) continue;
      const auto properties = parameters->find("properties");
      const auto required = parameters->find("required");
      std::set<std::string, std::less<>> given;
      for_each_signature_entry(call.signature(), [&](std::string_view key, std::string_view) { given.emplace(key); });
      auto where = [&] { return message_where(m) + ".tool_calls[" + std::to_string(c) + "] ('" + call.name + "')"; };
      if (required != parameters->end() && required->is_array()) {
        for (const auto& name : *required) {
          if (!name.is_string() || given.count(name.get<std::string>()) != 0) continue;
          findings.push_back({Rule::missing_parameter, 0,
                              where() + " lacks the required parameter '" + name.get<std::string>() +
                                  "': add it, or fix the tool's schema"});
        }
      }
      if (properties != parameters->end() && properties->is_object()) {
        for (const auto& key : given) {
          if (properties->contains(key)) continue;
          findings.push_back({Rule::unknown_parameter, 0,
                              where() + " passes '" + key +
                                  "', which the tool's schema does not define: remove it, or add it to the schema"});
        }
      }
    }
  }
}

}  // namespace chatfmt::lint
