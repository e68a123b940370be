// Mistral chat formats v3, v7, v11, v13 (Devstral Small 2) and v15, byte for byte as the official
// chat templates in mistral-common render them under transformers' apply_chat_template. The
// versions differ in where tools go, how calls and results are spelled and what they refuse; the
// steps below (to template messages, aggregate, check order, render) follow the templates' own.
#include <cmath>
#include <cstdlib>
#include <deque>
#include <optional>
#include <span>

#include <re2/re2.h>

#include "chatfmt/errors.hpp"
#include "core/text.hpp"
#include "mistral_vocabulary.hpp"
#include "mistral_writer.hpp"

namespace chatfmt {
namespace {

using Version = MistralVersion;

// A message as the template sees it: views into the conversation, or into the render's scratch.
struct TemplateMessage {
  Role role = Role::user;
  std::optional<std::string_view> content;  // nullopt: the template's none
  std::span<const ToolCall* const> calls;
  std::string_view tool_call_id;
  std::size_t first_call = 0;  // where its calls start in the render's call list
};

// What one render needs besides the output, kept per thread between records so that rendering
// allocates nothing once it has seen records of a size.
struct RenderScratch {
  std::vector<TemplateMessage> items;
  std::vector<TemplateMessage> merged;
  std::vector<const ToolCall*> calls;
  std::vector<std::string_view> system_parts;
  std::deque<std::string> joined;  // contents of merged runs (a deque: views into them stay valid)
  std::size_t joined_used = 0;
};

[[noreturn]] void template_error(const std::string& message) {
  throw RecordError(Rule::template_rule, "the target's chat template refuses this conversation: " + message);
}

// Runs of consecutive user (or assistant) messages become one message: the string contents
// joined by a blank line, the calls concatenated. System and tool messages stay alone. Every
// rebuilt message's content is a string ("" when no member had one).
void aggregate(RenderScratch& scratch) {
  const std::vector<TemplateMessage>& messages = scratch.items;
  std::vector<TemplateMessage>& merged = scratch.merged;
  merged.clear();
  scratch.joined_used = 0;
  std::size_t i = 0;
  while (i < messages.size()) {
    const Role role = messages[i].role;
    std::size_t end = i + 1;
    if (role != Role::system && role != Role::tool) {
      while (end < messages.size() && messages[end].role == role) ++end;
    }
    if (role == Role::tool) {
      merged.push_back(messages[i]);
      i = end;
      continue;
    }
    TemplateMessage group;
    group.role = role;
    // The members' calls are consecutive in the render's call list: the group's are one span.
    std::size_t call_count = 0;
    std::size_t parts = 0;
    for (std::size_t k = i; k < end; ++k) {
      call_count += messages[k].calls.size();
      if (messages[k].content) ++parts;
    }
    group.calls = std::span<const ToolCall* const>(scratch.calls).subspan(messages[i].first_call, call_count);
    if (parts <= 1) {
      group.content = std::string_view();
      for (std::size_t k = i; k < end; ++k) {
        if (messages[k].content) group.content = messages[k].content;
      }
    } else {
      if (scratch.joined_used == scratch.joined.size()) scratch.joined.emplace_back();
      std::string& text = scratch.joined[scratch.joined_used++];
      text.clear();
      bool first_part = true;
      for (std::size_t k = i; k < end; ++k) {
        if (!messages[k].content) continue;
        if (!first_part) text += "\n\n";
        text += *messages[k].content;
        first_part = false;
      }
      group.content = std::string_view(text);
    }
    merged.push_back(group);
    i = end;
  }
}

// The templates' message-order checks, with their own wording.
void check_order(const std::vector<TemplateMessage>& messages, Version version) {
  if (messages.empty()) return;
  const Role first = messages.front().role;
  if (version == Version::v3) {
    if (first != Role::user) {
      template_error("Conversation must start with a user message, got " + std::string(role_name(first)) + ".");
    }
  } else if (first != Role::user && first != Role::system) {
    template_error("Conversation must start with a user or system message, got " + std::string(role_name(first)) + ".");
  }
  for (std::size_t k = 1; k < messages.size(); ++k) {
    const Role previous = messages[k - 1].role;
    const Role current = messages[k].role;
    bool allowed = true;
    switch (previous) {
      case Role::system:
        allowed = current != Role::tool;
        break;
      case Role::user:
        allowed =
            current == Role::assistant || current == Role::user || (version != Version::v3 && current == Role::system);
        break;
      case Role::assistant:
      case Role::tool:
        allowed = current != Role::system;
        break;
    }
    if (!allowed) {
      template_error("Unexpected role '" + std::string(role_name(current)) + "' after role '" +
                     std::string(role_name(previous)) + "'");
    }
  }
}

bool has_text(const TemplateMessage& message) { return message.content && !message.content->empty(); }

void check_assistant_not_empty(const TemplateMessage& message) {
  if (!has_text(message) && message.calls.empty()) {
    template_error("Assistant message must have a string or a list of chunks in content or a list of tool calls.");
  }
}

const std::string& checked_call_id(const ToolCall& call) {
  if (text::codepoint_count(call.id) != 9) template_error("Tool call must have an id of 9 characters or numbers.");
  return call.id;
}

std::string_view checked_result_id(const TemplateMessage& message) {
  if (text::codepoint_count(message.tool_call_id) != 9) {
    template_error("Tool message must have a call_id or tool_call_id of 9 characters or numbers.");
  }
  return message.tool_call_id;
}

// "[TOOL_CALLS][{"name": …, "arguments": …, "id": …}, …]" (v3, v7).
void render_call_list(const TemplateMessage& message, std::string& out) {
  out += mistral::kToolCalls;
  out += "[";
  bool first = true;
  for (const ToolCall* call : message.calls) {
    if (!first) out += ", ";
    first = false;
    out += "{\"name\": \"";
    out += call->name;
    out += "\", \"arguments\": ";
    out += call->arguments_json();
    out += ", \"id\": \"";
    out += checked_call_id(*call);
    out += "\"}";
  }
  out += "]";
}

// v3 renders a tool result that reads as a Python int or float as that number: the template
// compares `content|int|string` and `content|float|string` with the content.
const RE2& python_int_repr() {
  static const RE2 re("0|-?[1-9][0-9]*");
  return re;
}
const RE2& python_float_literal() {
  // What Python's float() accepts (after strip): decimal literals with single underscores
  // between digits, or inf/infinity/nan in any case.
  static const RE2 re(
      "[+-]?(?:(?:[0-9](?:_?[0-9])*)?\\.?[0-9](?:_?[0-9])*(?:[eE][+-]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*\\.|"
      "(?i:inf|infinity|nan))");
  return re;
}

void append_v3_tool_content(std::string_view content, std::string& out) {
  constexpr std::size_t kPythonIntDigitLimit = 4300;  // int() refuses longer strings
  if (RE2::FullMatch(re2::StringPiece(content.data(), content.size()), python_int_repr()) &&
      content.size() - (content[0] == '-') <= kPythonIntDigitLimit) {
    out += content;
    return;
  }
  const std::string_view stripped = text::python_strip(content);
  const re2::StringPiece literal(stripped.data(), stripped.size());
  if (!stripped.empty() && RE2::FullMatch(literal, python_float_literal())) {
    std::string cleaned;
    for (char c : stripped) {
      if (c != '_') cleaned.push_back(c);
    }
    const double value = std::strtod(cleaned.c_str(), nullptr);
    if (std::isinf(value)) {
      // `content|int` falls back to int(float(content)), which raises OverflowError for inf.
      template_error("the v3 template cannot render the tool result '" + text::excerpt(content) +
                     "' (int(float(...)) overflows in its number check)");
    }
    if (python_float_repr(value) == content || (std::isnan(value) && content == "nan")) {
      out += std::isnan(value) ? "NaN" : content;
      return;
    }
  } else if (content.size() > kPythonIntDigitLimit && RE2::FullMatch(content, python_int_repr())) {
    template_error("the v3 template cannot render a tool result of more than 4300 digits");
  }
  append_json_string(out, content);
}

class MistralWriter final : public TextWriter {
 public:
  MistralWriter(Version version, const WriterOptions& options) : version_(version), options_(options) {}

