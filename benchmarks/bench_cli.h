// zerobuffer-bench: the command line of every subcommand and the helpers they share.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "common.h"

namespace zbb {

/// The options after the subcommand (`--name value` or `--name=value`), parsed with cxxopts.
/// Every subcommand takes options from one set; unknown options and stray arguments are errors.
class Args {
 public:
  Args(int argc, char** argv);  // argv[1] is the subcommand
  std::string str(const std::string& k, const std::string& def) const;
  double num(const std::string& k, double def) const;
  /// A comma-separated list of sizes (at least one).
  std::vector<std::size_t> sizes(const std::string& k, const std::string& def) const;

 private:
  std::map<std::string, std::string> kv_;
};

struct Common {
  double seconds = 0.3;
  int pin[2] = {-1, -1};
  std::string label;
};

/// --seconds, --pin A,B, --label.
Common common_options(const Args& a, double default_seconds);
std::string pin_text(const Common& c);
/// A buffer name unique to this process and call, with the prefix run.sh cleans up (zbb-).
std::string unique_name(const char* tag);

inline void store64(std::byte* p, std::uint64_t v) noexcept { std::memcpy(p, &v, sizeof v); }
inline std::uint64_t load64(const std::byte* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// Reads every 8-byte word of a message (the consumer of the streaming workloads).
std::uint64_t checksum(std::span<const std::byte> d) noexcept;

/// Keeps results of reads alive for the optimiser.
extern volatile std::uint64_t g_sink;

void print(const Json& j);
void print_error(const char* bench, const std::string& transport, std::size_t size, const std::string& what);
std::string wait_mode(const std::string& transport, std::int64_t spin_ns);

/// getrusage differences and the system calls of one role, as it puts them in its result.
struct RoleUsage {
  double user_s = 0, sys_s = 0, nvcsw = 0, nivcsw = 0;
  double syscalls = -1;  // -1: no counter
  double cpu_s() const { return user_s + sys_s; }
};
RoleUsage role_usage(const Usage& u, std::int64_t syscalls_before, std::int64_t syscalls_after);

}  // namespace zbb
