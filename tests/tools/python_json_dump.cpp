// Reads JSON documents, one per line, and prints for each two lines: python_json() (json.dumps
// as the templates' tojson) and python_str() (Python's str(), as a JSON string literal); "error" for a line that does
// not parse.
#include <iostream>
#include <string>

#include "core/json.hpp"

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    chatfmt::JsonParseError error;
    const auto value = chatfmt::parse_json(line, error);
    std::cout << (value ? chatfmt::python_json(*value) : std::string("error")) << '\n';
    // str() of a string document may hold newlines: it goes out as a JSON string literal.
    std::string str_line;
    chatfmt::append_json_string(str_line, value ? chatfmt::python_str(*value) : std::string("error"));
    std::cout << str_line << '\n';
  }
  return 0;
}
