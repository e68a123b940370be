#include "sample.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "chatfmt/errors.hpp"
#include "core/normalize.hpp"
#include "core/record.hpp"
#include "core/text.hpp"
#include "embedded.hpp"

namespace chatfmt::micro {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the sample");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The messages of one record, each decoded the way the openai-messages reader decodes it
// (embedded::append_turn), to learn which encodings each source text holds. A message with
// structured tool_calls or with content that is not text ends the record's turns (what follows
// depends on the record shape's reader, which no encoding's decoder replaces), and so does a turn
// that does not read (the record is a reject); the turns before it are kept.
void add_turns(Sample& sample, std::string_view line) {
  JsonParseError error;
  const auto record = parse_json(line, error);
  if (!record || !record->is_object() || !record->contains("messages") || !(*record)["messages"].is_array()) return;
  SharedToolList tools;
  if (record->contains("tools") && (*record)["tools"].is_array()) {
    tools = std::make_shared<const ToolList>((*record)["tools"]);
  }
  const detail::ToolIndex index(tools ? &tools->json() : sample.setup.default_tools());
  Conversation conversation;
  std::size_t m = 0;
  for (const Json& message : (*record)["messages"]) {
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string()) return;
    const auto role = parse_role(message["role"].get<std::string>());
    if (!role) return;
    if (message.contains("tool_calls") && !message["tool_calls"].is_null()) return;
    SourceTurn turn;
    turn.role = *role;
    if (message.contains("content") && message["content"].is_string()) {
      turn.content = message["content"].get<std::string>();
    } else if (message.contains("content") && !message["content"].is_null()) {
      return;
    }
    std::string tool_call_id;
    if (message.contains("tool_call_id") && message["tool_call_id"].is_string()) {
      tool_call_id = message["tool_call_id"].get<std::string>();
    }
    turn.where = "messages[" + std::to_string(m++) + "].content";
    turn.tools = tools;
    const std::size_t first = conversation.messages.size();
    std::vector<Message> before;
    if (turn.role != Role::assistant) before = conversation.messages;
    try {
      embedded::append_turn(conversation, turn.role, turn.content, ReadContext{turn.where, index, sample.setup},
                            tool_call_id);
    } catch (const RecordError&) {
      return;
    }
    for (std::size_t k = first; k < conversation.messages.size(); ++k) {
      turn.encodings |= conversation.messages[k].source_encodings;
    }
    if (turn.role != Role::assistant && turn.encodings != 0) turn.before = std::move(before);
    sample.turns.push_back(std::move(turn));
  }
}

Sample load(const std::string& path) {
  Sample sample;
  sample.path = path;
  const std::string bytes = read_file(path);
  sample.file_bytes = bytes.size();
  std::uint64_t number = 0;
  for (std::size_t pos = 0; pos < bytes.size();) {
    std::size_t end = bytes.find('\n', pos);
    if (end == std::string::npos) end = bytes.size();
    std::string_view line(bytes.data() + pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    pos = end + 1;
    if (text::is_blank_ascii(line)) continue;  // not a record (FileCounters::blank_lines)
    sample.lines.emplace_back(line);
    sample.sources.push_back({path, number});
    sample.line_bytes += line.size();
  }
  if (sample.lines.empty()) throw std::runtime_error(path + ": the sample has no records");

  std::vector<std::size_t> read_sizes;
  for (std::size_t i = 0; i < sample.lines.size(); ++i) {
    try {
      sample.read.push_back(detail::read_record(sample.lines[i], sample.sources[i], sample.setup));
      read_sizes.push_back(sample.lines[i].size());
      sample.read_bytes += sample.lines[i].size();
    } catch (const RecordError&) {
    }
  }
  for (std::size_t i = 0; i < sample.read.size(); ++i) {
    Conversation conversation = sample.read[i];
    try {
      detail::normalize(conversation, sample.options, sample.setup.shared_default_tools());
    } catch (const RecordError&) {
      continue;
    }
    sample.normalized.push_back(std::move(conversation));
    sample.normalized_bytes += read_sizes[i];
  }
  for (const auto& line : sample.lines) add_turns(sample, line);

  const TargetRow& target = default_target_row();
  const auto writer = target.make(options_for(target).writer);
  for (const auto& conversation : sample.normalized) {
    std::string text;
    try {
      if (writer->render_text(conversation, text)) sample.rendered.push_back(std::move(text));
    } catch (const RecordError&) {
    }
  }
  const RecordConverter converter(options_for(target));
  for (std::size_t i = 0; i < sample.lines.size(); ++i) {
    RecordOutcome outcome = converter.convert(sample.lines[i], sample.sources[i]);
    if (outcome.accepted) sample.converted.push_back(std::move(outcome.output));
  }
  return sample;
}

}  // namespace

const Sample& sample() {
  static const Sample loaded = load(CHATFMT_SOURCE_DIR "/data/samples/train.jsonl");
  return loaded;
}

ConvertOptions options_for(const TargetRow& row) {
  ConvertOptions options;
  options.target = std::string(row.info.name);
  for (const WriterOption option : row.info.options) options.writer.enable(option);
  return options;
}

const TargetRow& default_target_row() {
  const TargetRow* row = find_target_row(kDefaultTarget);
  if (row == nullptr) throw std::logic_error("the default target is not in the table of formats");
  return *row;
}

void credit(benchmark::State& state, std::uint64_t bytes, std::uint64_t items, const char* unit) {
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
  state.SetItemsProcessed(static_cast<std::int64_t>(items * state.iterations()));
  state.SetLabel(unit);
}

void count(benchmark::State& state, const char* name, std::uint64_t value) {
  state.counters[name] = benchmark::Counter(static_cast<double>(value));
}

}  // namespace chatfmt::micro
