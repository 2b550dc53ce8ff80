// Test builds only: crash_point(step) ends the process with exit code 86 when the environment
// variable ZEROBUFFER_CRASH_AT names `step`. Compiled in only with ZEROBUFFER_CRASH_POINTS
// (tests/cpp builds such a copy of the library for its crash tests; nothing installs it).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace zerobuffer::detail {

inline constexpr int kCrashExitCode = 86;

inline void crash_point(const char* step) noexcept {
  const char* at = std::getenv("ZEROBUFFER_CRASH_AT");
  if (at != nullptr && std::strcmp(at, step) == 0) ::_exit(kCrashExitCode);
}

}  // namespace zerobuffer::detail
