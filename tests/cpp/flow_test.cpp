// Flow control: full rings, blocked writers, the space semaphore.
#include <thread>

#include "test_support.h"

namespace zbtest {
namespace {

class Flow : public ZeroBufferTest {};

TEST_F(Flow, FullRingThrowsBufferFullAfterTheWriteTimeout) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024}, WriterOptions{.write_timeout = 200ms});
  writer.write_frame(pattern(1000, 1));
  const auto start = Clock::now();
  EXPECT_THROW(writer.write_frame(pattern(100, 2)), zerobuffer::BufferFullException);
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 1000ms);
}

TEST_F(Flow, TryWriteReturnsZeroWhenFull) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  EXPECT_EQ(writer.try_write_frame(pattern(1000, 1)), 1u);
  EXPECT_EQ(writer.try_write_frame(pattern(100, 2)), 0u);
  reader.read_frame(1000ms).release();
  EXPECT_EQ(writer.try_write_frame(pattern(100, 2)), 2u);
}

TEST_F(Flow, BlockedWriterResumesWhenTheReaderReleases) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024}, WriterOptions{.write_timeout = 5000ms});
  writer.write_frame(pattern(1000, 1));
  Frame held = reader.read_frame(1000ms);
  std::atomic<bool> done{false};
  std::thread t([&] {
    writer.write_frame(pattern(500, 2));
    done = true;
  });
  std::this_thread::sleep_for(50ms);  // the writer is blocked on a full ring meanwhile
  EXPECT_FALSE(done.load());
  const auto released_at = Clock::now();
  held.release();
  t.join();
  EXPECT_LT(Clock::now() - released_at, 500ms);
  const Frame f = reader.read_frame(1000ms);
  EXPECT_EQ(f.sequence(), 2u);
}

TEST_F(Flow, SpaceSemaphoreIsDrainedSoItCannotOverflow) {
  // The reader posts sem-r for every release; a writer that never waits still consumes the
  // backlog at its 100 ms liveness check, so the count cannot climb to SEM_VALUE_MAX.
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1 << 16});
  std::uint64_t released = 0;
  const auto start = Clock::now();
  while (Clock::now() - start < 250ms) {
    writer.write_frame(pattern(64, released + 1));
    reader.read_frame(1000ms).release();
    ++released;
  }
  sem_t* sem = ::sem_open(("/sem-r-" + n).c_str(), 0);
  ASSERT_NE(sem, SEM_FAILED);
  int value = -1;
  ::sem_getvalue(sem, &value);
  ::sem_close(sem);
  EXPECT_LT(static_cast<std::uint64_t>(value), released);
}

TEST_F(Flow, BurstOfFramesIsReadCompletely) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 64 * 1024});
  for (std::uint64_t seq = 1; seq <= 50; ++seq) writer.write_frame(pattern(100, seq));
  for (std::uint64_t seq = 1; seq <= 50; ++seq) {
    const Frame f = reader.read_frame(1000ms);
    ASSERT_TRUE(f.valid());
    EXPECT_EQ(f.sequence(), seq);
  }
  EXPECT_FALSE(reader.try_read_frame().valid());
}

TEST_F(Flow, HeldFramesStayIntactWhileTheWriterFillsTheRest) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 4096}, WriterOptions{.write_timeout = 100ms});
  for (std::uint64_t seq = 1; seq <= 3; ++seq) writer.write_frame(pattern(500, seq));
  std::vector<Frame> held;
  for (int i = 0; i < 3; ++i) held.push_back(reader.read_frame(1000ms));
  std::uint64_t seq = 4;
  try {
    while (true) writer.write_frame(pattern(500, seq++));
  } catch (const zerobuffer::BufferFullException&) {
  }
  for (std::uint64_t i = 0; i < 3; ++i) EXPECT_TRUE(matches_pattern(held[i].data(), i + 1));
}

TEST_F(Flow, ReleasingOutOfOrderDoesNotExposeAHeldFrame) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024}, WriterOptions{.write_timeout = 50ms});
  for (std::uint64_t seq = 1; seq <= 3; ++seq) writer.write_frame(pattern(300, seq));  // 0..948
  Frame first = reader.read_frame(1000ms);
  reader.read_frame(1000ms).release();
  reader.read_frame(1000ms).release();
  // Space after the held frame is not contiguous with the write position: a 200-byte frame
  // would wrap onto frame 1.
  EXPECT_THROW(writer.write_frame(pattern(200, 4)), zerobuffer::BufferFullException);
  EXPECT_TRUE(matches_pattern(first.data(), 1));
  first.release();
  writer.write_frame(pattern(200, 4));
}

TEST_F(Flow, MarkerRefundIsDeferredWhileAnEarlierFrameIsHeld) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024}, WriterOptions{.write_timeout = 50ms});
  RawBuffer raw(n);
  for (std::uint64_t seq = 1; seq <= 3; ++seq) writer.write_frame(pattern(300, seq));  // 0..948
  reader.read_frame(1000ms).release();
  reader.read_frame(1000ms).release();
  Frame third = reader.read_frame(1000ms);  // held at 632..948
  writer.write_frame(pattern(200, 4));      // marker at 948, frame at 0..216
  reader.read_frame(1000ms).release();      // passes the marker, releases frame 4
  EXPECT_EQ(raw.oieb().payload_free_bytes, 416u) << "only 216..632 is free while frame 3 is held";
  EXPECT_THROW(writer.write_frame(pattern(484, 5)), zerobuffer::BufferFullException);
  EXPECT_TRUE(matches_pattern(third.data(), 3));
  third.release();
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u);
}

}  // namespace
}  // namespace zbtest
