// Tool calls written as JSON objects ({"name": …, "arguments": …[, "id": …]}), as JSON-in-tags,
// JSON-in-fence and OpenAI's structured tool_calls carry them.
#pragma once

#include <string_view>

#include <simdjson.h>

#include "chatfmt/rules.hpp"
#include "core/conversation.hpp"

namespace chatfmt::json_call {

/// Reads {"name": …, "arguments": …[, "id": …]}, arguments an object or a JSON string of one.
/// Throws RecordError.
ToolCall from_json(simdjson::dom::element object, std::string_view where);

/// Parses JSON text holding such an object; `what` names it in the error ("the JSON inside
/// <tool_call>"). Throws RecordError.
ToolCall from_text(std::string_view text, std::string_view where, std::string_view what);

/// Whether `name` is 1-64 characters of [A-Za-z0-9_-] (mistral-common's rule); throws
/// RecordError (tool-call-name) when not.
void check_function_name(const std::string& name, std::string_view where);

}  // namespace chatfmt::json_call
