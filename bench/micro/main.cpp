// chatfmt_micro: Google Benchmark microbenchmarks of each pipeline stage over the real sample
// (bench/micro.sh runs them and writes the table). Targets and encodings come from the table of
// formats at run time, so the benchmarks are registered here rather than with BENCHMARK().
#include <cstdio>
#include <exception>

#include "sample.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  // Loaded before anything is timed, so a missing or unreadable sample stops the run at once,
  // with its reason, rather than inside the first benchmark.
  try {
    (void)chatfmt::micro::sample();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "chatfmt_micro: %s\n", error.what());
    return 2;
  }
  chatfmt::micro::register_read_stages();
  chatfmt::micro::register_decode_stages();
  chatfmt::micro::register_render_stages();
  chatfmt::micro::register_output_stages();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
