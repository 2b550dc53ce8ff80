// Small helpers shared by the benchmark programs: clocks, statistics, resource usage, a
// system-call counter, JSON output and CPU pinning. Nothing here knows about transports.
#pragma once

#include <sys/resource.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace zbb {

/// CLOCK_MONOTONIC in nanoseconds; comparable across processes of one machine.
inline std::uint64_t now_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// Resource usage of the calling process (all its threads).
struct Usage {
  double user_s = 0;
  double sys_s = 0;
  long nvcsw = 0;   ///< voluntary context switches (blocked in the kernel)
  long nivcsw = 0;  ///< involuntary context switches (preempted)
  static Usage now() noexcept;
  Usage operator-(const Usage& o) const noexcept {
    return {user_s - o.user_s, sys_s - o.sys_s, nvcsw - o.nvcsw, nivcsw - o.nivcsw};
  }
};

/// Counts the system calls this process enters, through the raw_syscalls:sys_enter tracepoint
/// (perf_event_open). ok() is false where the kernel does not allow it; counts are then -1.
class SyscallCounter {
 public:
  SyscallCounter() noexcept;
  ~SyscallCounter();
  SyscallCounter(const SyscallCounter&) = delete;
  SyscallCounter& operator=(const SyscallCounter&) = delete;
  bool ok() const noexcept { return fd_ >= 0; }
  /// Current count (each read is itself one system call, which the caller may subtract).
  std::int64_t read() const noexcept;

 private:
  int fd_ = -1;
};

/// Latency summary in nanoseconds.
struct Percentiles {
  std::size_t samples = 0;
  double min = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
};
/// Sorts `v` and summarises it (nearest-rank percentiles).
Percentiles summarize(std::vector<std::uint64_t>& v);

/// One flat JSON object, built key by key, printed on one line.
class Json {
 public:
  Json& num(const char* key, double value);
  Json& integer(const char* key, std::int64_t value);
  Json& str(const char* key, const std::string& value);
  Json& boolean(const char* key, bool value);
  Json& percentiles(const char* prefix, const Percentiles& p);
  std::string text() const { return "{" + body_ + "}"; }

 private:
  void key(const char* k);
  std::string body_;
};
std::string json_escape(const std::string& s);

/// Pins the calling process to one CPU (ignored when cpu < 0). Returns false on failure.
bool pin_to_cpu(int cpu) noexcept;

}  // namespace zbb
