// zerobuffer-bench stream and wrap: one process writes as fast as it can, the other reads.
#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include "bench_cases.h"
#include "procs.h"
#include "transports.h"

namespace zbb {

// Streaming: role 0 writes as fast as it can (memcpy of every frame), role 1 reads every word.

StreamResult run_stream_raw(const StreamParams& p) {
  StreamResult res;
  const std::size_t max_size = *std::max_element(p.sizes.begin(), p.sizes.end());
  if (*std::min_element(p.sizes.begin(), p.sizes.end()) < 16) throw std::invalid_argument("stream frames need >= 16 bytes");
  if (p.sizes.size() > 1 && p.transport != "zerobuffer") {
    throw std::invalid_argument("mixed frame sizes are only implemented for zerobuffer");
  }
  ChannelConfig cc{unique_name("stream"), max_size, p.ring, p.spin_ns};
  auto ch = make_channel(p.transport, cc);
  ch->prepare();
  const std::vector<std::size_t> sizes = p.sizes;
  const std::size_t expected = sizes.front();

  auto body = [&](int role, SharedBlock& sh) {
    if (role == 1) {  // reader
      auto rx = ch->open_rx();
      barrier(sh);
      barrier(sh);
      SyscallCounter sc;
      const Usage u0 = Usage::now();
      const std::int64_t s0 = sc.read();
      const std::uint64_t t0 = now_ns();
      std::uint64_t next = 1, frames = 0, bytes = 0, acc = 0;
      while (true) {
        auto v = rx->receive(expected);
        const std::uint64_t seq = load64(v.data());
        if (load64(v.data() + 8) == 1) {
          rx->done();
          break;
        }
        if (seq != next) {
          throw std::runtime_error("stream: frame " + std::to_string(seq) + " where " + std::to_string(next) +
                                   " was expected");
        }
        ++next;
        if (p.consume_all) acc += checksum(v);
        ++frames;
        bytes += v.size();
        rx->done();
      }
      const std::uint64_t t1 = now_ns();
      const std::int64_t s1 = sc.read();
      const Usage du = Usage::now() - u0;
      g_sink = acc;
      sh.role[1].put(StreamRoleResult{static_cast<double>(frames), static_cast<double>(bytes),
                                      static_cast<double>(t1 - t0) * 1e-9, role_usage(du, s0, s1)});
    } else {  // writer
      barrier(sh);
      auto tx = ch->open_tx();
      std::vector<std::byte> src(max_size);
      for (std::size_t i = 0; i < max_size; ++i) src[i] = static_cast<std::byte>(i * 131u);
      barrier(sh);
      SyscallCounter sc;
      const Usage u0 = Usage::now();
      const std::int64_t s0 = sc.read();
      const std::uint64_t t0 = now_ns();
      const std::uint64_t end = t0 + static_cast<std::uint64_t>(p.c.seconds * 1e9);
      std::uint64_t i = 1, bytes = 0;
      const std::size_t k = sizes.size();
      for (;; ++i) {
        const std::size_t n = sizes[i % k];
        std::byte* b = tx->reserve(n);
        std::memcpy(b, src.data(), n);
        store64(b, i);
        store64(b + 8, 0);
        tx->publish();
        bytes += n;
        if ((i & 7) == 0 && now_ns() >= end) break;
      }
      std::byte* b = tx->reserve(expected);
      store64(b, i + 1);
      store64(b + 8, 1);
      tx->publish();
      const std::uint64_t t1 = now_ns();
      const std::int64_t s1 = sc.read();
      const Usage du = Usage::now() - u0;
      sh.role[0].put(StreamRoleResult{static_cast<double>(i), static_cast<double>(bytes),
                                      static_cast<double>(t1 - t0) * 1e-9, role_usage(du, s0, s1)});
    }
  };
  RunOptions opts;
  opts.timeout_s = p.c.seconds + 60;
  opts.pin[0] = p.c.pin[0];
  opts.pin[1] = p.c.pin[1];
  RunOutcome out = run_roles(body, opts);
  ch->cleanup();
  if (!out.ok) {
    print_error(p.bench.c_str(), p.transport, max_size, out.error);
    return res;
  }
  res.ok = true;
  res.w = out.shared->role[0].get<StreamRoleResult>();
  res.r = out.shared->role[1].get<StreamRoleResult>();
  res.frames = res.r.frames;
  res.bytes = res.r.bytes;
  res.seconds = res.r.seconds;
  return res;
}

Json stream_json(const StreamParams& p, const StreamResult& r) {
  Json j;
  const double gb = r.bytes / 1e9;
  const double frames = std::max(1.0, r.frames);
  j.str("bench", p.bench);
  if (!p.case_name.empty()) j.str("case", p.case_name);
  j.str("transport", p.transport);
  if (p.sizes.size() == 1) {
    j.integer("size", static_cast<std::int64_t>(p.sizes[0]));
  } else {
    j.str("size", "mixed").num("mean_size", r.bytes / frames);
  }
  j.integer("ring", static_cast<std::int64_t>(p.ring)).str("wait", wait_mode(p.transport, p.spin_ns));
  j.integer("spin_ns", p.spin_ns).str("pin", pin_text(p.c)).str("consume", p.consume_all ? "all" : "header");
  j.num("frames", r.frames).num("seconds", r.seconds);
  j.num("frames_per_s", r.frames / r.seconds).num("gb_per_s", gb / r.seconds);
  j.num("writer_cpu_s_per_gb", r.w.usage.cpu_s() / gb).num("reader_cpu_s_per_gb", r.r.usage.cpu_s() / gb);
  j.num("writer_cpu_util", r.w.usage.cpu_s() / std::max(1e-9, r.w.seconds));
  j.num("reader_cpu_util", r.r.usage.cpu_s() / std::max(1e-9, r.r.seconds));
  j.num("writer_nvcsw_per_1000", r.w.usage.nvcsw * 1000 / frames);
  j.num("reader_nvcsw_per_1000", r.r.usage.nvcsw * 1000 / frames);
  j.num("writer_syscalls_per_frame", r.w.usage.syscalls < 0 ? -1 : r.w.usage.syscalls / frames);
  j.num("reader_syscalls_per_frame", r.r.usage.syscalls < 0 ? -1 : r.r.usage.syscalls / frames);
  if (!p.c.label.empty()) j.str("label", p.c.label);
  return j;
}


void cmd_stream(const Args& a) {
  StreamParams p;
  p.c = common_options(a, 0.5);
  p.transport = a.str("transport", "zerobuffer");
  p.spin_ns = static_cast<std::int64_t>(a.num("spin-ns", 20000));
  p.consume_all = a.str("consume", "all") == "all";
  const auto rings = a.sizes("ring", "16777216");
  for (const std::size_t ring : rings) {
    for (const std::size_t n : a.sizes("sizes", "64,1024,65536,1048576,3110416")) {
      p.sizes = {n};
      p.ring = ring;
      try {
        if (2 * (n + 16) + 64 > ring && (p.transport == "zerobuffer" || p.transport == "spsc")) {
          throw std::invalid_argument("ring " + std::to_string(ring) + " too small for frames of " + std::to_string(n));
        }
        StreamResult r = run_stream_raw(p);
        if (r.ok) print(stream_json(p, r));
      } catch (const std::exception& e) {
        print_error("stream", p.transport, n, e.what());
      }
    }
  }
}

// Wrap-heavy streams against no-wrap controls of equal capacity where one exists.
void cmd_wrap(const Args& a) {
  StreamParams p;
  p.c = common_options(a, 0.5);
  p.transport = "zerobuffer";
  p.bench = "wrap";
  p.spin_ns = static_cast<std::int64_t>(a.num("spin-ns", 20000));
  std::mt19937 rng(4242);
  std::uniform_int_distribution<std::size_t> small(16, 32752);  // T <= 32 KiB = P/2 of a 96 KiB ring
  std::vector<std::size_t> mixed(4099);
  for (auto& s : mixed) s = small(rng);
  struct Case {
    const char* name;
    std::vector<std::size_t> sizes;
    std::size_t ring;
    bool wraps;
  };
  const std::vector<Case> cases = {
      {"fixed-112B", {112}, 128, false},         // T = 128 = P: every frame at offset 0, exact fit
      {"fixed-112B", {112}, 192, true},          // P = 1.5 T: a wrap marker before every frame
      {"fixed-64KiB", {65520}, 65536, false},    // T = 64 KiB = P
      {"fixed-64KiB", {65520}, 98304, true},     // P = 1.5 T
      {"random-16B-32KiB", mixed, 16u << 20, false},  // wraps about once per 1000 frames
      {"random-16B-32KiB", mixed, 98304, true},       // P = 1.5 x 64 KiB: wraps every few frames
  };
  for (const Case& c : cases) {
    p.sizes = c.sizes;
    p.ring = c.ring;
    p.case_name = c.name;
    try {
      StreamResult r = run_stream_raw(p);
      if (r.ok) {
        Json j = stream_json(p, r);
        j.boolean("wrap_heavy", c.wraps);
        print(j);
      }
    } catch (const std::exception& e) {
      print_error("wrap", "zerobuffer", c.sizes.front(), e.what());
    }
  }
}

}  // namespace zbb
