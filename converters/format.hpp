// The interfaces behind the one table of formats (registry.cpp): readers turn one parsed JSONL
// record into a Conversation, writers turn a Conversation into one output line, and encodings
// decode the tool calls and results written inside message text. They never see each other or
// the pipeline. Adding a format or an encoding is one file in converters/ and one row in
// registry.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "chatfmt/convert.hpp"
#include "chatfmt/encodings.hpp"
#include "chatfmt/targets.hpp"
#include "core/conversation.hpp"

namespace chatfmt {

namespace detail {
class ToolIndex;  // core/normalize.hpp
}

/// A run's reading setup: the options, with the --tools list parsed once.
class ReadSetup {
 public:
  /// How message text is taken: decoded (calls and results written inside text become structure)
  /// or literal (as written: what a template is handed when nobody parses the calls first; lint's
  /// template-drift renders both and compares).
  enum class Text : std::uint8_t { decoded, literal };
  /// Throws UsageError when options.tools_json is not an OpenAI tool list.
  explicit ReadSetup(ReadOptions options, Text text = Text::decoded);
  bool literal() const { return text_ == Text::literal; }
  const ReadOptions& options() const { return options_; }
  /// The --tools list, or nullptr.
  const Json* default_tools() const { return tools_ ? &tools_->json() : nullptr; }
  /// The same, shared with every record that takes it.
  const SharedToolList& shared_default_tools() const { return tools_; }
  bool is_ignored(std::string_view key) const;

 private:
  ReadOptions options_;
  SharedToolList tools_;
  Text text_ = Text::decoded;
};

/// What decoding one message needs: where it is (for messages), the tool list that types XML
/// values, and the run's options.
struct ReadContext {
  std::string_view where;  ///< "messages[2].content", "turn 3"
  const detail::ToolIndex& tools;
  const ReadSetup& setup;
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  virtual std::string_view name() const = 0;
  /// The top-level key that marks a record of this shape ("messages", "text").
  virtual std::string_view shape_key() const = 0;
  /// Strings that structure records of this shape (ChatML's turn markers): refused in content.
  virtual std::vector<std::string_view> control_strings() const = 0;
  /// Reads the record into `conversation` (empty; recycle()d); throws RecordError with a rule when
  /// the record is unusable.
  virtual void read(simdjson::dom::object record, const ReadSetup& setup, Conversation& conversation) const = 0;
};

// ---- encodings ---------------------------------------------------------------------------------

/// What an encoding found at a position of an assistant text.
struct CallMatch {
  enum class Kind {
    call,      ///< a tool call, `call`
    text,      ///< ordinary text after all (a ```json block that is not a call)
    not_mine,  ///< written another way: the next encoding found at the same position decides
  };
  Kind kind = Kind::not_mine;
  ToolCall call;
  std::size_t end = 0;  ///< where what was read ends
};

/// A user or tool turn, with the messages read before it.
struct ResultTurn {
  Role role;
  std::string_view content;
  const std::vector<Message>& before;
};

/// One row of the encodings table: a name (detect's), its chat-control strings, and how to
/// decode it. The structured encodings (OpenAI tool_calls, role "tool") are read by their record
/// shape's reader and have no decoder.
struct EncodingRow {
  EncodingInfo info;
  std::vector<std::string_view> control_strings;
  /// Assistant text: what every call written this way starts with (encodings sharing an opener
  /// share one search for it), whether the one at `at` is written this way (null: every one), and
  /// reading what starts there. Throws RecordError.
  std::string_view call_opener = {};
  bool (*opens_call)(std::string_view text, std::size_t at) = nullptr;
  CallMatch (*read_call)(std::string_view text, std::size_t at, const ReadContext& context) = nullptr;
  /// A user or tool turn: whether it holds results written this way, and those results (views
  /// into the turn's content) in `results`, which arrives empty. Throws RecordError.
  bool (*read_results)(const ResultTurn& turn, const ReadContext& context,
                       std::vector<std::string_view>& results) = nullptr;
  /// Checks a whole conversation once read (what one turn cannot tell). Throws RecordError.
  void (*check_conversation)(const Conversation& conversation, const ReadSetup& setup) = nullptr;
};

/// The position of the next call written as `row` writes them at or after `from` (npos: none).
std::size_t find_call(const EncodingRow& row, std::string_view text, std::size_t from);

/// Every encoding, in table order (bit i of an EncodingSet is row i).
const std::vector<const EncodingRow*>& encoding_rows();
/// The bit of an encoding in an EncodingSet.
EncodingSet encoding_bit_of(const EncodingRow& row);

// ---- targets ------------------------------------------------------------------------------------

/// A stretch of a rendered text whose JSON-escaped form is already at hand (a tool list's
/// rendering, escaped once per list): TextWriter::write copies it instead of escaping it again.
struct EscapedPiece {
  std::size_t offset = 0;  ///< where it starts in the text
  std::size_t size = 0;    ///< its length in the text
  const std::string* escaped = nullptr;
};
using EscapedPieces = std::vector<EscapedPiece>;

class Writer {
 public:
  virtual ~Writer() = default;
  /// Appends one output JSONL line (without the newline) for a normalized conversation; throws
  /// RecordError naming the target rule the conversation breaks.
  virtual void write(const Conversation& conversation, std::string& out) const = 0;
  /// The rendered text a trainer tokenizes, for targets whose records are {"text": …}; false
  /// for targets that write structured records (openai). Throws RecordError like write().
  bool render_text(const Conversation& conversation, std::string& text) const {
    return render_text(conversation, text, nullptr);
  }
  /// The same, noting in `pieces` (when not null, in text order) stretches already escaped.
  virtual bool render_text(const Conversation& conversation, std::string& text, EscapedPieces* pieces) const {
    (void)conversation;
    (void)text;
    (void)pieces;
    return false;
  }
};

/// A target whose records are {"text": …}: it renders the text, the record follows.
class TextWriter : public Writer {
 public:
  using Writer::render_text;
  void write(const Conversation& conversation, std::string& out) const final;
  bool render_text(const Conversation& conversation, std::string& text, EscapedPieces* pieces) const override = 0;
};

/// One row of the targets table: what the target is (public) and how to make its writer.
struct TargetRow {
  TargetInfo info;
  std::unique_ptr<Writer> (*make)(const WriterOptions& options);
};

const std::vector<const TargetRow*>& target_rows();
/// The openai target's writer, but with each call's arguments as a JSON object instead of a JSON
/// string: what chat templates iterate over (transformers' apply_chat_template and mlx_lm hand
/// the messages to the template as they are). lint --fix writes records with it.
std::unique_ptr<Writer> make_openai_writer_with_argument_objects();
/// The openai target's writer, its tool-call arguments as objects or as JSON strings.
std::unique_ptr<Writer> make_openai_writer(bool arguments_as_objects);
const TargetRow* find_target_row(std::string_view name_or_alias);

/// Every record shape, in the order they are tried.
const std::vector<const RecordReader*>& readers();

}  // namespace chatfmt
