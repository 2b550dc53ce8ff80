// A serve process: spawned in its own process group with umask 022, talked to by lines on
// stdin/stdout, stderr collected for failure reports. The implementation is the only place in
// the harness that uses Boost.Process.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace zbh {

class ProcessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Clock = std::chrono::steady_clock;

struct OutputLine {
  std::string text;
  Clock::time_point received;  // when the harness read it from the pipe
};

class ServeProcess {
 public:
  // Starts argv[0] (a path, or a name looked up on PATH) with argv[1..], this process's
  // environment plus `env`. Throws ProcessError.
  ServeProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
  ~ServeProcess();  // kills the process group if it still runs
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int pid() const;

  // Writes one line (a newline is appended). Throws ProcessError when stdin is closed.
  void send_line(const std::string& line);

  // The next stdout line, or nullopt at the deadline or once stdout reached end of file.
  std::optional<OutputLine> next_line(Clock::time_point deadline);
  bool stdout_ended() const;

  bool running();
  void close_stdin();
  // SIGKILL to the whole process group, then reap. With `reap` false the process stays a
  // zombie until running(), wait_exit() or the destructor reaps it.
  void kill_group(bool reap = true);
  // Waits for exit until the deadline: the exit code (minus the signal number if a signal
  // ended it), or nullopt if it still runs.
  std::optional<int> wait_exit(Clock::time_point deadline);
  // How it ended, for logs ("exit code 0", "killed by signal 9").
  std::string exit_description() const;

  // Everything written to stderr so far (the last 256 KiB of it).
  std::string stderr_text() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when `program` can be executed: a path with '/' that is executable, or a name on PATH.
bool is_executable(const std::string& program);

// Runs argv to completion with no input and output discarded; its exit status, or -1 when it
// could not be started or did not exit normally. For probes such as `unshare --pid --fork true`.
int run_quietly(const std::vector<std::string>& argv);

}  // namespace zbh
