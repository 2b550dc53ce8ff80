// A writer built with crash points (see zerobuffer/cpp/src/crash_point.h), for crash_test.cpp.
//   crash_writer NAME STEP SIZE...   writes one pattern frame per SIZE (sequence 1, 2, ...) and
//                                    _exit()s at STEP of the write path while writing the last.
// Exit code 86: crashed at STEP as asked; 0: STEP was never reached; 1: a library error.
// With ZEROBUFFER_PAUSE_AT=connect.before-claim it stops itself (SIGSTOP) before it claims writer_pid.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "zerobuffer/zerobuffer.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: crash_writer NAME STEP SIZE...\n");
    return 2;
  }
  try {
    zerobuffer::Writer writer(argv[1]);
    for (int arg = 3; arg < argc; ++arg) {
      const std::uint64_t sequence = static_cast<std::uint64_t>(arg - 2);
      std::vector<std::byte> data(std::stoull(argv[arg]));
      for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::byte((i + 7 * sequence) % 251);
      if (arg == argc - 1) ::setenv("ZEROBUFFER_CRASH_AT", argv[2], 1);
      writer.write_frame(data);
    }
    return 0;
  } catch (const zerobuffer::ZeroBufferException& e) {
    std::fprintf(stderr, "crash_writer: %s\n", e.what());
    return 1;
  }
}
