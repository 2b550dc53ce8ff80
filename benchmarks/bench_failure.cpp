// zerobuffer-bench failure: how long until a survivor reports a SIGKILLed peer, and how long a
// reader takes to create its buffer over a crashed reader's leftovers.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_cases.h"
#include "procs.h"
#include "transports.h"
#include "zerobuffer/zerobuffer.h"

namespace zbb {

// Failure timing (ZeroBuffer only): how long until the survivor reports a SIGKILLed peer, and
// how long a reader takes to create its buffer over a crashed reader's leftovers.

namespace {

// The survivor's report of its peer's death.
struct PeerDeathResult {
  std::uint64_t reported_ns;  // now_ns() when the survivor got WriterDead / ReaderDead; 0 never
};
// One creation over a crashed reader's leftovers and one fresh creation.
struct CreateResult {
  std::uint64_t over_stale_ns;
  std::uint64_t fresh_ns;
};

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

}  // namespace

void cmd_failure(const Args& a) {
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
            sh.role[1].put(PeerDeathResult{now_ns()});
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
            sh.role[0].put(PeerDeathResult{now_ns()});
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
      const std::uint64_t detected = out.shared->role[survivor].get<PeerDeathResult>().reported_ns;
      if (!out.ok || detected == 0) {
        error = out.error.empty() ? "survivor did not report the dead peer" : out.error;
        break;
      }
      lat.push_back(detected - out.shared->mark_ns.load());
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
          sh.role[0].put(CreateResult{t1 - t0, t2 - t1});
        },
        once);
    remove_zb_leftovers(name);
    remove_zb_leftovers(fresh_name);
    if (!o2.ok) {
      error = o2.error;
      break;
    }
    const auto created = o2.shared->role[0].get<CreateResult>();
    stale.push_back(created.over_stale_ns);
    fresh.push_back(created.fresh_ns);
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

}  // namespace zbb
