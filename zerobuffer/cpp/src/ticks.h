// When a streaming writer reads the clock: often enough for every 100 ms rule, not once per frame.
#pragma once

#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace zerobuffer::detail {

/// Gates the clock read of a per-frame check behind a CPU tick counter (x86-64: the TSC, one
/// instruction, no call). due() is true on the first call and whenever at least kTicks ticks
/// passed since it last was, or the counter went backwards (another core's TSC); with any TSC
/// of 1 GHz or more that is at most every millisecond, so a check "every 100 ms of wall time"
/// happens at most 1 ms late however far apart the frames are. Where no such counter is known,
/// due() is always true: the clock is read every frame.
class ClockGate {
 public:
  static constexpr std::uint64_t kTicks = 1'000'000;

  bool due() noexcept {
#if defined(__x86_64__)
    const std::uint64_t now = __rdtsc();
    if (now - last_ < kTicks) return false;
    last_ = now;
    return true;
#else
    return true;
#endif
  }

 private:
  std::uint64_t last_ = 0;  // 0: the first call is due (and kTicks ticks after boot have passed)
};

}  // namespace zerobuffer::detail
