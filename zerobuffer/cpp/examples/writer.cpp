// Example writer: zerobuffer-example-writer NAME [COUNT] [MAX_FRAME_SIZE]
// Connects to the buffer NAME (start the example reader first), stores a line of metadata and
// writes COUNT frames of varying size, filled in place (zero-copy) with a checkable pattern.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include <zerobuffer/zerobuffer.h>

#include "common.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: %s NAME [COUNT=1000] [MAX_FRAME_SIZE=16384]\n", argv[0]);
    return 2;
  }
  const std::string name = argv[1];
  const std::uint64_t count = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000;
  const std::size_t max_size = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 16384;
  if (count == 0 || max_size == 0) {
    std::fprintf(stderr, "COUNT and MAX_FRAME_SIZE must be positive numbers\n");
    return 2;
  }
  try {
    // The reader may still be starting: retry "not found" for a few seconds.
    std::optional<zerobuffer::Writer> writer;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!writer) {
      try {
        writer.emplace(name);
      } catch (const zerobuffer::BufferNotFoundException&) {
        if (std::chrono::steady_clock::now() > give_up) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    const std::string meta = "example stream: " + std::to_string(count) + " frames";
    writer->set_metadata({reinterpret_cast<const std::byte*>(meta.data()), meta.size()});
    const example::Pattern pattern(max_size);
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t bytes = 0;
    for (std::uint64_t seq = 1; seq <= count; ++seq) {
      const std::size_t size = example::frame_size(seq, max_size);
      auto buffer = writer->get_frame_buffer(size);
      std::memcpy(buffer.data(), pattern.frame(seq), size);
      writer->commit_frame();
      bytes += size;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("writer: %llu frames, %.1f MB in %.3f s\n", static_cast<unsigned long long>(count), bytes / 1e6,
                seconds);
    return 0;
  } catch (const zerobuffer::ZeroBufferException& e) {
    std::fprintf(stderr, "writer: %s: %s\n", std::string(zerobuffer::to_string(e.code())).c_str(), e.what());
    return 1;
  }
}
