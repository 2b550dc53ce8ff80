// zerobuffer-bench: the subcommands (one file each) and the workloads the smoke test reuses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench_cli.h"
#include "common.h"

namespace zbb {

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

/// One round-trip case; prints its JSON line (or an error line). False when it failed.
bool run_rtt(const RttParams& p);

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

/// What each streaming role puts in its result block.
struct StreamRoleResult {
  double frames = 0, bytes = 0, seconds = 0;
  RoleUsage usage;
};

struct StreamResult {
  bool ok = false;
  double frames = 0, bytes = 0, seconds = 0;
  StreamRoleResult w, r;  // writer, reader
};

StreamResult run_stream_raw(const StreamParams& p);
Json stream_json(const StreamParams& p, const StreamResult& r);

void cmd_rtt(const Args& a);
void cmd_stream(const Args& a);
void cmd_wrap(const Args& a);
void cmd_failure(const Args& a);
void cmd_memcpy(const Args& a);
void cmd_percall(const Args& a);
void cmd_peer(const Args& a);

}  // namespace zbb
