// The only file of the harness that uses Boost.Process.
#include "process.hpp"

#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <sys/wait.h>
#include <string_view>
#include <thread>
#include <unistd.h>

namespace zbh {
namespace bp = boost::process;

namespace {

constexpr std::size_t kStderrLimit = 256 * 1024;

// Runs in the child between fork and exec: its own process group (so a kill reaches anything
// it starts) and the fixed umask the mode checks rely on.
struct GroupAndUmask : bp::extend::handler {
  template <class Executor>
  void on_exec_setup(Executor&) const {
    ::setpgid(0, 0);
    ::umask(022);
  }
};

// The child's environment, handed to execve directly. (Boost 1.74's environment lookup reads
// past the end of shorter entries, which AddressSanitizer reports; this avoids it.)
struct ExplicitEnvironment : bp::extend::handler {
  char** entries;
  template <class Executor>
  void on_setup(Executor& exec) const {
    exec.env = entries;
  }
};

// Pipe ends are created without FD_CLOEXEC. Spawning under one lock, and marking the parent's
// ends close-on-exec before the lock is released, keeps one serve from inheriting another's
// pipes (which would hide end-of-file from the harness).
std::mutex& spawn_mutex() {
  static std::mutex m;
  return m;
}

void set_cloexec(int fd) { ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC); }

void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

struct ServeProcess::Impl {
  bp::child child;
  int pid = 0;
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  std::thread stdout_thread;
  std::thread stderr_thread;

  mutable std::mutex mutex;
  std::condition_variable lines_changed;
  std::deque<OutputLine> lines;
  bool stdout_eof = false;
  std::string stderr_text;

  bool exited = false;
  int exit_code = 0;
  bool killed = false;

