#include "fuzz_env.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <system_error>

namespace zbfuzz {
namespace {

std::string g_lock_dir;
std::uint64_t g_dead_pid = 0;

void remove_lock_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(g_lock_dir, ignored);
}

}  // namespace

void init_process_env() {
  // On tmpfs: closing an unlinked lock file costs milliseconds on a journaling file system
  // (ext4 frees the inode then), which would dominate the cost of an input.
  g_lock_dir = "/dev/shm/zbfuzz-" + std::to_string(::getpid()) + "-locks";
  std::filesystem::create_directories(g_lock_dir);
  ::setenv("ZEROBUFFER_LOCK_DIR", g_lock_dir.c_str(), 1);
  std::atexit(remove_lock_dir);

  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  if (child < 0 || ::waitpid(child, nullptr, 0) != child) {
    std::perror("zbfuzz: cannot make a dead child");
    std::abort();
  }
  g_dead_pid = static_cast<std::uint64_t>(child);
}

std::string buffer_name(const char* role) { return "zbfuzz-" + std::to_string(::getpid()) + "-" + role; }

std::uint64_t live_pid() { return static_cast<std::uint64_t>(::getpid()); }
std::uint64_t dead_pid() { return g_dead_pid; }

void keep(std::uint64_t value) noexcept {
  static volatile std::uint64_t sink;
  sink = sink + value;
}

std::uint64_t pick_pid(std::uint8_t selector, std::uint64_t raw) {
  switch (selector % 4) {
    case 0: return 0;
    case 1: return live_pid();
    case 2: return dead_pid();
    default: return raw;
  }
}

std::uint64_t pick_value(std::uint8_t selector, std::uint64_t raw, std::uint64_t current, std::uint64_t limit) {
  switch (selector % 6) {
    case 0: return raw;
    case 1: return raw & 0xffff;
    case 2: return current + (raw & 0xff);
    case 3: return current - (raw & 0xff);
    case 4: return limit + (raw & 0x1f) - 0x10;
    default: return std::numeric_limits<std::uint64_t>::max() - (raw & 0xff);
  }
}

}  // namespace zbfuzz
