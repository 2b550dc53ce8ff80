// Example reader: zerobuffer-example-reader NAME [MAX_FRAME_SIZE] [RING_BYTES]
// Creates the buffer NAME, then reads and verifies frames until the writer is gone.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <zerobuffer/zerobuffer.h>

#include "common.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: %s NAME [MAX_FRAME_SIZE=16384] [RING_BYTES=65536]\n", argv[0]);
    return 2;
  }
  const std::string name = argv[1];
  const std::size_t max_size = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 16384;
  const std::size_t ring = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 65536;
  try {
    zerobuffer::Reader reader(name, zerobuffer::BufferConfig{.metadata_size = 256, .payload_size = ring});
    std::printf("reader: buffer \"%s\" ready (%zu-byte ring); start the writer\n", name.c_str(),
                static_cast<std::size_t>(reader.payload_size()));
    std::fflush(stdout);
    const example::Pattern pattern(max_size);
    std::uint64_t bad = 0;
    while (true) {
      zerobuffer::Frame frame;
      try {
        frame = reader.read_frame(std::chrono::seconds(30));
      } catch (const zerobuffer::WriterDeadException&) {
        break;  // the writer finished (or died) and every frame was read
      }
      if (!frame) {
        std::fprintf(stderr, "reader: no frame for 30 s\n");
        return 1;
      }
      const auto seq = frame.sequence();
      const bool ok = frame.size() == example::frame_size(seq, max_size) &&
                      std::memcmp(frame.data().data(), pattern.frame(seq), frame.size()) == 0;
      if (!ok && ++bad <= 5) std::fprintf(stderr, "reader: frame %llu is damaged\n", static_cast<unsigned long long>(seq));
    }
    const auto meta = reader.get_metadata();
    std::printf("reader: %llu frames, %llu bytes, %llu damaged; metadata \"%.*s\"\n",
                static_cast<unsigned long long>(reader.frames_read()),
                static_cast<unsigned long long>(reader.bytes_read()), static_cast<unsigned long long>(bad),
                static_cast<int>(meta.size()), reinterpret_cast<const char*>(meta.data()));
    return bad == 0 && reader.frames_read() > 0 ? 0 : 1;
  } catch (const zerobuffer::ZeroBufferException& e) {
    std::fprintf(stderr, "reader: %s: %s\n", std::string(zerobuffer::to_string(e.code())).c_str(), e.what());
    return 1;
  }
}
