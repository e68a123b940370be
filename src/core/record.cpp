#include "core/record.hpp"

#include <fstream>
#include <sstream>

#include "chatfmt/convert.hpp"
#include "chatfmt/errors.hpp"
#include "core/json_internal.hpp"
#include "core/normalize.hpp"

namespace chatfmt {

namespace detail {

simdjson::dom::object parse_record(std::string_view line) {
  auto& parser = thread_parser();
  auto parsed = parser.parse(line.data(), line.size());
  if (parsed.error()) {
    const JsonParseError error = diagnose_json(line, parsed.error());
    throw RecordError(Rule::invalid_json,
                      "the line is not valid JSON (" +
                          (error.position ? "column " + std::to_string(error.position->column) + ": " : std::string()) +
                          error.message + ")",
                      error.position ? error.position->column : 0);
  }
  simdjson::dom::object object;
  if (parsed.value_unsafe().get(object)) {
    throw RecordError(Rule::record_shape, "the record is not a JSON object");
  }
  return object;
}

void read_parsed_record(simdjson::dom::object object, const SourceRef& source, const ReadSetup& setup,
                        Conversation& conversation, std::string_view* shape) {
  recycle(conversation);
  for (const RecordReader* reader : readers()) {
    if (find_field(object, reader->shape_key())) {
      if (shape != nullptr) *shape = reader->name();
      reader->read(object, setup, conversation);
      conversation.source = source;
      return;
    }
  }
  std::string shapes;
  for (const RecordReader* reader : readers())
    shapes += (shapes.empty() ? "\"" : " or \"") + std::string(reader->shape_key()) + "\"";
  throw RecordError(Rule::record_shape, "unknown record shape: expected a " + shapes + " key");
}

Conversation read_parsed_record(simdjson::dom::object object, const SourceRef& source, const ReadSetup& setup,
                                std::string_view* shape) {
  Conversation conversation;
  read_parsed_record(object, source, setup, conversation, shape);
  return conversation;
}

Conversation read_record(std::string_view line, const SourceRef& source, const ReadSetup& setup,
                         std::string_view* shape) {
  return read_parsed_record(parse_record(line), source, setup, shape);
}

Json parse_tool_list(std::string_view text, const std::string& origin) {
  JsonParseError error;
  auto tools = parse_json(text, error);
  if (!tools) {
    const std::string where =
        error.position ? ":" + std::to_string(error.position->line) + ":" + std::to_string(error.position->column) : "";
    throw UsageError(origin + where + ": not valid JSON: " + error.message);
  }
  if (tools->is_object() && tools->contains("tools")) tools = (*tools)["tools"];
  if (!tools->is_array()) throw UsageError(origin + ": expected a JSON list of tools (OpenAI format)");
  std::size_t index = 0;
  for (const auto& entry : *tools) {
    const Json& function = entry.is_object() && entry.contains("function") ? entry["function"] : entry;
    if (!function.is_object() || !function.contains("name") || !function["name"].is_string()) {
      throw UsageError(origin + ": tool " + std::to_string(index) +
                       " has no \"name\" (expected {\"type\": \"function\", \"function\": {\"name\": …}})");
    }
    ++index;
  }
  return std::move(*tools);
}

}  // namespace detail

std::string read_tools_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(path + ": cannot open the tools file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  (void)detail::parse_tool_list(text, path);  // the errors name the file, not "tools"
  return text;
}

ReadSetup::ReadSetup(ReadOptions options, Text text) : options_(std::move(options)), text_(text) {
  if (!options_.tools_json.empty()) {
    tools_ = std::make_shared<const ToolList>(detail::parse_tool_list(options_.tools_json, "the tool list"));
  }
}

bool ReadSetup::is_ignored(std::string_view key) const {
  for (const auto& ignored : options_.ignored_keys) {
    if (ignored == key) return true;
  }
  return false;
}

namespace {

std::string names_of_targets(bool (*qualifies)(const TargetInfo& target, WriterOption option), WriterOption option) {
  std::string names;
  for (const TargetInfo* target : targets()) {
    if (qualifies(*target, option)) names += (names.empty() ? "" : ", ") + std::string(target->name);
  }
  return names;
}

const TargetRow& resolve_target(const ConvertOptions& options) {
  const TargetRow* row = find_target_row(options.target);
  if (row == nullptr) {
    std::string names;
    for (const TargetInfo* target : targets()) names += (names.empty() ? "" : ", ") + std::string(target->name);
    throw UsageError("unknown target '" + options.target + "'; the targets are " + names);
  }
  for (const auto& option : writer_options()) {
    if (options.writer.has(option.option) && !row->info.honours(option.option)) {
      throw UsageError(
          std::string(option.flag) + " only applies to --to " +
          names_of_targets([](const TargetInfo& t, WriterOption o) { return t.honours(o); }, option.option));
    }
  }
  return *row;
}

}  // namespace

struct RecordConverter::State {
  State(const ConvertOptions& convert_options, const TargetRow& target_row)
      : options(convert_options),
        target(target_row),
        read(convert_options.read),
        writer(target_row.make(options.writer)) {}
  ConvertOptions options;
  const TargetRow& target;
  ReadSetup read;
  std::unique_ptr<Writer> writer;
};

RecordConverter::RecordConverter(const ConvertOptions& options)
    : state_(std::make_unique<State>(options, resolve_target(options))) {}

const TargetInfo& RecordConverter::target() const { return state_->target.info; }

RecordConverter::~RecordConverter() = default;

RecordOutcome RecordConverter::convert(std::string_view line, const SourceRef& source) const {
  RecordOutcome outcome;
  run(line, source, false, outcome);
  return outcome;
}

void RecordConverter::convert(std::string_view line, const SourceRef& source, RecordOutcome& outcome) const {
  run(line, source, false, outcome);
}

RecordOutcome RecordConverter::trainer_text(std::string_view line, const SourceRef& source) const {
  RecordOutcome outcome;
  run(line, source, true, outcome);
  return outcome;
}

void RecordConverter::trainer_text(std::string_view line, const SourceRef& source, RecordOutcome& outcome) const {
  run(line, source, true, outcome);
}

void RecordConverter::run(std::string_view line, const SourceRef& source, bool text_only,
                          RecordOutcome& outcome) const {
  try {
    const simdjson::dom::object record = detail::parse_record(line);
    if (text_only) {
      // A trainer reads a text record as it is (mlx_lm's "text" datasets), messages through a template.
      // Python's reading of the line decides (the last "text" counts), as everywhere else.
      const auto text_field = detail::find_field(record, "text");
      std::string_view text;
      if (text_field && text_field->get(text) == simdjson::SUCCESS && !detail::find_field(record, "messages")) {
        outcome.output.assign(text);
        outcome.accepted = true;
        return;
      }
    }
    // One conversation per thread, its messages' memory reused from record to record.
    thread_local Conversation conversation;
    detail::read_parsed_record(record, source, state_->read, conversation, &outcome.shape);
    // Derived call ids hash what the record says, not how its line spells it: the same
    // conversation gets the same ids whatever its key order, spacing, escapes or duplicate keys.
    detail::normalize(conversation, state_->options, state_->read.shared_default_tools());
    if (!text_only) {
      state_->writer->write(conversation, outcome.output);
    } else if (!state_->writer->render_text(conversation, outcome.output)) {
      throw RecordError(Rule::no_text_target,
                        "target '" + std::string(state_->target.info.name) + "' writes no text to tokenize");
    }
    outcome.accepted = true;
  } catch (const RecordError& error) {
    outcome.accepted = false;
    outcome.output.clear();
    outcome.rule = error.rule_id();
    outcome.reason = error.what();
  } catch (const std::exception& error) {
    // A bug of ours must not take the run down or lose the record: it is rejected, with the cause.
    outcome.clear();
    outcome.rule = rule_id(Rule::internal_error);
    outcome.reason =
        std::string("chatfmt could not process this record (") + error.what() + "); please report it with the record";
  }
}

}  // namespace chatfmt
