// Reads JSON documents, one per line, and prints each as chatfmt serializes it for the chat
// templates (append_python_json), one per line; "error" for a line that does not parse.
#include <iostream>
#include <string>

#include "chatfmt/json.hpp"

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    chatfmt::JsonParseError error;
    const auto value = chatfmt::parse_json(line, error);
    std::cout << (value ? chatfmt::python_json(*value) : std::string("error")) << '\n';
  }
  return 0;
}
