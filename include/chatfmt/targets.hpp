// The targets chatfmt writes, as the one table of formats (converters/registry.cpp) describes
// them: names, the control strings each writes, whether it writes text, the options it honours.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace chatfmt {

/// The target `convert` and `tokens` use unless told otherwise.
inline constexpr std::string_view kDefaultTarget = "devstral-small-2";

/// How a target uses a control string.
enum class ControlUse : std::uint8_t {
  delimiter,  ///< written as chat structure; must be one token of the target's tokenizer (Gate 0)
  markup,     ///< written as chat structure the tokenizer sees as ordinary text (<function=)
  reserved,   ///< never written, but the target's tokenizer reads it as control (<|endoftext|>)
};

struct ControlString {
  std::string_view text;
  ControlUse use;
};

/// Choices a target may offer where its template would otherwise refuse a record.
enum class WriterOption : std::uint8_t {
  drop_text_with_tool_calls,  ///< drop assistant text that precedes tool calls
};

struct WriterOptionInfo {
  WriterOption option;
  std::string_view flag;  ///< the command line's spelling: "--drop-text-with-tool-calls"
  std::string_view help;
};

/// Every writer option, with its flag.
const std::vector<WriterOptionInfo>& writer_options();

/// The options a run enables (each honoured only by the targets that list it).
class WriterOptions {
 public:
  void enable(WriterOption option) { bits_ |= bit(option); }
  bool has(WriterOption option) const { return (bits_ & bit(option)) != 0; }
  bool any() const { return bits_ != 0; }

 private:
  static std::uint32_t bit(WriterOption option) { return std::uint32_t{1} << static_cast<unsigned>(option); }
  std::uint32_t bits_ = 0;
};

struct TargetInfo {
  std::string_view name;
  std::vector<std::string_view> aliases;
  std::string_view description;
  /// Records of {"text": …} a trainer tokenizes (false: structured records, e.g. openai).
  bool writes_text = false;
  /// Every string the target gives chat meaning to. None may appear inside converted content,
  /// whatever the target (the foreign-delimiter rule); Gate 0 checks the delimiters.
  std::vector<ControlString> control_strings;
  std::vector<WriterOption> options;  ///< the writer options it honours

  std::vector<std::string_view> delimiters() const;  ///< control strings used as delimiter, in order
  bool honours(WriterOption option) const;
};

/// Every target, in the order `--help` lists them.
const std::vector<const TargetInfo*>& targets();
/// A target by name or alias; nullptr when there is none.
const TargetInfo* find_target(std::string_view name_or_alias);

/// Every chat-control string of every target and every source encoding, without duplicates, in
/// table order: what the foreign-delimiter rule refuses inside content (docs/formats.md).
const std::vector<std::string_view>& control_strings_of_all_formats();

}  // namespace chatfmt
