// chatfmt: convert, validate and compare chat / tool-calling training data.
// Exit codes: 0 ok, 1 findings or rejected records, 2 usage or I/O error.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include "chatfmt/errors.hpp"
#include "chatfmt/pipeline.hpp"
#include "chatfmt/version.hpp"
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  // Before any file is opened: no output may land on a closed standard descriptor, and an
  // interrupted run removes its temporaries (docs/cli.md, "Files").
  chatfmt::install_process_guards();
  CLI::App app{"chatfmt: convert, validate and compare chat / tool-calling training data", "chatfmt"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "chatfmt " + std::string(chatfmt::version()));
  int exit_code = 0;
  chatfmt::cli::add_convert_command(app, exit_code);
  chatfmt::cli::add_detect_command(app, exit_code);
  chatfmt::cli::add_lint_command(app, exit_code);
  chatfmt::cli::add_tokens_command(app, exit_code);
  chatfmt::cli::add_stats_command(app, exit_code);
  chatfmt::cli::add_diff_command(app, exit_code);
  chatfmt::cli::add_formats_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const chatfmt::UsageError& e) {
    std::fprintf(stderr, "chatfmt: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chatfmt: error: %s\n", e.what());
    return 2;
  }
  // A report printed to a stdout that cannot take it (a full disk, /dev/full) must not vanish
  // with exit 0: stdio only tells at the final flush.
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::fprintf(stderr, "chatfmt: error: standard output: write failed: %s\n", std::strerror(errno));
    return 2;
  }
  return exit_code;
}
