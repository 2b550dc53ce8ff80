// zerobuffer-bench: cross-process benchmarks of ZeroBuffer and of the baselines it is judged
// against. Every case prints one JSON object per line on stdout; benchmarks/run.sh collects them
// and benchmarks/report.py turns them into docs/performance.md.
//
//   zerobuffer-bench rtt     --transport T --sizes 64,1024 --fill header|full --spin-ns 20000
//   zerobuffer-bench stream  --transport T --sizes 65536 --ring 16777216 --seconds 0.5
//   zerobuffer-bench wrap    --seconds 0.5
//   zerobuffer-bench failure --repeats 20
//   zerobuffer-bench memcpy  --sizes 64,65536 --ring 16777216
//   zerobuffer-bench info | smoke | transports
//
// Common options: --seconds S (per case), --pin A,B (CPU of role 0 and role 1), --label TEXT.
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common.h"
#include "procs.h"
#include "transports.h"
#include "zerobuffer/zerobuffer.h"

#ifndef ZBB_COMPILER_FLAGS
#define ZBB_COMPILER_FLAGS "unknown"
#endif
#ifndef ZBB_BUILD_TYPE
#define ZBB_BUILD_TYPE "unknown"
#endif

namespace zbb {
namespace {

// ---------------------------------------------------------------------------------------------
// Command line

class Args {
 public:
  Args(int argc, char** argv) {
    for (int i = 2; i < argc; ++i) {
      std::string k = argv[i];
      if (k.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument: " + k);
      k = k.substr(2);
      if (i + 1 >= argc) throw std::invalid_argument("option --" + k + " needs a value");
      kv_[k] = argv[++i];
    }
  }
  std::string str(const std::string& k, const std::string& def) const {
    auto it = kv_.find(k);
    return it == kv_.end() ? def : it->second;
  }
  double num(const std::string& k, double def) const {
    auto it = kv_.find(k);
    if (it == kv_.end()) return def;
    try {
      return std::stod(it->second);
    } catch (const std::exception&) {
      throw std::invalid_argument("option --" + k + " needs a number, got \"" + it->second + "\"");
    }
  }
  std::vector<std::size_t> sizes(const std::string& k, const std::string& def) const {
    std::vector<std::size_t> out;
    std::string s = str(k, def);
    std::size_t pos = 0;
    while (pos <= s.size()) {
      const std::size_t comma = s.find(',', pos);
      const std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (!item.empty()) {
        try {
          out.push_back(static_cast<std::size_t>(std::stoull(item)));
        } catch (const std::exception&) {
          throw std::invalid_argument("option --" + k + ": \"" + item + "\" is not a size");
        }
      }
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    if (out.empty()) throw std::invalid_argument("option --" + k + " is empty");
    return out;
  }

 private:
  std::map<std::string, std::string> kv_;
};

struct Common {
  double seconds = 0.3;
  int pin[2] = {-1, -1};
  std::string label;
};

Common common_options(const Args& a, double default_seconds) {
  Common c;
  c.seconds = a.num("seconds", default_seconds);
  if (!(c.seconds > 0) || c.seconds > 600) throw std::invalid_argument("--seconds must be in (0, 600]");
  const std::string pin = a.str("pin", "");
  if (!pin.empty()) {
    if (std::sscanf(pin.c_str(), "%d,%d", &c.pin[0], &c.pin[1]) != 2) {
      throw std::invalid_argument("--pin needs two CPU numbers, e.g. 0,1");
    }
  }
  c.label = a.str("label", "");
  return c;
}

std::string pin_text(const Common& c) {
  return c.pin[0] < 0 ? std::string("none") : std::to_string(c.pin[0]) + "," + std::to_string(c.pin[1]);
}

std::string unique_name(const char* tag) {
  static int counter = 0;
  return "zbb-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + tag;
}

inline void store64(std::byte* p, std::uint64_t v) noexcept { std::memcpy(p, &v, sizeof v); }
inline std::uint64_t load64(const std::byte* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Reads every 8-byte word of a message (the consumer of the streaming workloads).
std::uint64_t checksum(std::span<const std::byte> d) noexcept {
  std::uint64_t acc = 0;
  const std::size_t words = d.size() / 8;
  const std::byte* p = d.data();
  for (std::size_t w = 0; w < words; ++w) acc += load64(p + 8 * w);
  return acc;
}

volatile std::uint64_t g_sink = 0;

void print(const Json& j) {
  std::printf("%s\n", j.text().c_str());
  std::fflush(stdout);
}

void print_error(const char* bench, const std::string& transport, std::size_t size, const std::string& what) {
  Json j;
  j.str("bench", bench).str("transport", transport).integer("size", static_cast<std::int64_t>(size)).str("error", what);
  print(j);
}

std::string wait_mode(const std::string& transport, std::int64_t spin_ns) {
  if (transport == "spsc") return "busy-poll";
  if (transport == "zerobuffer" || transport == "iceoryx") return spin_ns > 0 ? "spin-then-block" : "block";
  return "block";
}

void put_usage(double* v, const Usage& u) {
  v[0] = u.user_s;
  v[1] = u.sys_s;
  v[2] = static_cast<double>(u.nvcsw);
  v[3] = static_cast<double>(u.nivcsw);
}

// Syscall counts exclude the two reads of the counter itself.
double syscalls_between(std::int64_t a, std::int64_t b) { return (a < 0 || b < 0) ? -1.0 : static_cast<double>(b - a - 1); }

// ---------------------------------------------------------------------------------------------
// Round trip: role 0 writes a frame with a timestamp into "ping"; role 1 echoes it into "pong".

struct RttParams {
  std::string transport;
  std::size_t size = 64;
  bool full = false;
  std::int64_t spin_ns = 20000;
  std::size_t ring = 16u << 20;
  std::size_t max_iters = 200000;
  std::size_t min_iters = 200;
  Common c;
};

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
      const Percentiles pc = summarize(lat);
      double* v = sh.role[0].v;
      v[0] = static_cast<double>(pc.samples);
      v[1] = pc.min, v[2] = pc.p50, v[3] = pc.p90, v[4] = pc.p99, v[5] = pc.p999, v[6] = pc.max, v[7] = pc.mean;
      put_usage(v + 8, du);
      v[12] = syscalls_between(s0, s1);
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
      double* v = sh.role[1].v;
      v[0] = static_cast<double>(count);
      put_usage(v + 8, du);
      v[12] = syscalls_between(s0, s1);
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
  const double* a = out.shared->role[0].v;
  const double* b = out.shared->role[1].v;
  Percentiles pc;
  pc.samples = static_cast<std::size_t>(a[0]);
  pc.min = a[1], pc.p50 = a[2], pc.p90 = a[3], pc.p99 = a[4], pc.p999 = a[5], pc.max = a[6], pc.mean = a[7];
  const double rts = a[0];
  // Role 1 also served the warm-up; its per-round-trip numbers are over everything it echoed.
  const double b_rts = std::max(1.0, b[0]);
  Json j;
  j.str("bench", "rtt").str("transport", p.transport).integer("size", static_cast<std::int64_t>(p.size));
  j.str("fill", p.full ? "full" : "header").str("wait", wait_mode(p.transport, p.spin_ns));
  j.integer("spin_ns", p.spin_ns).integer("ring", static_cast<std::int64_t>(ring)).str("pin", pin_text(p.c));
  j.percentiles("", pc);
  j.num("a_cpu_us_per_rt", (a[8] + a[9]) * 1e6 / rts).num("b_cpu_us_per_rt", (b[8] + b[9]) * 1e6 / b_rts);
  j.num("a_nvcsw_per_1000", a[10] * 1000 / rts).num("b_nvcsw_per_1000", b[10] * 1000 / b_rts);
  j.num("a_syscalls_per_rt", a[12] < 0 ? -1 : a[12] / rts).num("b_syscalls_per_rt", b[12] < 0 ? -1 : b[12] / b_rts);
  if (!p.c.label.empty()) j.str("label", p.c.label);
  print(j);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Streaming: role 0 writes as fast as it can (memcpy of every frame), role 1 reads every word.

struct StreamParams {
  std::string transport;
  std::vector<std::size_t> sizes;  // cycled; more than one only for ZeroBuffer
  std::size_t ring = 16u << 20;
  std::int64_t spin_ns = 20000;
  bool consume_all = true;
  std::string bench = "stream";
  std::string case_name;
  Common c;
};

struct StreamResult {
  bool ok = false;
  double frames = 0, bytes = 0, seconds = 0;
  double w[16] = {}, r[16] = {};
};

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
      double* v = sh.role[1].v;
      v[0] = static_cast<double>(frames);
      v[1] = static_cast<double>(bytes);
      v[2] = static_cast<double>(t1 - t0) * 1e-9;
      put_usage(v + 3, du);
      v[7] = syscalls_between(s0, s1);
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
      double* v = sh.role[0].v;
      v[0] = static_cast<double>(i);
      v[1] = static_cast<double>(bytes);
      v[2] = static_cast<double>(t1 - t0) * 1e-9;
      put_usage(v + 3, du);
      v[7] = syscalls_between(s0, s1);
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
  std::copy(out.shared->role[0].v, out.shared->role[0].v + 16, res.w);
  std::copy(out.shared->role[1].v, out.shared->role[1].v + 16, res.r);
  res.frames = res.r[0];
  res.bytes = res.r[1];
  res.seconds = res.r[2];
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
  j.num("writer_cpu_s_per_gb", (r.w[3] + r.w[4]) / gb).num("reader_cpu_s_per_gb", (r.r[3] + r.r[4]) / gb);
  j.num("writer_cpu_util", (r.w[3] + r.w[4]) / std::max(1e-9, r.w[2]));
  j.num("reader_cpu_util", (r.r[3] + r.r[4]) / std::max(1e-9, r.r[2]));
  j.num("writer_nvcsw_per_1000", r.w[5] * 1000 / frames).num("reader_nvcsw_per_1000", r.r[5] * 1000 / frames);
  j.num("writer_syscalls_per_frame", r.w[7] < 0 ? -1 : r.w[7] / frames);
  j.num("reader_syscalls_per_frame", r.r[7] < 0 ? -1 : r.r[7] / frames);
  if (!p.c.label.empty()) j.str("label", p.c.label);
  return j;
}

// ---------------------------------------------------------------------------------------------
// Failure timing (ZeroBuffer only): how long until the survivor reports a SIGKILLed peer, and
// how long a reader takes to create its buffer over a crashed reader's leftovers.

void remove_zb_leftovers(const std::string& name) {
  ChannelConfig c{name, 64, 4096, 0};
  make_channel("zerobuffer", c)->cleanup();
}

// Waits (sleeping) until shared.stage reaches `stage`; false after `timeout_ms`.
bool wait_stage(SharedBlock& sh, int stage, int timeout_ms) {
  for (int i = 0; i < timeout_ms; ++i) {
    if (sh.stage.load() >= stage) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

void kill_role(pid_t* pids, int role, SharedBlock& sh) {
  sh.mark_ns.store(now_ns());
  ::kill(pids[role], SIGKILL);
  ::waitpid(pids[role], nullptr, 0);  // reaped at once, as a supervisor would
  pids[role] = -1;
}

void run_failure(const Args& a) {
  const int repeats = static_cast<int>(a.num("repeats", 20));
  const std::size_t size = a.sizes("sizes", "65536").front();
  const std::size_t ring = a.sizes("ring", "16777216").front();
  const std::int64_t spin_ns = static_cast<std::int64_t>(a.num("spin-ns", 20000));
  std::mt19937 rng(12345);

  for (const std::string victim : {"writer", "reader"}) {
    std::vector<std::uint64_t> lat;
    std::string error;
    for (int rep = 0; rep < repeats; ++rep) {
      const std::string name = unique_name("fail");
      const int victim_role = victim == "writer" ? 0 : 1;
      auto body = [&](int role, SharedBlock& sh) {
        if (role == 1) {
          zerobuffer::Reader r(name, zerobuffer::BufferConfig{0, ring, 0600, std::chrono::nanoseconds(spin_ns)});
          barrier(sh);
          barrier(sh);
          std::uint64_t frames = 0, acc = 0;
          try {
            while (true) {
              zerobuffer::Frame f = r.read_frame(std::chrono::seconds(10));
              if (!f) throw std::runtime_error("reader: no frame within 10 s");
              acc += checksum(f.data());
              if (++frames == 50) sh.stage.store(1);
            }
          } catch (const zerobuffer::WriterDeadException&) {
            sh.role[1].v[0] = static_cast<double>(now_ns());
          }
          g_sink = acc;
        } else {
          barrier(sh);
          zerobuffer::Writer w(name, zerobuffer::WriterOptions{std::chrono::seconds(10), std::chrono::nanoseconds(spin_ns)});
          barrier(sh);
          std::vector<std::byte> src(size, std::byte{1});
          try {
            while (true) w.write_frame(src);
          } catch (const zerobuffer::ReaderDeadException&) {
            sh.role[0].v[0] = static_cast<double>(now_ns());
          }
        }
      };
      RunOptions opts;
      opts.timeout_s = 20;
      std::uniform_int_distribution<int> delay(5, 40);
      opts.on_started = [&](pid_t* pids, SharedBlock& sh) {
        if (!wait_stage(sh, 1, 10000)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(delay(rng)));
        kill_role(pids, victim_role, sh);
      };
      RunOutcome out = run_roles(body, opts);
      remove_zb_leftovers(name);
      const int survivor = 1 - victim_role;
      const double detected = out.shared->role[survivor].v[0];
      if (!out.ok || detected <= 0) {
        error = out.error.empty() ? "survivor did not report the dead peer" : out.error;
        break;
      }
      lat.push_back(static_cast<std::uint64_t>(detected) - out.shared->mark_ns.load());
    }
    if (!error.empty()) {
      print_error("failure", "zerobuffer", size, victim + " kill: " + error);
      continue;
    }
    Json j;
    j.str("bench", "failure").str("case", victim + "-killed").str("transport", "zerobuffer");
    j.integer("size", static_cast<std::int64_t>(size)).integer("ring", static_cast<std::int64_t>(ring));
    j.str("reported_by", victim == "writer" ? "reader (WriterDead)" : "writer (ReaderDead)");
    j.percentiles("", summarize(lat));
    print(j);
  }

  // Create over stale leftovers vs. a fresh create.
  std::vector<std::uint64_t> stale, fresh;
  std::string error;
  for (int rep = 0; rep < repeats && error.empty(); ++rep) {
    const std::string name = unique_name("stale");
    const std::string fresh_name = unique_name("fresh");
    RunOptions crash;
    crash.roles = 1;
    crash.timeout_s = 20;
    crash.on_started = [&](pid_t* pids, SharedBlock& sh) {
      if (wait_stage(sh, 1, 10000)) kill_role(pids, 0, sh);
    };
    RunOutcome o1 = run_roles(
        [&](int, SharedBlock& sh) {
          zerobuffer::Reader r(name, zerobuffer::BufferConfig{0, ring, 0600, std::chrono::nanoseconds(0)});
          sh.stage.store(1);
          while (true) ::pause();
        },
        crash);
    if (o1.shared->mark_ns.load() == 0) {
      error = "crashing reader did not start: " + o1.error;
      break;
    }
    RunOptions once;
    once.roles = 1;
    once.timeout_s = 20;
    RunOutcome o2 = run_roles(
        [&](int, SharedBlock& sh) {
          const zerobuffer::BufferConfig cfg{0, ring, 0600, std::chrono::nanoseconds(0)};
          const std::uint64_t t0 = now_ns();
          zerobuffer::Reader r(name, cfg);
          const std::uint64_t t1 = now_ns();
          zerobuffer::Reader f(fresh_name, cfg);
          const std::uint64_t t2 = now_ns();
          sh.role[0].v[0] = static_cast<double>(t1 - t0);
          sh.role[0].v[1] = static_cast<double>(t2 - t1);
        },
        once);
    remove_zb_leftovers(name);
    remove_zb_leftovers(fresh_name);
    if (!o2.ok) {
      error = o2.error;
      break;
    }
    stale.push_back(static_cast<std::uint64_t>(o2.shared->role[0].v[0]));
    fresh.push_back(static_cast<std::uint64_t>(o2.shared->role[0].v[1]));
  }
  if (!error.empty()) {
    print_error("failure", "zerobuffer", ring, "stale create: " + error);
    return;
  }
  for (const auto& [which, v] : {std::pair<std::string, std::vector<std::uint64_t>*>{"create-over-stale", &stale},
                                 std::pair<std::string, std::vector<std::uint64_t>*>{"create-fresh", &fresh}}) {
    Json j;
    j.str("bench", "failure").str("case", which).str("transport", "zerobuffer").integer("ring", static_cast<std::int64_t>(ring));
    j.percentiles("", summarize(*v));
    print(j);
  }
}

// ---------------------------------------------------------------------------------------------
// memcpy baselines (one process): cache-hot (same source and destination every time) and into a
// ring (successive destinations through a populated shared mapping, as a writer does).

void run_memcpy(const Args& a) {
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

// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// One role of a cross-language pair (benchmarks/ports/run_ports.py starts the two processes).
// Same roles and frame layout in ports/peer.py and ports/csharp: [0..8) timestamp or sequence,
// [8..16) control word (1 = stop). Readers create their buffers; writers retry until they exist.

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

void cmd_info() {
  Json j;
  j.str("bench", "info").str("compiler", std::string("g++ ") + __VERSION__).str("build_type", ZBB_BUILD_TYPE);
  j.str("flags", ZBB_COMPILER_FLAGS).integer("zerobuffer_default_spin_ns", 20000);
  std::string kinds;
  for (const auto& k : channel_kinds()) {
    if (channel_available(k)) kinds += (kinds.empty() ? "" : ",") + k;
  }
  j.str("transports", kinds);
  SyscallCounter sc;
  j.boolean("syscall_counter", sc.ok());
  print(j);
}

// A quick end-to-end check (well under 2 s) for the benchmark-smoke test.
int cmd_smoke() {
  RttParams r;
  r.transport = "zerobuffer";
  r.size = 64;
  r.c.seconds = 0.05;
  r.max_iters = 2000;
  bool ok = run_rtt(r);
  StreamParams s;
  s.transport = "zerobuffer";
  s.sizes = {65536};
  s.ring = 1u << 20;
  s.c.seconds = 0.1;
  StreamResult sr = run_stream_raw(s);
  if (sr.ok) print(stream_json(s, sr));
  ok = ok && sr.ok && sr.frames > 0;
  return ok ? 0 : 1;
}

// A private lock directory, so that runs never scan (or disturb) other users' lock files.
struct LockDir {
  std::string path;
  LockDir() {
    if (std::getenv("ZEROBUFFER_LOCK_DIR") != nullptr) return;
    char tmpl[] = "/tmp/zbb-locks-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
    ::setenv("ZEROBUFFER_LOCK_DIR", path.c_str(), 1);
  }
  ~LockDir() {
    if (path.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

int usage() {
  std::fprintf(stderr,
               "usage: zerobuffer-bench rtt|stream|wrap|failure|memcpy|percall|peer|info|smoke|transports [--option value]...\n"
               "see the comment at the top of benchmarks/bench.cpp and docs/performance.md\n");
  return 2;
}

}  // namespace
}  // namespace zbb

int main(int argc, char** argv) {
  using namespace zbb;
  if (argc < 2) return usage();
  const std::string cmd = argv[1];
  try {
    init_process_runner();
    LockDir lock_dir;
    const Args args(argc, argv);
    if (cmd == "rtt") {
      cmd_rtt(args);
    } else if (cmd == "stream") {
      cmd_stream(args);
    } else if (cmd == "wrap") {
      cmd_wrap(args);
    } else if (cmd == "failure") {
      run_failure(args);
    } else if (cmd == "memcpy") {
      run_memcpy(args);
    } else if (cmd == "percall") {
      cmd_percall(args);
    } else if (cmd == "peer") {
      cmd_peer(args);
    } else if (cmd == "info") {
      cmd_info();
    } else if (cmd == "smoke") {
      return cmd_smoke();
    } else if (cmd == "transports") {
      for (const auto& k : channel_kinds()) std::printf("%s %s\n", k.c_str(), channel_available(k) ? "yes" : "no");
    } else {
      return usage();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zerobuffer-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
