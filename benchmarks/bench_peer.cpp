// zerobuffer-bench peer: one role of a cross-language pair.
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench_cases.h"
#include "zerobuffer/zerobuffer.h"

namespace zbb {

// One role of a cross-language pair (benchmarks/ports/run_ports.py starts the two processes).
// Same roles and frame layout in ports/peer.py and ports/csharp: [0..8) timestamp or sequence,
// [8..16) control word (1 = stop). Readers create their buffers; writers retry until they exist.

namespace {

zerobuffer::Writer connect_writer(const std::string& name, std::int64_t spin_ns) {
  const std::uint64_t deadline = now_ns() + 20000000000ULL;
  while (true) {
    try {
      return zerobuffer::Writer(name, zerobuffer::WriterOptions{std::chrono::seconds(10), std::chrono::nanoseconds(spin_ns)});
    } catch (const zerobuffer::BufferNotFoundException&) {
      if (now_ns() > deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
}

}  // namespace

void cmd_peer(const Args& a) {
  const std::string role = a.str("role", "");
  const std::size_t n = a.sizes("size", "64").front();
  const std::size_t ring = a.sizes("ring", "16777216").front();
  const std::int64_t spin_ns = static_cast<std::int64_t>(a.num("spin-ns", 20000));
  const double seconds = a.num("seconds", 0.5);
  const zerobuffer::BufferConfig cfg{0, ring, 0600, std::chrono::nanoseconds(spin_ns)};
  if (n < 16) throw std::invalid_argument("--size must be >= 16");
  if (role == "rtt-init" || role == "rtt-echo") {
    const bool init = role == "rtt-init";
    const std::string ping = a.str("ping", ""), pong = a.str("pong", "");
    zerobuffer::Reader r(init ? pong : ping, cfg);
    zerobuffer::Writer w = connect_writer(init ? ping : pong, spin_ns);
    if (!init) {
      while (true) {
        zerobuffer::Frame f = r.read_frame(std::chrono::seconds(20));
        if (!f) throw std::runtime_error("echo: no frame within 20 s");
        const std::uint64_t ts = load64(f.data().data()), ctl = load64(f.data().data() + 8);
        std::byte* o = w.get_frame_buffer(n).data();
        store64(o, ts);
        store64(o + 8, ctl);
        f.release();
        w.commit_frame();
        if (ctl == 1) return;
      }
    }
    auto once = [&](std::uint64_t ctl) {
      const std::uint64_t t0 = now_ns();
      std::byte* b = w.get_frame_buffer(n).data();
      store64(b, t0);
      store64(b + 8, ctl);
      w.commit_frame();
      zerobuffer::Frame f = r.read_frame(std::chrono::seconds(20));
      if (!f) throw std::runtime_error("init: no echo within 20 s");
      const std::uint64_t echoed = load64(f.data().data());
      f.release();
      return now_ns() - echoed;
    };
    const std::uint64_t warm_end = now_ns() + 50000000ULL;
    for (int i = 0; i < 20 || now_ns() < warm_end; ++i) once(0);
    std::vector<std::uint64_t> lat;
    const std::uint64_t end = now_ns() + static_cast<std::uint64_t>(seconds * 1e9);
    while (lat.size() < 200000 && (lat.size() < 100 || now_ns() < end)) lat.push_back(once(0));
    once(1);
    Json j;
    j.percentiles("", summarize(lat));
    print(j);
  } else if (role == "stream-write") {
    zerobuffer::Writer w = connect_writer(a.str("name", ""), spin_ns);
    std::vector<std::byte> src(n);
    for (std::size_t i = 0; i < n; ++i) src[i] = static_cast<std::byte>(i * 131u);
    const std::uint64_t end = now_ns() + static_cast<std::uint64_t>(seconds * 1e9);
    std::uint64_t i = 1;
    for (;; ++i) {
      std::byte* b = w.get_frame_buffer(n).data();
      std::memcpy(b, src.data(), n);
      store64(b, i);
      store64(b + 8, 0);
      w.commit_frame();
      if ((i & 7) == 0 && now_ns() >= end) break;
    }
    std::byte* b = w.get_frame_buffer(n).data();
    store64(b, i + 1);
    store64(b + 8, 1);
    w.commit_frame();
  } else if (role == "stream-read") {
    zerobuffer::Reader r(a.str("name", ""), cfg);
    std::uint64_t frames = 0, bytes = 0, t0 = 0, next = 1;
    while (true) {
      zerobuffer::Frame f = r.read_frame(std::chrono::seconds(20));
      if (!f) throw std::runtime_error("stream-read: no frame within 20 s");
      if (t0 == 0) t0 = now_ns();
      const std::uint64_t seq = load64(f.data().data());
      if (load64(f.data().data() + 8) == 1) break;
      if (seq != next) throw std::runtime_error("stream-read: sequence " + std::to_string(seq));
      ++next;
      ++frames;
      bytes += f.size();
    }
    const double secs = static_cast<double>(now_ns() - t0) * 1e-9;
    Json j;
    j.num("frames", static_cast<double>(frames)).num("bytes", static_cast<double>(bytes)).num("seconds", secs);
    print(j);
  } else {
    throw std::invalid_argument("--role must be rtt-init, rtt-echo, stream-write or stream-read");
  }
}

}  // namespace zbb