  void read_stdout() {
    std::string partial;
    char buffer[65536];
    while (true) {
      ssize_t n = ::read(stdout_fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      std::lock_guard lock(mutex);
      partial.append(buffer, static_cast<std::size_t>(n));
      std::size_t newline;
      bool any = false;
      while ((newline = partial.find('\n')) != std::string::npos) {
        lines.push_back({partial.substr(0, newline), Clock::now()});
        partial.erase(0, newline + 1);
        any = true;
      }
      if (any) lines_changed.notify_all();
    }
    std::lock_guard lock(mutex);
    if (!partial.empty()) lines.push_back({partial, Clock::now()});
    stdout_eof = true;
    lines_changed.notify_all();
  }

  void read_stderr() {
    char buffer[8192];
    while (true) {
      ssize_t n = ::read(stderr_fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      std::lock_guard lock(mutex);
      stderr_text.append(buffer, static_cast<std::size_t>(n));
      if (stderr_text.size() > kStderrLimit) {
        stderr_text.erase(0, stderr_text.size() - kStderrLimit);
      }
    }
  }

  void reap_if_exited() {
    if (exited) return;
    std::error_code ec;
    if (!child.running(ec)) {
      exited = true;
      exit_code = child.native_exit_code();
    }
  }
};

ServeProcess::ServeProcess(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env)
    : impl_(std::make_unique<Impl>()) {
  if (argv.empty()) throw ProcessError("empty command");
  ignore_sigpipe_once();
  std::vector<std::string> environment;
  for (char** entry = ::environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::string key(text.substr(0, text.find('=')));
    if (env.find(key) == env.end()) environment.emplace_back(text);
  }
  for (const auto& [key, value] : env) environment.push_back(key + "=" + value);
  std::vector<char*> environment_pointers;
  for (auto& entry : environment) environment_pointers.push_back(entry.data());
  environment_pointers.push_back(nullptr);
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  std::string program = argv[0];
  if (program.find('/') == std::string::npos) {
    const auto found = bp::search_path(program);
    if (found.empty()) throw ProcessError("cannot start '" + program + "': not found on PATH");
    program = found.string();
  }
  {
    std::lock_guard lock(spawn_mutex());
    bp::pipe in, out, err;
    std::error_code ec;
    impl_->child = bp::child(bp::exe = program, bp::args = args, bp::std_in < in, bp::std_out > out,
                             bp::std_err > err, ExplicitEnvironment{{}, environment_pointers.data()},
                             GroupAndUmask{}, ec);
    if (ec) throw ProcessError("cannot start '" + program + "': " + ec.message());
    impl_->stdin_fd = in.native_sink();
    impl_->stdout_fd = out.native_source();
    impl_->stderr_fd = err.native_source();
    in.assign_sink(-1);
    out.assign_source(-1);
    err.assign_source(-1);
    for (int fd : {impl_->stdin_fd, impl_->stdout_fd, impl_->stderr_fd}) set_cloexec(fd);
  }
  impl_->pid = impl_->child.id();
  // Also set from the parent: the group must exist before anyone signals it.
  ::setpgid(impl_->pid, impl_->pid);
  impl_->stdout_thread = std::thread([impl = impl_.get()] { impl->read_stdout(); });
  impl_->stderr_thread = std::thread([impl = impl_.get()] { impl->read_stderr(); });
}

ServeProcess::~ServeProcess() {
  impl_->reap_if_exited();
  if (!impl_->exited) kill_group();
  close_stdin();
  if (impl_->stdout_thread.joinable()) impl_->stdout_thread.join();
  if (impl_->stderr_thread.joinable()) impl_->stderr_thread.join();
  if (impl_->stdout_fd >= 0) ::close(impl_->stdout_fd);
  if (impl_->stderr_fd >= 0) ::close(impl_->stderr_fd);
}

int ServeProcess::pid() const { return impl_->pid; }

void ServeProcess::send_line(const std::string& line) {
  if (impl_->stdin_fd < 0) throw ProcessError("stdin already closed");
  std::string data = line + "\n";
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(impl_->stdin_fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ProcessError(std::string("cannot write to the serve's stdin: ") + std::strerror(errno));
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

std::optional<OutputLine> ServeProcess::next_line(Clock::time_point deadline) {
  std::unique_lock lock(impl_->mutex);
  impl_->lines_changed.wait_until(lock, deadline, [&] { return !impl_->lines.empty() || impl_->stdout_eof; });
  if (impl_->lines.empty()) return std::nullopt;
  OutputLine line = std::move(impl_->lines.front());
  impl_->lines.pop_front();
  return line;
}

bool ServeProcess::stdout_ended() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stdout_eof && impl_->lines.empty();
}

bool ServeProcess::running() {
  impl_->reap_if_exited();
  return !impl_->exited;
}

void ServeProcess::close_stdin() {
  if (impl_->stdin_fd >= 0) {
    ::close(impl_->stdin_fd);
    impl_->stdin_fd = -1;
  }
}

void ServeProcess::kill_group(bool reap) {
  impl_->reap_if_exited();
  if (impl_->exited) {
    ::kill(-impl_->pid, SIGKILL);  // anything it left behind in its group
    return;
  }
  impl_->killed = true;
  ::kill(-impl_->pid, SIGKILL);
  if (!reap) return;
  std::error_code ec;
  impl_->child.wait(ec);
  impl_->exited = true;
  impl_->exit_code = impl_->child.native_exit_code();
}

std::optional<int> ServeProcess::wait_exit(Clock::time_point deadline) {
  while (true) {
    impl_->reap_if_exited();
    if (impl_->exited) {
      const int status = impl_->exit_code;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string ServeProcess::exit_description() const {
  if (!impl_->exited) return "still running";
  const int status = impl_->exit_code;
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return std::string(impl_->killed ? "killed by the harness (signal " : "died of signal ") +
           std::to_string(WTERMSIG(status)) + (impl_->killed ? ")" : "");
  }
  return "status " + std::to_string(status);
}

std::string ServeProcess::stderr_text() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stderr_text;
}

bool is_executable(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    struct stat st {};
    return ::stat(program.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(program.c_str(), X_OK) == 0;
  }
  return !bp::search_path(program).empty();
}

int run_quietly(const std::vector<std::string>& argv) {
  if (argv.empty() || !is_executable(argv[0])) return -1;
  std::string program = argv[0];
  if (program.find('/') == std::string::npos) program = bp::search_path(program).string();
  std::error_code ec;
  bp::child child(bp::exe = program, bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()),
                  bp::std_in < bp::null, bp::std_out > bp::null, bp::std_err > bp::null, ec);
  if (ec) return -1;
  child.wait(ec);
  if (ec) return -1;
  return child.exit_code();
}

}  // namespace zbh
