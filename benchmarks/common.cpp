#include "common.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace zbb {

Usage Usage::now() noexcept {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  Usage u;
  u.user_s = static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) * 1e-6;
  u.sys_s = static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) * 1e-6;
  u.nvcsw = ru.ru_nvcsw;
  u.nivcsw = ru.ru_nivcsw;
  return u;
}

namespace {
long tracepoint_id() {
  for (const char* path : {"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
                           "/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id"}) {
    std::ifstream in(path);
    long id = -1;
    if (in >> id) return id;
  }
  return -1;
}
}  // namespace

SyscallCounter::SyscallCounter() noexcept {
  const long id = tracepoint_id();
  if (id < 0) return;
  perf_event_attr attr{};
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.size = sizeof attr;
  attr.config = static_cast<std::uint64_t>(id);
  attr.sample_period = 0;
  attr.disabled = 0;
  attr.inherit = 0;
  fd_ = static_cast<int>(::syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
  if (fd_ < 0) fd_ = -1;
}

SyscallCounter::~SyscallCounter() {
  if (fd_ >= 0) ::close(fd_);
}

std::int64_t SyscallCounter::read() const noexcept {
  if (fd_ < 0) return -1;
  std::uint64_t value = 0;
  if (::read(fd_, &value, sizeof value) != static_cast<ssize_t>(sizeof value)) return -1;
  return static_cast<std::int64_t>(value);
}

Percentiles summarize(std::vector<std::uint64_t>& v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  const auto rank = [&](double q) {
    std::size_t i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    if (i > 0) --i;
    return static_cast<double>(v[std::min(i, v.size() - 1)]);
  };
  p.samples = v.size();
  p.min = static_cast<double>(v.front());
  p.max = static_cast<double>(v.back());
  p.p50 = rank(0.50);
  p.p90 = rank(0.90);
  p.p99 = rank(0.99);
  p.p999 = rank(0.999);
  long double sum = 0;
  for (auto x : v) sum += static_cast<long double>(x);
  p.mean = static_cast<double>(sum / static_cast<long double>(v.size()));
  return p;
}

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void Json::key(const char* k) {
  if (!body_.empty()) body_ += ",";
  body_ += "\"";
  body_ += json_escape(k);
  body_ += "\":";
}

Json& Json::num(const char* k, double value) {
  key(k);
  if (!std::isfinite(value)) {
    body_ += "null";
  } else {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    body_ += buf;
  }
  return *this;
}

Json& Json::integer(const char* k, std::int64_t value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}

Json& Json::str(const char* k, const std::string& value) {
  key(k);
  body_ += '"';
  body_ += json_escape(value);
  body_ += '"';
  return *this;
}

Json& Json::boolean(const char* k, bool value) {
  key(k);
  body_ += value ? "true" : "false";
  return *this;
}

Json& Json::percentiles(const char* prefix, const Percentiles& p) {
  const std::string pre(prefix);
  integer((pre + "samples").c_str(), static_cast<std::int64_t>(p.samples));
  num((pre + "min_ns").c_str(), p.min);
  num((pre + "p50_ns").c_str(), p.p50);
  num((pre + "p90_ns").c_str(), p.p90);
  num((pre + "p99_ns").c_str(), p.p99);
  num((pre + "p999_ns").c_str(), p.p999);
  num((pre + "max_ns").c_str(), p.max);
  num((pre + "mean_ns").c_str(), p.mean);
  return *this;
}

bool pin_to_cpu(int cpu) noexcept {
  if (cpu < 0) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return ::sched_setaffinity(0, sizeof set, &set) == 0;
}

}  // namespace zbb
