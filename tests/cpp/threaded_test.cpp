// Reader and writer on two threads at full speed: the memory ordering under ThreadSanitizer.
#include <thread>

#include "test_support.h"

namespace zbtest {
namespace {

class Threaded : public ZeroBufferTest {};

TEST_F(Threaded, ConcurrentStreamOfMixedSizesArrivesIntact) {
  const auto n = name();
  constexpr std::uint64_t kFrames = 20000;
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 8192});
  Writer writer(n);
  std::thread producer([&] {
    std::uint64_t state = 7;
    for (std::uint64_t seq = 1; seq <= kFrames; ++seq) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const std::size_t size = 1 + (state >> 33) % 3000;
      auto buffer = writer.get_frame_buffer(size);
      for (std::size_t i = 0; i < size; ++i) buffer[i] = std::byte((i + 7 * seq) % 251);
      writer.commit_frame();
    }
  });
  std::uint64_t bad = 0;
  for (std::uint64_t seq = 1; seq <= kFrames; ++seq) {
    const Frame f = reader.read_frame(5000ms);
    ASSERT_TRUE(f.valid()) << "frame " << seq;
    ASSERT_EQ(f.sequence(), seq);
    if (!matches_pattern(f.data(), seq)) ++bad;
  }
  producer.join();
  EXPECT_EQ(bad, 0u);
}

}  // namespace
}  // namespace zbtest
