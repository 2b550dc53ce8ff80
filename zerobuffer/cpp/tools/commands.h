// The commands of the zerobuffer tool. main.cpp parses the command line into these option
// structs; each command lives in its own file and returns an exit code (exit_codes.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace zbcli {

struct ListOptions {
  bool json = false;
};
int run_list(const ListOptions& options);

struct InspectOptions {
  std::string name;
  bool json = false;
  bool hex = false;
  int frames = 3;  ///< frame headers to decode from the read position
};
int run_inspect(const InspectOptions& options);

struct TopOptions {
  std::optional<std::string> name;  ///< all buffers when empty
  bool json = false;
  int interval_ms = 1000;
  int count = 0;  ///< refreshes before exiting; 0 = until interrupted
};
int run_top(const TopOptions& options);

struct CleanOptions {
  bool dry_run = false;
  bool json = false;
};
int run_clean(const CleanOptions& options);

enum class OutputFormat { Raw, LenPrefixed, Hexdump };
struct ReadOptions {
  std::string name;
  std::uint64_t count = 0;  ///< frames to read; 0 = until the writer closes
  OutputFormat format = OutputFormat::Raw;
  std::uint64_t metadata_size = 1024;
  std::uint64_t payload_size = 16 * 1024 * 1024;
  int timeout_ms = 0;  ///< longest wait for a frame; 0 = forever
};
int run_read(const ReadOptions& options);

struct WriteOptions {
  std::string name;
  std::uint64_t frame_size = 0;  ///< fixed-size frames from stdin; 0 with len_prefixed
  bool len_prefixed = false;
  int wait_ms = 5000;           ///< how long to wait for the reader to create the buffer
  int timeout_ms = 5000;        ///< write timeout (BufferFull after it)
};
int run_write(const WriteOptions& options);

}  // namespace zbcli
