// Test builds only: crash_point(step) ends the process with exit code 86 when the environment
// variable ZEROBUFFER_CRASH_AT names `step`; pause_point(step) stops it (SIGSTOP) the first
// time it is reached when ZEROBUFFER_PAUSE_AT names `step`, so that a test acts on the buffer
// meanwhile and then sends SIGCONT. Compiled in only with ZEROBUFFER_CRASH_POINTS (tests/cpp builds such a copy of the
// library for its crash and race tests; nothing installs it).
#pragma once

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace zerobuffer::detail {

inline constexpr int kCrashExitCode = 86;

inline void crash_point(const char* step) noexcept {
  const char* at = std::getenv("ZEROBUFFER_CRASH_AT");
  if (at != nullptr && std::strcmp(at, step) == 0) ::_exit(kCrashExitCode);
}

inline void pause_point(const char* step) noexcept {
  const char* at = std::getenv("ZEROBUFFER_PAUSE_AT");
  if (at != nullptr && std::strcmp(at, step) == 0) {
    ::unsetenv("ZEROBUFFER_PAUSE_AT");  // once: a loop passing the point again runs on
    ::raise(SIGSTOP);
  }
}

}  // namespace zerobuffer::detail
