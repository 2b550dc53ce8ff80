#include "bench_cli.h"

#include <cxxopts.hpp>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace zbb {

namespace {
// Every option of every subcommand (see the comment at the top of bench.cpp).
constexpr const char* kOptions[] = {"transport", "sizes", "size", "ring", "fill", "spin-ns", "seconds", "pin", "label",
                                    "max-iters", "min-iters", "consume", "repeats", "frames", "role", "name", "ping",
                                    "pong"};
}  // namespace

Args::Args(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  cxxopts::Options options("zerobuffer-bench " + cmd);
  for (const char* name : kOptions) options.add_options()(name, "", cxxopts::value<std::string>());
  const cxxopts::ParseResult parsed = options.parse(argc - 1, argv + 1);
  if (!parsed.unmatched().empty()) throw std::invalid_argument("unexpected argument: " + parsed.unmatched().front());
  for (const char* name : kOptions) {
    if (parsed.count(name) != 0) kv_[name] = parsed[name].as<std::string>();
  }
}

std::string Args::str(const std::string& k, const std::string& def) const {
  auto it = kv_.find(k);
  return it == kv_.end() ? def : it->second;
}

double Args::num(const std::string& k, double def) const {
  auto it = kv_.find(k);
  if (it == kv_.end()) return def;
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    throw std::invalid_argument("option --" + k + " needs a number, got \"" + it->second + "\"");
  }
}

std::vector<std::size_t> Args::sizes(const std::string& k, const std::string& def) const {
  std::vector<std::size_t> out;
  const std::string s = str(k, def);
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

// Syscall counts exclude the two reads of the counter itself.
RoleUsage role_usage(const Usage& u, std::int64_t syscalls_before, std::int64_t syscalls_after) {
  RoleUsage r;
  r.user_s = u.user_s;
  r.sys_s = u.sys_s;
  r.nvcsw = static_cast<double>(u.nvcsw);
  r.nivcsw = static_cast<double>(u.nivcsw);
  r.syscalls = (syscalls_before < 0 || syscalls_after < 0) ? -1.0
                                                           : static_cast<double>(syscalls_after - syscalls_before - 1);
  return r;
}

}  // namespace zbb