  bool render_text(const Conversation& conversation, std::string& text, EscapedPieces* pieces) const override {
    thread_local RenderScratch scratch;
    scratch.items.clear();
    scratch.calls.clear();
    scratch.system_parts.clear();
    std::vector<std::string_view>& system_parts = scratch.system_parts;
    for (const auto& message : conversation.messages) {
      if (version_ == Version::v3 && message.role == Role::system) {
        system_parts.push_back(message.content);
        continue;
      }
      TemplateMessage item;
      item.role = message.role;
      const bool calls_only = message.role == Role::assistant && !message.tool_calls.empty() &&
                              (message.content.empty() || options_.has(WriterOption::drop_text_with_tool_calls));
      if (!calls_only) item.content = std::string_view(message.content);
      item.first_call = scratch.calls.size();
      for (const auto& call : message.tool_calls) scratch.calls.push_back(&call);
      item.tool_call_id = message.tool_call_id;
      scratch.items.push_back(item);
    }
    // Spans into the call list once it no longer grows.
    for (std::size_t k = 0; k < scratch.items.size(); ++k) {
      const std::size_t end = k + 1 < scratch.items.size() ? scratch.items[k + 1].first_call : scratch.calls.size();
      scratch.items[k].calls = std::span<const ToolCall* const>(scratch.calls)
                                   .subspan(scratch.items[k].first_call, end - scratch.items[k].first_call);
    }
    aggregate(scratch);
    const std::vector<TemplateMessage>& messages = scratch.merged;
    check_order(messages, version_);

    text = mistral::kBos;
    const bool has_tools = conversation.tools && !conversation.tools->empty();
    // The list as the template's tojson writes it, rendered once per list (ToolList).
    auto render_tools = [](const Json& tools, std::string& out) { append_python_json(out, tools); };
    const std::string* available_tools =
        has_tools ? &conversation.tools->rendered(ToolList::Rendering::python_json, render_tools) : nullptr;
    const ToolsBlock tools_block{available_tools,
                                 has_tools && pieces != nullptr ? &conversation.tools->rendered_escaped(
                                                                      ToolList::Rendering::python_json, render_tools)
                                                                : nullptr,
                                 pieces};
    std::size_t last_user = 0;
    for (std::size_t k = 0; k < messages.size(); ++k) {
      if (messages[k].role == Role::user) last_user = k;
    }
    bool first_user_seen = false;
    for (std::size_t k = 0; k < messages.size(); ++k) {
      const TemplateMessage& message = messages[k];
      switch (message.role) {
        case Role::user:
          render_user(message, k == last_user, !first_user_seen, tools_block, system_parts, text);
          first_user_seen = true;
          break;
        case Role::assistant:
          render_assistant(message, text);
          break;
        case Role::tool:
          render_tool(message, text);
          break;
        case Role::system:
          text += mistral::kSystemPrompt;
          text += *message.content;
          text += mistral::kSystemPromptEnd;
          break;
      }
    }
    return true;
  }

