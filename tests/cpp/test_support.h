// Shared fixtures of the C++ library tests: unique names, an isolated lock directory, a raw
// view of a buffer's OIEB straight from /dev/shm, and child processes.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "zerobuffer/zerobuffer.h"

namespace zbtest {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The library types every test file names.
using zerobuffer::BufferConfig;
using zerobuffer::Frame;
using zerobuffer::Oieb;
using zerobuffer::Reader;
using zerobuffer::Writer;
using zerobuffer::WriterOptions;

/// A buffer name no other test (or run) uses.
std::string unique_name(const std::string& tag = "t");

/// The payload pattern of the serve protocol: byte[i] = (i + 7 * sequence + seed) mod 251.
std::vector<std::byte> pattern(std::size_t size, std::uint64_t sequence, std::uint64_t seed = 0);
bool matches_pattern(std::span<const std::byte> data, std::uint64_t sequence, std::uint64_t seed = 0);
std::span<const std::byte> as_bytes(std::string_view text);

/// True when /dev/shm holds any object of buffer `name` (shm or either semaphore).
bool shm_objects_exist(const std::string& name);
mode_t file_mode(const std::string& path);

/// A read-write mapping of a buffer's shared memory, as a test (or an attacker) sees it.
class RawBuffer {
 public:
  explicit RawBuffer(const std::string& name);
  ~RawBuffer();
  RawBuffer(const RawBuffer&) = delete;
  RawBuffer& operator=(const RawBuffer&) = delete;

  zerobuffer::Oieb oieb() const;
  std::uint64_t& field(std::uint64_t zerobuffer::Oieb::*member);
  std::byte* bytes() const { return base_; }
  std::byte* payload() const { return base_ + zerobuffer::kOiebSize + oieb().metadata_size; }
  std::size_t size() const { return size_; }
  std::vector<std::uint8_t> read(std::size_t offset, std::size_t length) const;

 private:
  std::byte* base_ = nullptr;
  std::size_t size_ = 0;
};

/// A buffer, its reader and a writer connected to it.
struct Connected {
  std::string name;
  Reader reader;
  Writer writer;
};

/// Every test runs with its own ZEROBUFFER_LOCK_DIR and checks that it leaks nothing.
class ZeroBufferTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  /// A fresh buffer of `config` (named by name()) with its reader and a writer of `options`.
  Connected connected(const BufferConfig& config, const WriterOptions& options = {});
  std::string lock_dir_;
  std::vector<std::string> names_;  // buffers this test uses; checked for leaks at the end
  std::string name(const std::string& tag = "t");
};

/// A child process running `argv[0]` with `argv`, with its environment plus `env` ("NAME=value");
/// its stdout goes to a pipe the test reads. Killed and reaped when destroyed.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  /// Reads the child's next stdout line within `timeout` (empty string on timeout/EOF).
  std::string read_line(std::chrono::milliseconds timeout = 5000ms);
  /// Waits until the child stops itself (SIGSTOP); false when it exits instead.
  bool wait_stopped();
  void resume();
  void kill();
  /// Waits for the child to exit; returns its exit code (or -signal).
  int wait();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string pending_;
  bool reaped_ = false;
};

/// A child process running tests/cpp/peer.cpp; it prints "ready" once set up.
class Peer : public Child {
 public:
  explicit Peer(const std::vector<std::string>& args);
};

/// A PID that belonged to a process that has exited.
std::uint64_t dead_pid();

/// Runs `child` in a forked process and returns its exit code (-1 when it did not exit);
/// an exception escaping `child` exits with `on_exception`.
template <typename F>
int in_child(F child, int on_exception) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = on_exception;
    try {
      code = child();
    } catch (...) {
    }
    ::_exit(code);
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace zbtest
