#include "lint/jinja_render.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <simdjson.h>

#include "chatfmt/errors.hpp"
#include "core/json.hpp"
#include "lint/drift.hpp"

extern char** environ;

namespace chatfmt::lint {
namespace {

constexpr int kTemplateDoesNotCompile = 3;  // render_chat_template.py's exit statuses
constexpr int kNoJinja2 = 4;

// An unlinked temporary file: nothing is left behind, whatever ends the run.
std::FILE* anonymous_file() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/chatfmt-jinja.XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    throw UsageError("--template: cannot make a temporary file in " + path.substr(0, path.rfind('/')) + ": " +
                     std::strerror(errno) + "; set TMPDIR to a writable directory");
  }
  ::unlink(path.c_str());
  std::FILE* file = ::fdopen(fd, "w+");
  if (file == nullptr) {
    ::close(fd);
    throw UsageError(std::string("--template: cannot open a temporary file: ") + std::strerror(errno));
  }
  return file;
}

void write_all(std::FILE* file, std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) {
    throw UsageError(std::string("--template: cannot write a temporary file: ") + std::strerror(errno) +
                     "; set TMPDIR to a directory with room");
  }
}

// Debian's python3, which tools/setup.sh installs jinja2 for, unless CHATFMT_PYTHON says otherwise.
std::string python_program() {
  if (const char* chosen = std::getenv("CHATFMT_PYTHON"); chosen != nullptr && *chosen != '\0') return chosen;
  if (::access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
  return "python3";
}

std::string token_of(const nlohmann::json& config, const char* key, std::string fallback) {
  const auto at = config.find(key);
  if (at == config.end()) return fallback;
  if (at->is_string()) return at->get<std::string>();
  if (at->is_object() && at->contains("content") && (*at)["content"].is_string()) return (*at)["content"];
  return fallback;
}

std::string read_rest(std::FILE* file) {
  std::string text;
  std::rewind(file);
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The lines of a file, one at a time, through getline's buffer.
class LineReader {
 public:
  explicit LineReader(std::FILE* file) : file_(file) {}
  ~LineReader() { std::free(buffer_); }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  /// The next line into `line`, without its newline; false at the end.
  bool next(std::string& line) {
    const ssize_t length = ::getline(&buffer_, &capacity_, file_);
    if (length < 0) return false;
    line.assign(buffer_, static_cast<std::size_t>(length));
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return true;
  }

 private:
  std::FILE* file_;
  char* buffer_ = nullptr;
  std::size_t capacity_ = 0;
};

}  // namespace

JinjaRenderer::JinjaRenderer(const std::string& template_path) : template_path_(template_path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(template_path, error) || ::access(template_path.c_str(), R_OK) != 0) {
    throw UsageError("--template " + template_path +
                     ": no such file; give a Jinja chat template file, or the name of a template chatfmt "
                     "renders itself (chatfmt lint --help lists them)");
  }
  name_ = std::filesystem::path(template_path).filename().string();
  // transformers takes bos_token and eos_token from the tokenizer's config, which sits beside the
  // template in a model's files.
  const auto config_path = std::filesystem::path(template_path).parent_path() / "tokenizer_config.json";
  if (std::filesystem::is_regular_file(config_path, error)) {
    std::ifstream in(config_path);
    const auto config = nlohmann::json::parse(in, nullptr, false);
    if (config.is_object()) {
      bos_token_ = token_of(config, "bos_token", bos_token_);
      eos_token_ = token_of(config, "eos_token", eos_token_);
    }
  }
  reset();
}

JinjaRenderer::~JinjaRenderer() {
  if (requests_ != nullptr) std::fclose(requests_);
  if (own_ != nullptr) std::fclose(own_);
}

void JinjaRenderer::reset() {
  if (requests_ != nullptr) std::fclose(requests_);
  if (own_ != nullptr) std::fclose(own_);
  requests_ = nullptr;
  own_ = nullptr;
  requests_ = anonymous_file();
  own_ = anonymous_file();
  paths_.clear();
  pending_.clear();
}

void JinjaRenderer::add(const SourceRef& source, const RecordFacts& facts) {
  if (facts.jinja_kind == RecordFacts::JinjaKind::none) return;
  if (paths_.empty() || paths_.back() != source.path) paths_.push_back(source.path);
  pending_.push_back({static_cast<std::uint32_t>(paths_.size() - 1), facts.jinja_kind, source.line, facts.exact});
  write_all(requests_, facts.jinja_requests);
  if (facts.jinja_kind == RecordFacts::JinjaKind::text || facts.jinja_kind == RecordFacts::JinjaKind::literal_failed) {
    std::string line;
    append_json_string(line, facts.jinja_own);
    line += '\n';
    write_all(own_, line);
  }
}

