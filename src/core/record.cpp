#include "core/record.hpp"

#include "chatfmt/errors.hpp"
#include "chatfmt/pipeline.hpp"
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
                          error.message + ")");
  }
  simdjson::dom::object object;
  if (parsed.value_unsafe().get(object)) {
    throw RecordError(Rule::record_shape, "the record is not a JSON object");
  }
  return object;
}

Conversation read_parsed_record(simdjson::dom::object object, const SourceRef& source, const ReadOptions& options,
                                std::string_view* shape) {
  for (const RecordReader* reader : readers()) {
    if (find_field(object, reader->shape_key())) {
      if (shape != nullptr) *shape = reader->name();
      Conversation conversation = reader->read(object, options);
      conversation.source = source;
      return conversation;
    }
  }
  std::string shapes;
  for (const RecordReader* reader : readers())
    shapes += (shapes.empty() ? "\"" : " or \"") + std::string(reader->shape_key()) + "\"";
  throw RecordError(Rule::record_shape, "unknown record shape: expected a " + shapes + " key");
}

Conversation read_record(std::string_view line, const SourceRef& source, const ReadOptions& options,
                         std::string_view* shape) {
  return read_parsed_record(parse_record(line), source, options, shape);
}

}  // namespace detail

struct RecordConverter::State {
  ConvertOptions options;
  std::unique_ptr<Writer> writer;
};

RecordConverter::RecordConverter(const ConvertOptions& options) : state_(std::make_unique<State>()) {
  state_->options = options;
  const WriterInfo* info = find_writer(options.target);
  if (info == nullptr) throw UsageError("unknown target '" + options.target + "'");
  state_->writer = info->make(options.writer);
  if (state_->options.tools) state_->options.read.default_tools = &*state_->options.tools;
}

RecordConverter::~RecordConverter() = default;

RecordOutcome RecordConverter::convert(std::string_view line, const SourceRef& source) const {
  return run(line, source, false);
}

RecordOutcome RecordConverter::trainer_text(std::string_view line, const SourceRef& source) const {
  return run(line, source, true);
}

RecordOutcome RecordConverter::run(std::string_view line, const SourceRef& source, bool text_only) const {
  RecordOutcome outcome;
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
        return outcome;
      }
    }
    Conversation conversation = detail::read_parsed_record(record, source, state_->options.read, &outcome.shape);
    for (const auto& message : conversation.messages) outcome.message_encodings.push_back(message.source_encodings);
    outcome.content_hash = content_hash(conversation);
    // Derived call ids hash what the record says, not how its line spells it: the same
    // conversation gets the same ids whatever its key order, spacing, escapes or duplicate keys.
    detail::normalize(conversation, state_->options, outcome.content_hash);
    if (!text_only) {
      state_->writer->write(conversation, outcome.output);
    } else if (!state_->writer->render_text(conversation, outcome.output)) {
      throw RecordError(Rule::no_text_target, "target '" + state_->options.target + "' writes no text to tokenize");
    }
    outcome.accepted = true;
  } catch (const RecordError& error) {
    outcome.accepted = false;
    outcome.output.clear();
    outcome.rule = error.rule_id();
    outcome.reason = error.what();
  } catch (const std::exception& error) {
    // A bug of ours must not take the run down or lose the record: it is rejected, with the cause.
    outcome = RecordOutcome{};
    outcome.rule = rule_id(Rule::internal_error);
    outcome.reason =
        std::string("chatfmt could not process this record (") + error.what() + "); please report it with the record";
  }
  return outcome;
}

}  // namespace chatfmt
