#include "tokenizers/split_pattern.hpp"

#include <string>

#include "chatfmt/tokenizer.hpp"

namespace chatfmt::tokenizers {
namespace {

constexpr std::string_view kLookahead = "\\s+(?!\\S)";

std::string whitespace_members(Whitespace whitespace) {
  std::string members =
      "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
  members += whitespace == Whitespace::javascript ? "\\x{FEFF}" : "\\x{85}";
  return members;
}

// Rewrites a tokenizer pattern for RE2: \s and \S spelled out for the chosen whitespace set, the
// lookahead made a named group, and (for JavaScript semantics) the case-insensitive contraction
// group spelled with explicit classes as transformers.js rewrites it.
std::string translate(std::string_view pattern, Whitespace whitespace) {
  std::string source(pattern);
  if (whitespace == Whitespace::javascript) {
    const std::string contractions = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";
    for (std::size_t at = source.find(contractions); at != std::string::npos; at = source.find(contractions, at)) {
      source.replace(at, contractions.size(), "(?:'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD]))");
    }
  }
  const std::string members = whitespace_members(whitespace);
  std::string out;
  bool in_class = false;
  for (std::size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (source.compare(i, kLookahead.size(), kLookahead) == 0 && !in_class) {
      out += "(?P<ws_lookahead>[" + members + "]+)";
      i += kLookahead.size() - 1;
      continue;
    }
    if (c == '\\' && i + 1 < source.size()) {
      const char next = source[i + 1];
      if (next == 's') {
        out += in_class ? members : "[" + members + "]";
      } else if (next == 'S') {
        if (in_class) throw TokenizerError("pre-tokenizer pattern uses \\S inside a character class");
        out += "[^" + members + "]";
      } else {
        out += c;
        out += next;
      }
      ++i;
      continue;
    }
    if (c == '(' && (source.compare(i, 3, "(?=") == 0 || source.compare(i, 3, "(?!") == 0 ||
                     source.compare(i, 4, "(?<=") == 0 || source.compare(i, 4, "(?<!") == 0)) {
      throw TokenizerError("pre-tokenizer pattern uses a lookaround other than \\s+(?!\\S), which chatfmt cannot run");
    }
    if (c == '[' && !in_class)
      in_class = true;
    else if (c == ']' && in_class)
      in_class = false;
    out += c;
  }
  return out;
}

// The top-level alternatives of a pattern (split at '|' outside groups and classes).
std::vector<std::string> top_level_alternatives(std::string_view pattern) {
  std::vector<std::string> alternatives(1);
  int depth = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      alternatives.back() += pattern.substr(i, 2);
      ++i;
      continue;
    }
    if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      alternatives.emplace_back();
      continue;
    }
    alternatives.back() += c;
  }
  return alternatives;
}

char32_t decode_at(std::string_view s, std::size_t i, std::size_t& length) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  length = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : 4;
  if (i + length > s.size()) length = 1;
  if (length == 1) return b0;
  char32_t cp = b0 & (0xFF >> (length + 1));
  for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

}  // namespace

SplitPattern::SplitPattern(std::string_view pattern, Whitespace whitespace) : whitespace_(whitespace) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  regex_ = std::make_unique<RE2>(translate(pattern, whitespace), options);
  if (!regex_->ok()) throw TokenizerError("pre-tokenizer pattern is not usable: " + regex_->error());
  const auto& groups = regex_->NamedCapturingGroups();
  if (auto it = groups.find("ws_lookahead"); it != groups.end()) lookahead_group_ = it->second;
  // When \s+(?!\S) is a top-level alternative, "did it make this span?" is "does no earlier
  // alternative match the span?", a capture-free question RE2's DFA answers fast.
  const auto alternatives = top_level_alternatives(pattern);
  for (std::size_t k = 0; k < alternatives.size(); ++k) {
    if (alternatives[k] != kLookahead) continue;
    if (k == 0) {
      lookahead_first_ = true;
    } else {
      std::string earlier;
      for (std::size_t j = 0; j < k; ++j) earlier += (j == 0 ? "" : "|") + alternatives[j];
      earlier_alternatives_ = std::make_unique<RE2>(translate(earlier, whitespace), options);
      if (!earlier_alternatives_->ok()) earlier_alternatives_.reset();
    }
    break;
  }
}

bool SplitPattern::is_space(char32_t cp) const {
  if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
      cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000) {
    return true;
  }
  return whitespace_ == Whitespace::javascript ? cp == 0xFEFF : cp == 0x85;
}

void SplitPattern::split(std::string_view text, std::vector<std::string_view>& pieces) const {
  const re2::StringPiece input(text.data(), text.size());
  re2::StringPiece match;
  std::size_t pos = 0;
  while (pos < text.size()) {
    // The pattern covers every character, so the next piece starts here: an anchored,
    // capture-free match runs on RE2's DFA. Only if that fails is there a gap to search past.
    if (!regex_->Match(input, pos, text.size(), RE2::ANCHOR_START, &match, 1) &&
        !regex_->Match(input, pos, text.size(), RE2::UNANCHORED, &match, 1)) {
      break;
    }
    const auto start = static_cast<std::size_t>(match.data() - text.data());
    std::size_t end = start + match.size();
    if (end == start) {  // an empty match cannot advance: that character becomes a piece of its own
      std::size_t length = 0;
      decode_at(text, start, length);
      end = start + length;
    } else if (lookahead_group_ != 0 && end < text.size()) {
      end = apply_lookahead(text, start, end);
    }
    if (start > pos) pieces.push_back(text.substr(pos, start - pos));
    pieces.push_back(text.substr(start, end - start));
    pos = end;
  }
  if (pos < text.size()) pieces.push_back(text.substr(pos));
}

std::size_t SplitPattern::apply_lookahead(std::string_view text, std::size_t start, std::size_t end) const {
  // Only a whitespace run of two or more characters followed by a non-space can be affected.
  std::size_t length = 0;
  if (is_space(decode_at(text, end, length))) return end;
  std::size_t chars = 0;
  for (std::size_t i = start; i < end; i += length) {
    if (!is_space(decode_at(text, i, length))) return end;
    ++chars;
  }
  if (chars < 2) return end;
  // Which alternative made this span?
  const re2::StringPiece input(text.data(), text.size());
  if (earlier_alternatives_) {
    if (earlier_alternatives_->Match(input, start, end, RE2::ANCHOR_BOTH, nullptr, 0)) return end;
  } else if (!lookahead_first_) {
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(lookahead_group_) + 1);
    if (!regex_->Match(input, start, end, RE2::ANCHOR_BOTH, groups.data(), lookahead_group_ + 1)) return end;
    if (groups.back().data() == nullptr) return end;
  }
  // \s+(?!\S) gives its last character back to the next piece when a non-space follows.
  std::size_t last = end - 1;
  while (last > start && (static_cast<unsigned char>(text[last]) & 0xC0) == 0x80) --last;
  return last;
}

}  // namespace chatfmt::tokenizers
