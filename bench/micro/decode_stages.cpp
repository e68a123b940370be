// Decoding each encoding of the table (encoding_rows()), one benchmark per row, each fed the
// source texts of the sample in which the reader found that encoding: assistant texts to the call
// decoders, user and tool turns to the result decoders. Credited with the bytes of those texts,
// and with texts as the items (not records: a record holds several texts, or none of a row's).
#include <algorithm>

#include "chatfmt/errors.hpp"
#include "core/normalize.hpp"
#include "sample.hpp"

namespace chatfmt::micro {
namespace {

bool decodes(const EncodingRow& row, const SourceTurn& turn) {
  if ((turn.encodings & encoding_bit_of(row)) == 0) return false;
  return turn.role == Role::assistant ? !row.call_opener.empty() : row.read_results != nullptr;
}

// The row alone over one text: every call it finds and reads (a position another row would claim
// is passed over, as the reader passes it to the next row), or the results it reads from a turn.
// Returns how many calls or results it read.
std::size_t decode(const EncodingRow& row, const SourceTurn& turn, const ReadSetup& setup) {
  const detail::ToolIndex tools(turn.tools ? &turn.tools->json() : setup.default_tools());
  const ReadContext context{turn.where, tools, setup};
  if (turn.role != Role::assistant) {
    thread_local std::vector<std::string_view> results;
    results.clear();
    return row.read_results(ResultTurn{turn.role, turn.content, turn.before}, context, results) ? results.size() : 0;
  }
  const std::string_view text = turn.content;
  std::size_t calls = 0;
  for (std::size_t pos = 0;;) {
    const std::size_t at = find_call(row, text, pos);
    if (at == std::string_view::npos) break;
    CallMatch match = row.read_call(text, at, context);
    benchmark::DoNotOptimize(match);
    if (match.kind == CallMatch::Kind::call) ++calls;
    pos = match.kind == CallMatch::Kind::not_mine ? at + 1 : std::max(match.end, at + 1);
  }
  return calls;
}

void decode_row(benchmark::State& state, const EncodingRow* row) {
  if (row->call_opener.empty() && row->read_results == nullptr) {
    state.SkipWithError("no decoder: a structured encoding, read by its record shape's reader (read/)");
    for (auto _ : state) {
    }
    return;
  }
  const Sample& s = sample();
  std::vector<const SourceTurn*> texts;
  std::uint64_t bytes = 0;
  std::uint64_t refused = 0;
  for (const SourceTurn& turn : s.turns) {
    if (!decodes(*row, turn)) continue;
    // Decoded alone, a text the reader read may hold what only another row reads: not timed.
    try {
      decode(*row, turn, s.setup);
    } catch (const RecordError&) {
      ++refused;
      continue;
    }
    texts.push_back(&turn);
    bytes += turn.content.size();
  }
  if (texts.empty()) {
    state.SkipWithError("not in the sample: no text of data/samples/train.jsonl is written this way");
    for (auto _ : state) {
    }
    return;
  }
  std::uint64_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (const SourceTurn* turn : texts) found += decode(*row, *turn, s.setup);
  }
  credit(state, bytes, texts.size(), "texts");
  count(state, "texts", texts.size());
  count(state, "found", found);
  if (refused != 0) count(state, "refused_alone", refused);
}

}  // namespace

void register_decode_stages() {
  for (const EncodingRow* row : encoding_rows()) {
    stage("decode/" + std::string(row->info.name), [row](benchmark::State& state) { decode_row(state, row); });
  }
}

}  // namespace chatfmt::micro
