// Temporaries of the running process, removed by a signal handler on SIGINT, SIGTERM, SIGHUP and
// SIGPIPE before the process dies of that signal: an interrupted run leaves nothing behind.
#pragma once

#include <string>

namespace chatfmt::detail {

/// Installs the handlers (once; the CLI calls it first thing). A signal already ignored when
/// called (nohup's SIGHUP, a parent's SIG_IGN for SIGPIPE) stays ignored.
void install_temp_cleanup_handlers();

/// Remembers `path` until unregister_temp(slot). Returns the slot. Thread-safe. A directory
/// (one the run created) is removed after the files, and only if empty.
int register_temp(const std::string& path, bool directory = false);
void unregister_temp(int slot);

}  // namespace chatfmt::detail
