#include "cli/options.hpp"

#include <fstream>
#include <sstream>

#include "chatfmt/errors.hpp"

namespace chatfmt::cli {

Json load_tools_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(path + ": cannot open the tools file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  JsonParseError error;
  auto tools = parse_json(buffer.str(), error);
  if (!tools) {
    const std::string where =
        error.position ? ":" + std::to_string(error.position->line) + ":" + std::to_string(error.position->column) : "";
    throw UsageError(path + where + ": not valid JSON: " + error.message);
  }
  if (tools->is_object() && tools->contains("tools")) tools = (*tools)["tools"];
  if (!tools->is_array()) throw UsageError(path + ": expected a JSON list of tools (OpenAI format)");
  std::size_t index = 0;
  for (const auto& entry : *tools) {
    const Json& function = entry.is_object() && entry.contains("function") ? entry["function"] : entry;
    if (!function.is_object() || !function.contains("name") || !function["name"].is_string()) {
      throw UsageError(path + ": tool " + std::to_string(index) +
                       " has no \"name\" (expected {\"type\": \"function\", \"function\": {\"name\": …}})");
    }
    ++index;
  }
  return *tools;
}

}  // namespace chatfmt::cli
