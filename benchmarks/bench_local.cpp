// zerobuffer-bench memcpy and percall: single-process baselines and per-frame cost.
#include <sys/mman.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "bench_cases.h"
#include "transports.h"

namespace zbb {

// memcpy baselines (one process): cache-hot (same source and destination every time) and into a
// ring (successive destinations through a populated shared mapping, as a writer does).

void cmd_memcpy(const Args& a) {
  const Common c = common_options(a, 0.2);
  const auto sizes = a.sizes("sizes", "64,1024,4096,65536,1048576,3110416");
  const auto rings = a.sizes("ring", "16777216");
  for (const std::size_t n : sizes) {
    std::vector<std::byte> src(n, std::byte{7});
    for (int kind = 0; kind < 2; ++kind) {
      for (const std::size_t ring_req : (kind == 0 ? std::vector<std::size_t>{0} : rings)) {
        const std::size_t ring = kind == 0 ? n : std::max(ring_req, n);
        void* mem = ::mmap(nullptr, ring, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (mem == MAP_FAILED) throw std::runtime_error("mmap failed");
        auto* dst = static_cast<std::byte*>(mem);
        std::size_t off = 0;
        std::uint64_t copies = 0;
        const std::uint64_t t0 = now_ns();
        const std::uint64_t end = t0 + static_cast<std::uint64_t>(c.seconds * 1e9);
        std::uint64_t t1 = t0;
        while (true) {
          if (off + n > ring) off = 0;
          std::memcpy(dst + off, src.data(), n);
          if (kind == 1) off += n;
          ++copies;
          if ((copies & 15) == 0 && (t1 = now_ns()) >= end) break;
        }
        g_sink = static_cast<std::uint64_t>(dst[0]);
        ::munmap(mem, ring);
        const double secs = static_cast<double>(t1 - t0) * 1e-9;
        Json j;
        j.str("bench", "memcpy").str("transport", kind == 0 ? "memcpy-hot" : "memcpy-ring");
        j.integer("size", static_cast<std::int64_t>(n)).integer("ring", static_cast<std::int64_t>(kind == 0 ? 0 : ring));
        j.num("gb_per_s", static_cast<double>(copies) * static_cast<double>(n) / 1e9 / secs);
        j.num("ns_per_copy", secs * 1e9 / static_cast<double>(copies));
        print(j);
      }
    }
  }
}

// Per-frame CPU cost without a second process: write one frame and read it back on one thread,
// so no cache line moves between cores and nobody waits. Isolates the instructions (and
// uncontended atomics) each transport spends per frame; run under callgrind for exact counts.
void cmd_percall(const Args& a) {
  const std::string transport = a.str("transport", "zerobuffer");
  const std::size_t n = a.sizes("sizes", "64").front();
  const std::size_t ring = a.sizes("ring", "16777216").front();
  const auto frames = static_cast<std::uint64_t>(a.num("frames", 1000000));
  ChannelConfig cc{unique_name("percall"), n, ring, 20000};
  auto ch = make_channel(transport, cc);
  if (!ch->zero_copy()) throw std::invalid_argument("percall needs a shared-memory transport");
  ch->prepare();
  auto rx = ch->open_rx();
  auto tx = ch->open_tx();
  std::uint64_t acc = 0;
  double best = 1e300;
  // Three passes, the fastest counts: a pass that was preempted is not the cost of a frame.
  for (int pass = 0; pass < 3; ++pass) {
    const std::uint64_t t0 = now_ns();
    for (std::uint64_t i = 0; i < frames; ++i) {
      std::byte* b = tx->reserve(n);
      store64(b, i);
      store64(b + 8, 0);
      tx->publish();
      auto v = rx->receive(n);
      acc += load64(v.data());
      rx->done();
    }
    best = std::min(best, static_cast<double>(now_ns() - t0) / static_cast<double>(frames));
  }
  rx.reset();
  tx.reset();
  ch->cleanup();
  g_sink = acc;
  Json j;
  j.str("bench", "percall").str("transport", transport).integer("size", static_cast<std::int64_t>(n));
  j.integer("ring", static_cast<std::int64_t>(ring)).num("ns_per_frame", best);
  const std::string label = a.str("label", "");
  if (!label.empty()) j.str("label", label);
  print(j);
}

}  // namespace zbb
