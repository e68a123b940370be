#include "core/file_policy.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "chatfmt/errors.hpp"

namespace chatfmt {
namespace fs = std::filesystem;

namespace detail {

std::optional<FileId> file_id(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino};
}

bool is_direct_output(const std::string& path) {
  if (path == "-") return true;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  return !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

namespace {

std::string resolved_key(const std::string& path) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) resolved = fs::absolute(path).lexically_normal();
  std::string key = resolved.string();
  while (key.size() > 1 && key.back() == '/') key.pop_back();
  return key;
}

bool is_inside(std::string_view path, std::string_view directory) {
  return path.size() > directory.size() && path.substr(0, directory.size()) == directory &&
         (directory == "/" || path[directory.size()] == '/');
}

}  // namespace

InputGuard::InputGuard(const std::vector<InputFile>& inputs, const std::vector<std::string>& input_roots,
                       bool reads_stdin) {
  for (const auto& input : inputs) {
    if (auto id = file_id(input.path)) inputs_.emplace_back(*id, input.path);
  }
  struct stat st {};
  if (reads_stdin && ::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
    inputs_.emplace_back(FileId{st.st_dev, st.st_ino}, "standard input");
  }
  for (const auto& root : input_roots) {
    std::error_code ec;
    if (root != "-" && fs::is_directory(root, ec)) input_directories_.push_back(resolved_key(root));
  }
}

void InputGuard::claim(const std::string& path, std::string_view role, std::string_view advice) {
  const std::string tail = advice.empty() ? "" : "; " + std::string(advice);
  if (path.empty()) throw UsageError("the " + std::string(role) + " path is empty");
  std::optional<FileId> id;
  std::string key = path;
  if (path == "-") {
    struct stat st {};
    if (::fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode)) id = FileId{st.st_dev, st.st_ino};
  } else {
    id = file_id(path);
    key = resolved_key(path);
    std::error_code ec;
    if (!id && fs::is_symlink(path, ec)) {
      throw UsageError(path + ": the " + std::string(role) + " is a dangling symlink; remove it or point it at a file" +
                       tail);
    }
  }
  if (id) {
    for (const auto& [input_id, input_path] : inputs_) {
      if (input_id == *id) {
        const std::string what = path == "-" ? "standard output" : path;
        throw UsageError(what + ": the " + std::string(role) + " would be the input " + input_path +
                         " (the same file); chatfmt never writes over its input" +
                         (tail.empty() ? "; write somewhere else" : tail));
      }
    }
  }
  if (path == "-") return;
  for (const auto& claimed : claimed_) {
    if (claimed.key == key) {
      throw UsageError(path + ": the " + std::string(role) + " and the " + claimed.role +
                       " would be the same file; give them different paths" + tail);
    }
  }
  for (const auto& directory : input_directories_) {
    if (key == directory) {
      throw UsageError(path + ": the " + std::string(role) + " is the input directory; write somewhere else" + tail);
    }
  }
  claimed_.push_back({key, std::string(role)});
}

void InputGuard::claim_directory(const std::string& path, std::string_view nesting_refused) {
  if (path.empty()) throw UsageError("the output path is empty");
  const std::string key = resolved_key(path);
  const std::string advice = nesting_refused.empty()
                                 ? "write to a directory outside it (an output directory inside the input is fine)"
                                 : std::string(nesting_refused);
  for (const auto& directory : input_directories_) {
    const bool inside = !nesting_refused.empty() && is_inside(key, directory);
    if (key == directory || inside || is_inside(directory, key)) {
      throw UsageError(path + ": the output directory " +
                       std::string(key == directory ? "is"
                                   : inside         ? "is inside"
                                                    : "contains") +
                       " the input directory " + directory + "; " + advice);
    }
  }
  for (const auto& [input_id, input_path] : inputs_) {
    if (input_path != "standard input" && is_inside(resolved_key(input_path), key)) {
      throw UsageError(path + ": the output directory contains the input " + input_path +
                       "; write to a directory that holds no input");
    }
  }
  claimed_.push_back({key, "output directory"});
}

}  // namespace detail

// ---- the input walk ---------------------------------------------------------------------------

