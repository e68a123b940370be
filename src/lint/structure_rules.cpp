// Structure (S): what a record's messages hold and in which order, beyond what convert refuses.
#include "lint/checks.hpp"

namespace chatfmt::lint {
namespace {

bool is_blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

std::string message_where(std::size_t index) { return "messages[" + std::to_string(index) + "]"; }

void check_empty_content(const RecordView& record, std::vector<RecordFinding>& findings) {
  const auto& messages = record.conversation.messages;
  for (std::size_t m = 0; m < messages.size(); ++m) {
    const Message& message = messages[m];
    // An assistant turn that only calls tools has no text to say, rightly.
    if (!is_blank(message.content) || !message.tool_calls.empty()) continue;
    findings.push_back({Rule::empty_content, 0,
                        message_where(m) + " (" + std::string(role_name(message.role)) +
                            ") has no text: the model learns to say nothing there; write the text or drop the "
                            "message"});
  }
}

void check_system_first(const RecordView& record, std::vector<RecordFinding>& findings) {
  const auto& messages = record.conversation.messages;
  for (std::size_t m = 1; m < messages.size(); ++m) {
    if (messages[m].role != Role::system) continue;
    findings.push_back({Rule::system_not_first, 0,
                        message_where(m) +
                            " is a system message after the first message: chat templates put the system "
                            "prompt first (or refuse it); move it to the start or make it a user message"});
  }
}

}  // namespace chatfmt::lint
