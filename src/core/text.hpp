// Small text helpers with exact, documented semantics (the templates' Python behaviour).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chatfmt::text {

/// Python's str.strip() with no arguments (Jinja's `trim`): strips Unicode whitespace as
/// str.isspace() defines it, not just ASCII.
std::string_view python_strip(std::string_view s);

/// Strips ASCII whitespace (space, \t, \n, \r, \f, \v) from the right / both ends.
std::string_view rstrip_ascii(std::string_view s);
std::string_view lstrip_ascii(std::string_view s);
std::string_view strip_ascii(std::string_view s);
bool is_blank_ascii(std::string_view s);

/// The Qwen3-Coder value rule: exactly one leading and one trailing "\n" removed, nothing else.
std::string_view strip_one_newline_each_side(std::string_view s);

/// Number of Unicode code points (what Jinja's `length` counts for a string).
std::size_t codepoint_count(std::string_view s);

bool starts_with(std::string_view s, std::string_view prefix);

/// `s` with every invalid UTF-8 sequence replaced by U+FFFD (for messages quoting raw bytes).
std::string valid_utf8(std::string_view s);

/// Shortens `s` for messages: at most `max_bytes`, cut at a UTF-8 boundary, "…" appended.
std::string excerpt(std::string_view s, std::size_t max_bytes = 60);

}  // namespace chatfmt::text