namespace {

bool has_jsonl_extension(std::string_view name) {
  constexpr std::string_view suffix = ".jsonl";
  return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

std::string type_name(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  return "not a regular file";
}

// A rejects file of ours: empty, or its first line is a rejects line. Anything else named as the
// rejects file is user data and stays an input, so the guard refuses to write over it.
bool is_rejects_file_of_ours(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  char head[64] = {};
  const std::size_t got = std::fread(head, 1, sizeof head - 1, file);
  std::fclose(file);
  constexpr std::string_view prefix = "{\"path\": \"";
  return got == 0 || std::string_view(head, got).starts_with(prefix);
}

struct Walk {
  const InputOptions& options;
  std::vector<detail::FileId> own_outputs;
  std::string root_key;  // the input directory, resolved
  std::set<std::pair<dev_t, ino_t>> visited_directories;
  InputListing listing;
  std::vector<SkippedInput> problems;

  bool is_own_output(const struct stat& st) const {
    return std::find(own_outputs.begin(), own_outputs.end(), detail::FileId{st.st_dev, st.st_ino}) != own_outputs.end();
  }

  void problem(const std::string& path, std::string reason) { problems.push_back({path, std::move(reason)}); }

  void directory(const std::string& path, const std::string& relative) {
    std::error_code ec;
    std::vector<std::string> names;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) {
      problem(path, "cannot list the directory: " + ec.message());
      return;
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      entry(path + (path.ends_with('/') ? "" : "/") + name, relative.empty() ? name : relative + "/" + name, name);
    }
  }

  void entry(const std::string& path, const std::string& relative, const std::string& name) {
    struct stat link {};
    if (::lstat(path.c_str(), &link) != 0) {
      if (has_jsonl_extension(name)) problem(path, std::string("cannot be read: ") + std::strerror(errno));
      return;
    }
    const bool is_link = S_ISLNK(link.st_mode);
    struct stat st = link;
    if (is_link && ::stat(path.c_str(), &st) != 0) {
      const int error = errno;
      if (has_jsonl_extension(name)) {
        problem(path, error == ELOOP    ? "a symlink loop"
                      : error == ENOENT ? "a dangling symlink"
                                        : std::string("cannot be read: ") + std::strerror(error));
      }
      return;
    }
    if (is_own_output(st) && (S_ISDIR(st.st_mode) || is_rejects_file_of_ours(path))) {
      listing.notices.push_back(path + ": not read: it is this run's own output");
      return;
    }
    const bool wanted = S_ISDIR(st.st_mode) || has_jsonl_extension(name);
    if (!wanted) return;
    if (is_link) {
      std::error_code ec;
      const std::string target = fs::canonical(path, ec).string();
      const bool inside = !ec && (target == root_key || target.starts_with(root_key + "/"));
      if (!inside && !options.follow_symlinks) {
        problem(path, "a symlink out of the input directory (to " + (ec ? std::string("?") : target) +
                          "); pass --follow-symlinks to read it");
        return;
      }
      if (S_ISDIR(st.st_mode) && !options.follow_symlinks) {
        if (has_jsonl_extension(name)) {
          problem(path, "a symlink to a directory, named like a data file; pass --follow-symlinks to read below it");
        } else {
          listing.notices.push_back(path +
                                    ": symlinked directory not followed (its files are read at their own "
                                    "path; --follow-symlinks follows it)");
        }
        return;
      }
    }
    if (S_ISDIR(st.st_mode)) {
      if (!visited_directories.insert({st.st_dev, st.st_ino}).second) {
        listing.notices.push_back(path + ": directory already read (a symlink loop ends here)");
        return;
      }
      directory(path, relative);
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      problem(path, "is " + type_name(st.st_mode) + ", not a regular file (give it as IN itself to read it)");
      return;
    }
    if (::access(path.c_str(), R_OK) != 0) {
      problem(path, std::string("cannot be read: ") + std::strerror(errno));
      return;
    }
    listing.files.push_back({path, relative});
  }
};

}  // namespace

InputListing list_inputs(const std::string& path, const InputOptions& options,
                         const std::vector<std::string>& own_outputs) {
  InputListing listing;
  struct stat st {};
  if (path == "-") {
    listing.files.push_back({"-", "stdin.jsonl"});
    return listing;
  }
  if (path.empty()) throw UsageError("the input path is empty");
  if (::stat(path.c_str(), &st) != 0) {
    throw UsageError(path + ": " + (errno == ENOENT ? std::string("no such file or directory") : std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    // A file, FIFO or device named on the command line is read as given (process substitution).
    listing.files.push_back({path, fs::path(path).filename().string()});
    return listing;
  }
  Walk walk{options, {}, {}, {}, {}, {}};
  for (const auto& output : own_outputs) {
    if (auto id = detail::file_id(output)) walk.own_outputs.push_back(*id);
  }
  std::error_code ec;
  walk.root_key = fs::canonical(path, ec).string();
  if (ec) throw UsageError(path + ": cannot resolve the directory: " + ec.message());
  walk.visited_directories.insert({st.st_dev, st.st_ino});
  walk.directory(path, "");
  listing = std::move(walk.listing);
  if (!walk.problems.empty()) {
    if (!options.skip_unreadable) {
      std::string message = path + ": " + std::to_string(walk.problems.size()) + " entr" +
                            (walk.problems.size() == 1 ? "y" : "ies") + " cannot be read:";
      for (const auto& p : walk.problems) message += "\n  " + p.path + ": " + p.reason;
      message += "\nnothing was read or written; fix them, or pass --skip-unreadable to read the rest";
      throw UsageError(message);
    }
    listing.skipped = std::move(walk.problems);
  }
  std::sort(listing.files.begin(), listing.files.end(),
            [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
  if (listing.files.empty()) throw UsageError(path + ": no *.jsonl files below this directory");
  return listing;
}

}  // namespace chatfmt
