// zerobuffer: see, watch, clean and pipe the ZeroBuffer buffers of this host (docs/cli.md).
// This file parses the command line; each command lives in its own file.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include <cxxopts.hpp>

#include "commands.h"
#include "exit_codes.h"
#include "zerobuffer/error.h"

namespace zbcli {
namespace {

constexpr const char* kUsageText =
    "usage: zerobuffer <command> [options]\n"
    "\n"
    "commands:\n"
    "  list     every buffer of this host: state, sizes, peers, counters, fill\n"
    "  inspect  one buffer's header field by field, its metadata and next frames\n"
    "  top      live frames/s, MB/s, fill and peer liveness, refreshed every second\n"
    "  clean    remove the objects of buffers whose reader is dead (the library's stale rule)\n"
    "  read     create a buffer as its reader and copy its frames to stdout\n"
    "  write    connect to a buffer as its writer and publish frames from stdin\n"
    "\n"
    "`zerobuffer <command> --help` describes a command; docs/cli.md has examples and exit codes.\n";

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses argv for one command; prints its help and returns false on --help.
bool parse(cxxopts::Options& options, int argc, char** argv, cxxopts::ParseResult& result) {
  options.add_options()("h,help", "show this help");
  try {
    result = options.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    throw UsageError(e.what());
  }
  if (result.count("help") != 0) {
    std::cout << options.help() << '\n';
    return false;
  }
  if (!result.unmatched().empty()) throw UsageError("unexpected argument \"" + result.unmatched().front() + "\"");
  return true;
}

std::string positional_name(const cxxopts::ParseResult& result, bool required) {
  if (result.count("name") == 0) {
    if (required) throw UsageError("missing buffer NAME");
    return {};
  }
  return result["name"].as<std::string>();
}

int positive(const cxxopts::ParseResult& result, const char* option) {
  const int value = result[option].as<int>();
  if (value <= 0) throw UsageError(std::string("--") + option + " must be greater than 0");
  return value;
}

int top_command(const std::string& program, int argc, char** argv, bool watch_alias) {
  cxxopts::Options o(program, "Live frames/s, MB/s, fill level and peer liveness of one buffer or all of them.");
  o.add_options()("json", "one JSON object per buffer and refresh, one per line")(
      "interval", "milliseconds between refreshes", cxxopts::value<int>()->default_value("1000"))(
      "count", "refreshes before exiting (0 = until interrupted)", cxxopts::value<int>()->default_value("0"))(
      "name", "buffer to watch (default: all)", cxxopts::value<std::string>());
  if (watch_alias) o.add_options()("watch", "refresh continuously (same as `zerobuffer top`)");
  o.parse_positional({"name"});
  o.positional_help("[NAME]");
  cxxopts::ParseResult r;
  if (!parse(o, argc, argv, r)) return kOk;
  TopOptions options;
  if (r.count("name") != 0) options.name = r["name"].as<std::string>();
  options.json = r.count("json") != 0;
  options.interval_ms = positive(r, "interval");
  options.count = r["count"].as<int>();
  if (options.count < 0) throw UsageError("--count must not be negative");
  return run_top(options);
}

int dispatch(std::string_view command, int argc, char** argv) {
  const std::string program = "zerobuffer " + std::string(command);
  cxxopts::ParseResult r;
  if (command == "list") {
    for (int i = 1; i < argc; ++i) {
      if (std::string_view(argv[i]) == "--watch") return top_command(program, argc, argv, true);
    }
    cxxopts::Options o(program, "Every shared memory object of this host that could be a buffer, with its state:\n"
                                "active, idle, stale, uninitialised, foreign, incompatible, corrupt or inaccessible.");
    o.add_options()("json", "a JSON array instead of a table")("watch", "refresh every second (same as `top`)");
    if (!parse(o, argc, argv, r)) return kOk;
    return run_list({.json = r.count("json") != 0});
  }
  if (command == "inspect") {
    cxxopts::Options o(program, "One buffer's OIEB field by field, its metadata and the frame headers at the read\n"
                                "position, with warnings for impossible values. Exit code 4 when the header, the\n"
                                "metadata or a frame header at the read position is impossible, or the object\n"
                                "is not a ZeroBuffer buffer.");
    o.add_options()("json", "JSON instead of text")("hex", "also dump the OIEB's 128 bytes")(
        "frames", "frame headers to decode from the read position", cxxopts::value<int>()->default_value("3"))(
        "name", "buffer name", cxxopts::value<std::string>());
    o.parse_positional({"name"});
    o.positional_help("NAME");
    if (!parse(o, argc, argv, r)) return kOk;
    InspectOptions options{.name = positional_name(r, true), .json = r.count("json") != 0, .hex = r.count("hex") != 0};
    options.frames = r["frames"].as<int>();
    if (options.frames < 0) throw UsageError("--frames must not be negative");
    return run_inspect(options);
  }
  if (command == "top") return top_command(program, argc, argv, false);
  if (command == "clean") {
    cxxopts::Options o(program, "Removes stale buffers of the lock directory ($ZEROBUFFER_LOCK_DIR or\n"
                                "/tmp/zerobuffer) by the rule every reader applies when it starts: a lock file no\n"
                                "live reader holds goes, and with it the shared memory and semaphores unless the\n"
                                "buffer's writer still lives. Never touches a buffer whose reader lives.");
    o.add_options()("dry-run", "report what would be removed, remove nothing")("json", "JSON instead of text");
    if (!parse(o, argc, argv, r)) return kOk;
    return run_clean({.dry_run = r.count("dry-run") != 0, .json = r.count("json") != 0});
  }
  if (command == "read") {
    cxxopts::Options o(program, "Creates buffer NAME as its reader and writes its frames to stdout until the\n"
                                "writer closes (exit 0), --count frames were read, or a signal arrives.");
    o.add_options()("count", "frames to read (0 = until the writer closes)",
                    cxxopts::value<std::uint64_t>()->default_value("0"))(
        "format", "raw | len-prefixed (u32 little-endian length, then the bytes) | hexdump",
        cxxopts::value<std::string>()->default_value("raw"))(
        "payload-size", "bytes of the payload ring", cxxopts::value<std::uint64_t>()->default_value("16777216"))(
        "metadata-size", "bytes of the metadata block", cxxopts::value<std::uint64_t>()->default_value("1024"))(
        "timeout", "exit 7 when no frame arrives for this many milliseconds (0 = wait forever)",
        cxxopts::value<int>()->default_value("0"))("name", "buffer name", cxxopts::value<std::string>());
    o.parse_positional({"name"});
    o.positional_help("NAME");
    if (!parse(o, argc, argv, r)) return kOk;
    ReadOptions options{.name = positional_name(r, true), .count = r["count"].as<std::uint64_t>()};
    const std::string format = r["format"].as<std::string>();
    if (format == "raw") {
      options.format = OutputFormat::Raw;
    } else if (format == "len-prefixed") {
      options.format = OutputFormat::LenPrefixed;
    } else if (format == "hexdump") {
      options.format = OutputFormat::Hexdump;
    } else {
      throw UsageError("--format must be raw, len-prefixed or hexdump, not \"" + format + "\"");
    }
    options.payload_size = r["payload-size"].as<std::uint64_t>();
    options.metadata_size = r["metadata-size"].as<std::uint64_t>();
    options.timeout_ms = r["timeout"].as<int>();
    if (options.timeout_ms < 0) throw UsageError("--timeout must not be negative");
    return run_read(options);
  }
  if (command == "write") {
    cxxopts::Options o(program, "Connects to buffer NAME as its writer and publishes frames read from stdin:\n"
                                "fixed-size frames (--frame-size N; the last may be shorter) or length-prefixed\n"
                                "ones (--len-prefixed: u32 little-endian length, then the bytes). Exits 0 at the\n"
                                "end of input.");
    o.add_options()("frame-size", "bytes per frame", cxxopts::value<std::uint64_t>())(
        "len-prefixed", "frames are a u32 little-endian length followed by the bytes")(
        "wait", "milliseconds to wait for the reader to create the buffer",
        cxxopts::value<int>()->default_value("5000"))(
        "timeout", "milliseconds a frame may wait for space (then exit 7, BufferFull)",
        cxxopts::value<int>()->default_value("5000"))("name", "buffer name", cxxopts::value<std::string>());
    o.parse_positional({"name"});
    o.positional_help("NAME");
    if (!parse(o, argc, argv, r)) return kOk;
    WriteOptions options{.name = positional_name(r, true)};
    options.len_prefixed = r.count("len-prefixed") != 0;
    if (r.count("frame-size") != 0) options.frame_size = r["frame-size"].as<std::uint64_t>();
    if (options.len_prefixed == (options.frame_size != 0)) {
      throw UsageError("give exactly one of --frame-size N (N > 0) and --len-prefixed");
    }
    options.wait_ms = r["wait"].as<int>();
    options.timeout_ms = r["timeout"].as<int>();
    if (options.wait_ms < 0 || options.timeout_ms < 0) throw UsageError("--wait and --timeout must not be negative");
    return run_write(options);
  }
  throw UsageError("unknown command \"" + std::string(command) + "\"");
}

}  // namespace
}  // namespace zbcli

int main(int argc, char** argv) {
  using namespace zbcli;
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h" ||
      std::string_view(argv[1]) == "help") {
    std::cout << kUsageText;
    return argc < 2 ? kUsage : kOk;
  }
  try {
    return dispatch(argv[1], argc - 1, argv + 1);
  } catch (const UsageError& e) {
    std::cerr << "zerobuffer: " << e.what() << "\n" << kUsageText;
    return kUsage;
  } catch (const zerobuffer::ZeroBufferException& e) {
    std::cerr << "zerobuffer: " << zerobuffer::to_string(e.code()) << ": " << e.what() << '\n';
    return exit_code_for(e.code());
  } catch (const std::exception& e) {
    std::cerr << "zerobuffer: " << e.what() << '\n';
    return kFailure;
  }
}
