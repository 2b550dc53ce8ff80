// Deadlines of blocking calls (protocol.md §6, rules time.deadline and time.forever).
#pragma once

#include <algorithm>
#include <chrono>

#include "posix.h"

namespace zerobuffer::detail {

/// `now + timeout`, saturated: a negative timeout is `now` (do not wait), and a timeout whose
/// end does not fit the clock — `milliseconds::max()` among them — is `time_point::max()`,
/// a deadline that never passes. Plain `now + milliseconds::max()` overflows.
inline Clock::time_point deadline_after(Clock::time_point now, std::chrono::milliseconds timeout) noexcept {
  if (timeout <= std::chrono::milliseconds::zero()) return now;
  const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - now);
  if (timeout >= room) return Clock::time_point::max();
  return now + timeout;
}

}  // namespace zerobuffer::detail