 private:
  // The tool list as the template's tojson writes it, and (when the caller collects them) its
  // escaped form, to note as an EscapedPiece where it lands in the text.
  struct ToolsBlock {
    const std::string* text = nullptr;
    const std::string* escaped = nullptr;
    EscapedPieces* pieces = nullptr;
  };

  void render_user(const TemplateMessage& message, bool is_last_user, bool is_first_user, const ToolsBlock& tools,
                   const std::vector<std::string_view>& system_parts, std::string& text) const {
    const bool modern = version_ == Version::v13 || version_ == Version::v15;
    if (tools.text != nullptr && (modern ? is_first_user : is_last_user)) {
      text += mistral::kAvailableTools;
      if (tools.escaped != nullptr) tools.pieces->push_back({text.size(), tools.text->size(), tools.escaped});
      text += *tools.text;
      text += mistral::kAvailableToolsEnd;
    }
    if (version_ == Version::v15 && is_first_user) {
      text += mistral::kModelSettings;
      text += "{\"reasoning_effort\": \"none\"}";
      text += mistral::kModelSettingsEnd;
    }
    text += mistral::kInst;
    if (version_ == Version::v3 && is_last_user && !system_parts.empty()) {
      std::string system_message;
      for (std::size_t k = 0; k < system_parts.size(); ++k) {
        if (k > 0) system_message += "\n\n";
        system_message += system_parts[k];
      }
      if (!system_message.empty()) {
        text += system_message;
        text += "\n\n";
      }
    }
    text += *message.content;
    text += mistral::kInstEnd;
  }

  void render_assistant(const TemplateMessage& message, std::string& text) const {
    if (version_ == Version::v3 && has_text(message) && !message.calls.empty()) {
      template_error(
          "Assistant message cannot have both content and tool calls. (mistral-v3 only; "
          "--drop-text-with-tool-calls drops such text)");
    }
    check_assistant_not_empty(message);
    if (has_text(message)) text += *message.content;
    if (!message.calls.empty()) {
      switch (version_) {
        case Version::v3:
        case Version::v7:
          render_call_list(message, text);
          break;
        case Version::v11:
          for (const ToolCall* call : message.calls) {
            text += mistral::kToolCalls;
            text += call->name;
            text += mistral::kCallId;
            text += checked_call_id(*call);
            text += mistral::kArgs;
            text += call->arguments_json();
          }
          break;
        case Version::v13:
        case Version::v15:
          for (const ToolCall* call : message.calls) {
            text += mistral::kToolCalls;
            text += call->name;
            text += mistral::kArgs;
            text += call->arguments_json();
          }
          break;
      }
    }
    text += mistral::kEos;
  }

  void render_tool(const TemplateMessage& message, std::string& text) const {
    const std::string_view content = *message.content;
    switch (version_) {
      case Version::v3: {
        std::string value;
        append_v3_tool_content(content, value);
        const std::string_view id = checked_result_id(message);
        text += mistral::kToolResults;
        text += "{\"content\": ";
        text += value;
        text += ", \"call_id\": \"";
        text += id;
        text += "\"}";
        text += mistral::kToolResultsEnd;
        break;
      }
      case Version::v7:
      case Version::v11:
        text += mistral::kToolResults;
        text += checked_result_id(message);
        text += mistral::kToolContent;
        text += content;
        text += mistral::kToolResultsEnd;
        break;
      case Version::v13:
      case Version::v15:
        text += mistral::kToolResults;
        text += content;
        text += mistral::kToolResultsEnd;
        break;
    }
  }

  Version version_;
  WriterOptions options_;
};

}  // namespace

std::unique_ptr<Writer> make_mistral_writer(MistralVersion version, const WriterOptions& options) {
  return std::make_unique<MistralWriter>(version, options);
}

}  // namespace chatfmt
