// The adaptive spin budget of a waiting reader or writer (docs/performance.md, "Adaptive
// spinning"): spin only while spinning pays.
#pragma once

#include <chrono>
#include <cstdint>

namespace zerobuffer::detail {

/// Before blocking on a semaphore, a waiter polls it for up to a budget. Polling pays when the
/// peer runs at the same time on another CPU and answers within the budget; it is pure loss when
/// the peer cannot run until the waiter gives up the CPU (both on one CPU), where every wait
/// costs the whole budget before the block. The budget therefore adapts:
///  * a spin that gets its post restores the full configured budget;
///  * a spin that runs out halves it; below 1/16 of the configured budget it becomes 0 (block at once);
///  * at 0, every kProbeEvery-th wait spins with the full budget again, so a peer that moved to
///    another CPU is noticed (cost on one CPU: one budget per kProbeEvery waits).
class AdaptiveSpin {
 public:
  static constexpr std::uint32_t kProbeEvery = 64;

  explicit AdaptiveSpin(std::chrono::nanoseconds configured = {}) noexcept
      : max_(configured.count() > 0 ? configured : std::chrono::nanoseconds(0)), budget_(max_) {}

  /// The budget of the next wait (0: block at once).
  std::chrono::nanoseconds next() noexcept {
    if (budget_.count() == 0 && max_.count() > 0 && ++waits_at_zero_ >= kProbeEvery) {
      waits_at_zero_ = 0;
      return max_;
    }
    return budget_;
  }
  /// The post came while spinning.
  void succeeded() noexcept { budget_ = max_; }
  /// The whole budget passed without a post.
  void ran_out() noexcept {
    budget_ /= 2;
    if (budget_ < max_ / 16) budget_ = std::chrono::nanoseconds(0);
  }
  std::chrono::nanoseconds budget() const noexcept { return budget_; }

 private:
  std::chrono::nanoseconds max_;
  std::chrono::nanoseconds budget_;
  std::uint32_t waits_at_zero_ = 0;
};

}  // namespace zerobuffer::detail
