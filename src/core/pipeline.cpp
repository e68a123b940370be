// The TBB pipeline: read (serial, in order) → process (parallel) → sink (serial, in order).
// Batches bound the records in flight; in-order stages make the output identical for any
// thread count.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "chatfmt/pipeline.hpp"
#include "chatfmt/rules.hpp"
#include "core/jsonl_reader.hpp"
#include "core/progress.hpp"
#include "core/text.hpp"

namespace chatfmt {
namespace {

struct LineRef {
  std::size_t offset = 0;
  std::size_t size = 0;
  std::uint64_t number = 0;
  std::uint64_t oversize_bytes = 0;  // a record over --max-record-bytes: not held, refused
};

struct Batch {
  std::string bytes;
  std::vector<LineRef> lines;
  std::vector<RecordOutcome> outcomes;  // the first lines.size() are this batch's; kept warm
  std::uint64_t blank_lines = 0;
  std::uint64_t bytes_read = 0;

  // Clears for the next fill. Memory a batch keeps must not ratchet up with the run: its line
  // buffer is released past `keep_bytes` (a huge record), and an outcome's output string past
  // kKeptOutputBytes, or every one of the 4N x 128 slots would in time hold the largest output it
  // ever saw (peak RSS grew from 23 to 36 MB between 208 MB and 1 GB of input).
  void clear(std::size_t keep_bytes) {
    constexpr std::size_t kKeptOutputBytes = 4096;
    if (bytes.capacity() > keep_bytes) std::string().swap(bytes);
    bytes.clear();
    for (std::size_t k = 0; k < lines.size() && k < outcomes.size(); ++k) {
      if (outcomes[k].output.capacity() > kKeptOutputBytes) std::string().swap(outcomes[k].output);
    }
    lines.clear();
    blank_lines = 0;
    bytes_read = 0;
  }
};

// Batches go round: the sink hands each one back for the reader to fill again, so its buffers
// (the line bytes, the outcomes' output strings) are allocated once per run, not once per batch
// and record. At most max_batches_in_flight exist.
class BatchPool {
 public:
  explicit BatchPool(std::size_t keep_bytes) : keep_bytes_(keep_bytes) {}
  std::unique_ptr<Batch> take() {
    {
      const std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        std::unique_ptr<Batch> batch = std::move(free_.back());
        free_.pop_back();
        return batch;
      }
    }
    return std::make_unique<Batch>();
  }
  void give_back(std::unique_ptr<Batch> batch) {
    batch->clear(keep_bytes_);
    const std::lock_guard lock(mutex_);
    free_.push_back(std::move(batch));
  }