void JinjaRenderer::finish(const Visit& visit) {
  if (pending_.empty()) return;
  if (std::fflush(requests_) != 0 || std::fflush(own_) != 0) {
    throw UsageError(std::string("--template: cannot write a temporary file: ") + std::strerror(errno));
  }
  std::rewind(requests_);
  std::rewind(own_);
  std::FILE* rendered = anonymous_file();
  std::FILE* messages = anonymous_file();
  struct Closer {
    std::FILE* a;
    std::FILE* b;
    ~Closer() {
      std::fclose(a);
      std::fclose(b);
    }
  } closer{rendered, messages};

  const std::string python = python_program();
  std::vector<std::string> args = {
      python, "-I", "-c", kRenderChatTemplatePy, template_path_, "--bos-token", bos_token_, "--eos-token", eos_token_};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, ::fileno(requests_), 0);
  posix_spawn_file_actions_adddup2(&actions, ::fileno(rendered), 1);
  posix_spawn_file_actions_adddup2(&actions, ::fileno(messages), 2);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  const std::string install = "install python3 and python3-jinja2 (tools/setup.sh does), or set CHATFMT_PYTHON";
  if (spawned != 0) {
    throw UsageError("--template " + template_path_ + " renders with Python's jinja2, and " + python +
                     " cannot be run (" + std::strerror(spawned) + "); " + install);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code == kTemplateDoesNotCompile) {
    throw UsageError("--template " + template_path_ + ": the template does not compile: " + read_rest(messages));
  }
  if (code == kNoJinja2) {
    throw UsageError("--template " + template_path_ + " renders with Python's jinja2, which " + python +
                     " cannot import; " + install);
  }
  if (code != 0) {
    throw UsageError("--template " + template_path_ + ": the renderer (" + python + ") failed with status " +
                     std::to_string(code) + ": " + read_rest(messages));
  }

  std::rewind(rendered);
  LineReader rendered_lines(rendered);
  LineReader own_lines(own_);
  simdjson::dom::parser parser;
  std::string line;
  // The renderer's answer to the next request: its text, or false with `refusal` set.
  auto next_rendering = [&](std::string& text, std::string& refusal) {
    if (!rendered_lines.next(line)) {
      throw UsageError("--template " + template_path_ + ": the renderer stopped early: " + read_rest(messages));
    }
    simdjson::dom::object answer;
    std::string_view value;
    if (parser.parse(line).get(answer) != simdjson::SUCCESS) {
      throw UsageError("--template " + template_path_ + ": the renderer wrote something that is not JSON");
    }
    if (answer["text"].get(value) == simdjson::SUCCESS) {
      text.assign(value);
      return true;
    }
    refusal = answer["error"].get(value) == simdjson::SUCCESS ? std::string(value) : "refused";
    return false;
  };
  auto next_own = [&]() {
    std::string_view value;
    if (!own_lines.next(line) || parser.parse(line).get(value) != simdjson::SUCCESS) {
      throw UsageError("--template: a temporary file was cut short; set TMPDIR to a directory with room");
    }
    return std::string(value);
  };

  RecordFacts facts;
  std::string expected;
  std::string found;
  std::string refusal;
  for (const Pending& record : pending_) {
    facts.clear();
    facts.exact = record.exact;
    const bool parsed_rendered = next_rendering(expected, refusal);
    std::string own_text;
    bool literal_rendered = false;
    std::string literal_refusal;
    switch (record.kind) {
      case RecordFacts::JinjaKind::text:
      case RecordFacts::JinjaKind::literal_failed:
        own_text = next_own();
        break;
      case RecordFacts::JinjaKind::messages:
        literal_rendered = next_rendering(found, literal_refusal);
        break;
      case RecordFacts::JinjaKind::none:
        break;
    }
    const std::string& path = paths_[record.path];
    if (!parsed_rendered) {  // the template refuses the conversation itself: nothing to compare
      if (refused_++ == 0) first_refusal_ = path + ":" + std::to_string(record.line) + ": " + refusal;
      continue;
    }
    ++rendered_;
    const std::string advice =
        "train on the parsed conversation (chatfmt convert --to openai), which the template renders itself";
    switch (record.kind) {
      case RecordFacts::JinjaKind::text:
        report_drift(name_, expected, own_text, advice, facts);
        break;
      case RecordFacts::JinjaKind::literal_failed:
        report_unrenderable(name_, own_text, "chatfmt convert --to openai", facts);
        break;
      case RecordFacts::JinjaKind::messages:
        if (literal_rendered) {
          report_drift(name_, expected, found, advice, facts);
        } else {
          report_unrenderable(name_, literal_refusal, "chatfmt convert --to openai", facts);
        }
        break;
      case RecordFacts::JinjaKind::none:
        break;
    }
    visit(path, record.line, record.exact, facts);
  }
  reset();
}

std::string JinjaRenderer::refusals_note(const std::string& dataset) {
  if (refused_ == 0) return "";
  std::string note = "template-drift: the " + name_ + " template refused " + std::to_string(refused_) + " of " +
                     std::to_string(refused_ + rendered_) + " records of " + dataset +
                     " even parsed, so they were not checked (the first: " + first_refusal_ + ")";
  refused_ = 0;
  rendered_ = 0;
  first_refusal_.clear();
  return note;
}

}  // namespace chatfmt::lint
