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
// One file per subcommand: bench_rtt.cpp, bench_stream.cpp (stream, wrap), bench_failure.cpp,
// bench_local.cpp (memcpy, percall), bench_peer.cpp; the command line is bench_cli.cpp.
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "bench_cases.h"
#include "procs.h"
#include "transports.h"

#ifndef ZBB_COMPILER_FLAGS
#define ZBB_COMPILER_FLAGS "unknown"
#endif
#ifndef ZBB_BUILD_TYPE
#define ZBB_BUILD_TYPE "unknown"
#endif

namespace zbb {
namespace {

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
      cmd_failure(args);
    } else if (cmd == "memcpy") {
      cmd_memcpy(args);
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