 private:
  std::size_t keep_bytes_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Batch>> free_;
};

RecordOutcome too_large(std::uint64_t bytes, std::uint64_t limit) {
  RecordOutcome outcome;
  outcome.rule = rule_id(Rule::record_too_large);
  outcome.reason = "the record is " + std::to_string(bytes) + " bytes, over --max-record-bytes " +
                   std::to_string(limit) + "; raise the limit if such records are meant to be there";
  outcome.record_bytes = bytes;
  return outcome;
}

// The first exception of any stage, rethrown once the pipeline has drained: a stage must not
// throw through TBB, or the batches in flight would be lost (leaked) with it.
class FirstError {
 public:
  template <class F>
  void guard(F&& f) {
    if (failed_.load(std::memory_order_relaxed)) return;
    try {
      f();
    } catch (...) {
      const std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
      failed_ = true;
    }
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr error_;
};

unsigned effective_threads(unsigned requested) {
  if (requested != 0) return requested;
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware == 0 ? 1 : hardware;
}

}  // namespace

namespace detail {

std::uint64_t input_size(const std::string& path) {
  struct stat status {};
  if (path == "-" || ::stat(path.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) return 0;
  return static_cast<std::uint64_t>(status.st_size);
}

std::uint64_t input_size(const std::vector<InputFile>& files) {
  std::uint64_t total = 0;
  for (const auto& file : files) {
    const std::uint64_t size = input_size(file.path);
    if (size == 0 && file.path == "-") return 0;  // a pipe: the run's size is unknown
    total += size;
  }
  return total;
}

PipelineOptions with_run_progress(const PipelineOptions& options, std::uint64_t run_bytes_before,
                                  std::uint64_t run_size) {
  PipelineOptions per_file = options;
  if (options.on_progress) {
    per_file.on_progress = [report = options.on_progress, run_bytes_before, run_size](const ProgressEvent& event) {
      ProgressEvent run = event;
      run.run_bytes = run_bytes_before + event.file_bytes;
      run.run_size = run_size;
      report(run);
    };
  }
  return per_file;
}

}  // namespace detail

bool process_jsonl(const std::string& input, const RecordProcessor& process, const OutcomeSink& sink,
                   const PipelineOptions& options, FileCounters& counters, std::uint64_t& records_budget_used) {
  detail::JsonlReader reader(input, options.max_record_bytes);
  const std::uint64_t file_size = options.on_progress ? detail::input_size(input) : 0;
  const unsigned threads = effective_threads(options.threads);
  const std::size_t in_flight =
      options.max_batches_in_flight != 0 ? options.max_batches_in_flight : std::size_t{4} * threads;
  bool stopped_by_limit = false;
  std::uint64_t records_done = 0;
  FirstError error;
  SourceRef source;
  source.path = input;

  BatchPool pool(2 * options.batch_bytes);
  auto read_batch = [&](Batch& batch) {
    // Room for a full batch up front: growing by doubling copied each batch's bytes twice more.
    batch.bytes.reserve(options.batch_bytes + (options.batch_bytes >> 2));
    std::string_view line;
    std::uint64_t number = 0;
    std::uint64_t oversize = 0;
    while (batch.lines.size() < options.batch_records && batch.bytes.size() < options.batch_bytes) {
      if (options.limit != 0 && records_budget_used >= options.limit) {
        // Anything left unread is reported, not silently skipped.
        if (reader.next(line, number, oversize)) stopped_by_limit = true;
        break;
      }
      if (!reader.next(line, number, oversize)) break;
      if (oversize == 0 && text::is_blank_ascii(line)) {
        ++batch.blank_lines;
        continue;
      }
      batch.lines.push_back(LineRef{batch.bytes.size(), line.size(), number, oversize});
      batch.bytes.append(line);
      ++records_budget_used;
    }
    batch.bytes_read = reader.bytes_read();
  };

  auto read_stage = [&](tbb::flow_control& control) -> Batch* {
    std::unique_ptr<Batch> batch = pool.take();
    error.guard([&] { read_batch(*batch); });
    if (error.failed() || (batch->lines.empty() && batch->blank_lines == 0)) {
      control.stop();
      return nullptr;
    }
    return batch.release();
  };

  auto process_stage = [&](Batch* batch) -> Batch* {
    error.guard([&] {
      if (batch->outcomes.size() < batch->lines.size()) batch->outcomes.resize(batch->lines.size());
      SourceRef line_source;
      line_source.path = input;
      for (std::size_t k = 0; k < batch->lines.size(); ++k) {
        const LineRef& ref = batch->lines[k];
        line_source.line = ref.number;
        RecordOutcome& outcome = batch->outcomes[k];
        outcome.clear();
        if (ref.oversize_bytes != 0) {
          outcome = too_large(ref.oversize_bytes, options.max_record_bytes);
        } else {
          process(std::string_view(batch->bytes).substr(ref.offset, ref.size), line_source, outcome);
        }
      }
    });
    return batch;
  };

  auto sink_stage = [&](Batch* raw) {
    std::unique_ptr<Batch> batch(raw);
    // Back to the pool once written, whatever happens.
    struct GiveBack {
      BatchPool& pool;
      std::unique_ptr<Batch>& batch;
      ~GiveBack() { pool.give_back(std::move(batch)); }
    } give_back{pool, batch};
    error.guard([&] {
      counters.blank_lines += batch->blank_lines;
      for (std::size_t k = 0; k < batch->lines.size(); ++k) {
        const LineRef& ref = batch->lines[k];
        source.line = ref.number;
        RecordOutcome& outcome = batch->outcomes[k];
        ++counters.records;
        if (outcome.accepted) {
          ++counters.converted;
        } else {
          ++counters.rejected;
          ++counters.rejected_by_rule[std::string(outcome.rule)];
        }
        sink(source, std::string_view(batch->bytes).substr(ref.offset, ref.size), outcome);
      }
      records_done += batch->lines.size();
      if (options.on_progress) {
        ProgressEvent progress;
        progress.path = input;
        progress.records = records_done;
        progress.file_bytes = batch->bytes_read;
        progress.file_size = file_size;
        options.on_progress(progress);
      }
    });
  };

  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] {
    tbb::parallel_pipeline(in_flight,
                           tbb::make_filter<void, Batch*>(tbb::filter_mode::serial_in_order, read_stage) &
                               tbb::make_filter<Batch*, Batch*>(tbb::filter_mode::parallel, process_stage) &
                               tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, sink_stage));
  });
  error.rethrow();
  return !stopped_by_limit;
}

}  // namespace chatfmt
