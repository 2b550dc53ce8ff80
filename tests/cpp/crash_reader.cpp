// A reader built with the pause points of the library (see zerobuffer/cpp/src/crash_point.h),
// for reader_race_test.cpp.
//   crash_reader NAME   creates the buffer NAME (1024-byte ring, no metadata), prints "ready",
//                       then reads until the writer is gone: one line "frame SEQUENCE SIZE" per
//                       frame, then "WriterDead". Exit code 0, or 1 on any other library error.
// With ZEROBUFFER_PAUSE_AT=read.before-writer-check it stops itself (SIGSTOP) the first time a
// wait for a frame ends without one, right before it looks at the writer.
#include <chrono>
#include <cstdio>

#include "zerobuffer/zerobuffer.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: crash_reader NAME\n");
    return 2;
  }
  try {
    zerobuffer::Reader reader(argv[1], zerobuffer::BufferConfig{.metadata_size = 0, .payload_size = 1024});
    std::printf("ready\n");
    std::fflush(stdout);
    while (true) {
      try {
        zerobuffer::Frame frame = reader.read_frame(std::chrono::seconds(5));
        if (!frame.valid()) {
          std::fprintf(stderr, "crash_reader: no frame within 5 s\n");
          return 1;
        }
        std::printf("frame %llu %zu\n", static_cast<unsigned long long>(frame.sequence()), frame.size());
        std::fflush(stdout);
      } catch (const zerobuffer::WriterDeadException&) {
        std::printf("WriterDead\n");
        return 0;
      }
    }
  } catch (const zerobuffer::ZeroBufferException& e) {
    std::fprintf(stderr, "crash_reader: %s\n", e.what());
    return 1;
  }
}
