// A helper process for cross-process tests. It prints "ready" on stdout once set up and
// reports progress line by line, so the test can kill it at a known point.
//   peer reader NAME PAYLOAD          create a reader, then wait forever
//   peer writer NAME COUNT SIZE END   connect, write COUNT pattern frames of SIZE bytes, then
//                                     END = hang | close (close and exit 0)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "zerobuffer/zerobuffer.h"

namespace {

void say(const char* line) {
  std::printf("%s\n", line);
  std::fflush(stdout);
}

[[noreturn]] void hang() {
  while (true) ::pause();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 3 && args[0] == "reader") {
      zerobuffer::BufferConfig config;
      config.metadata_size = 64;
      config.payload_size = std::stoull(args[2]);
      zerobuffer::Reader reader(args[1], config);
      say("ready");
      hang();
    }
    if (args.size() == 5 && args[0] == "writer") {
      zerobuffer::Writer writer(args[1]);
      say("ready");
      const auto count = std::stoull(args[2]);
      const auto size = std::stoull(args[3]);
      for (std::uint64_t seq = 1; seq <= count; ++seq) {
        std::vector<std::byte> data(size);
        for (std::size_t i = 0; i < size; ++i) data[i] = std::byte((i + 7 * seq) % 251);
        writer.write_frame(data);
      }
      say("written");
      if (args[4] == "close") {
        writer.close();
        return 0;
      }
      hang();
    }
    std::fprintf(stderr, "usage: peer reader NAME PAYLOAD | peer writer NAME COUNT SIZE hang|close\n");
    return 2;
  } catch (const zerobuffer::ZeroBufferException& e) {
    std::printf("error %s %s\n", std::string(zerobuffer::to_string(e.code())).c_str(), e.what());
    std::fflush(stdout);
    return 1;
  }
}
