// zerobuffer-bench rtt: round trips between two processes over two channels.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "bench_cases.h"
#include "procs.h"
#include "transports.h"

namespace zbb {
namespace {

// What each role puts in its result block.
struct RttInitiatorResult {
  Percentiles latency;  // of the measured round trips
  RoleUsage usage;
};
struct RttEchoResult {
  std::uint64_t echoed;  // every frame it echoed, warm-up included
  RoleUsage usage;
};

}  // namespace

// Round trip: role 0 writes a frame with a timestamp into "ping"; role 1 echoes it into "pong".

bool run_rtt(const RttParams& p) {
  if (p.size < 16) throw std::invalid_argument("round-trip frames need at least 16 bytes");
  const std::size_t ring = std::max(p.ring, 2 * (p.size + 16) + 64);
  ChannelConfig cping{unique_name("ping"), p.size, ring, p.spin_ns};
  ChannelConfig cpong{unique_name("pong"), p.size, ring, p.spin_ns};
  auto ping = make_channel(p.transport, cping);
  auto pong = make_channel(p.transport, cpong);
  ping->prepare();
  pong->prepare();
  const std::size_t n = p.size;
  const bool full = p.full;

  auto body = [&](int role, SharedBlock& sh) {
    if (role == 0) {
      auto rx = pong->open_rx();
      barrier(sh);
      auto tx = ping->open_tx();
      barrier(sh);
      std::vector<std::byte> src(n, std::byte{0x5a});
      auto once = [&](std::uint64_t ctl) {
        const std::uint64_t t0 = now_ns();
        std::byte* b = tx->reserve(n);
        if (full) std::memcpy(b, src.data(), n);
        store64(b, t0);
        store64(b + 8, ctl);
        tx->publish();
        auto v = rx->receive(n);
        const std::uint64_t echoed = load64(v.data());
        rx->done();
        const std::uint64_t t1 = now_ns();
        if (echoed != t0) throw std::runtime_error("echo carried a wrong timestamp");
        return t1 - echoed;
      };
      // Warm-up: at least 20 round trips and 30 ms.
      const std::uint64_t warm_end = now_ns() + 30000000ULL;
      for (std::size_t i = 0; i < 20 || now_ns() < warm_end; ++i) once(0);

      std::vector<std::uint64_t> lat;
      lat.reserve(p.max_iters);
      SyscallCounter sc;
      const Usage u0 = Usage::now();
      const std::int64_t s0 = sc.read();
      const std::uint64_t end = now_ns() + static_cast<std::uint64_t>(p.c.seconds * 1e9);
      while (lat.size() < p.max_iters && (lat.size() < p.min_iters || now_ns() < end)) lat.push_back(once(0));
      const std::int64_t s1 = sc.read();
      const Usage du = Usage::now() - u0;
      once(1);
      sh.role[0].put(RttInitiatorResult{summarize(lat), role_usage(du, s0, s1)});
    } else {
      auto rx = ping->open_rx();
      barrier(sh);
      auto tx = pong->open_tx();
      barrier(sh);
      SyscallCounter sc;
      const Usage u0 = Usage::now();
      const std::int64_t s0 = sc.read();
      std::uint64_t count = 0;
      while (true) {
        auto v = rx->receive(n);
        const std::uint64_t ts = load64(v.data());
        const std::uint64_t ctl = load64(v.data() + 8);
        std::byte* o = tx->reserve(n);
        if (full) {
          std::memcpy(o, v.data(), n);
        } else {
          store64(o, ts);
          store64(o + 8, ctl);
        }
        rx->done();
        tx->publish();
        ++count;
        if (ctl == 1) break;
      }
      const std::int64_t s1 = sc.read();
      const Usage du = Usage::now() - u0;
      sh.role[1].put(RttEchoResult{count, role_usage(du, s0, s1)});
    }
  };

  RunOptions opts;
  opts.timeout_s = p.c.seconds + 60;
  opts.pin[0] = p.c.pin[0];
  opts.pin[1] = p.c.pin[1];
  RunOutcome out = run_roles(body, opts);
  ping->cleanup();
  pong->cleanup();
  if (!out.ok) {
    print_error("rtt", p.transport, p.size, out.error);
    return false;
  }
  const auto a = out.shared->role[0].get<RttInitiatorResult>();
  const auto b = out.shared->role[1].get<RttEchoResult>();
  const Percentiles& pc = a.latency;
  const double rts = static_cast<double>(pc.samples);
  // Role 1 also served the warm-up; its per-round-trip numbers are over everything it echoed.
  const double b_rts = std::max(1.0, static_cast<double>(b.echoed));
  Json j;
  j.str("bench", "rtt").str("transport", p.transport).integer("size", static_cast<std::int64_t>(p.size));
  j.str("fill", p.full ? "full" : "header").str("wait", wait_mode(p.transport, p.spin_ns));
  j.integer("spin_ns", p.spin_ns).integer("ring", static_cast<std::int64_t>(ring)).str("pin", pin_text(p.c));
  j.percentiles("", pc);
  j.num("a_cpu_us_per_rt", a.usage.cpu_s() * 1e6 / rts).num("b_cpu_us_per_rt", b.usage.cpu_s() * 1e6 / b_rts);
  j.num("a_nvcsw_per_1000", a.usage.nvcsw * 1000 / rts).num("b_nvcsw_per_1000", b.usage.nvcsw * 1000 / b_rts);
  j.num("a_syscalls_per_rt", a.usage.syscalls < 0 ? -1 : a.usage.syscalls / rts);
  j.num("b_syscalls_per_rt", b.usage.syscalls < 0 ? -1 : b.usage.syscalls / b_rts);
  if (!p.c.label.empty()) j.str("label", p.c.label);
  print(j);
  return true;
}


void cmd_rtt(const Args& a) {
  RttParams p;
  p.c = common_options(a, 0.3);
  p.transport = a.str("transport", "zerobuffer");
  p.full = a.str("fill", "header") == "full";
  p.spin_ns = static_cast<std::int64_t>(a.num("spin-ns", 20000));
  p.ring = a.sizes("ring", "16777216").front();
  p.max_iters = static_cast<std::size_t>(a.num("max-iters", 200000));
  p.min_iters = static_cast<std::size_t>(a.num("min-iters", 200));
  for (const std::size_t n : a.sizes("sizes", "64,1024,4096,65536,1048576,3110416")) {
    p.size = n;
    try {
      run_rtt(p);
    } catch (const std::exception& e) {
      print_error("rtt", p.transport, n, e.what());
    }
  }
}

}  // namespace zbb
