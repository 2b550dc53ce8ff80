// Frames go through intact, in order, with the statistics and the zero-copy path.
#include "test_support.h"

namespace zbtest {
namespace {

class DataPath : public ZeroBufferTest {};

static_assert(!std::is_copy_constructible_v<Frame> && std::is_nothrow_move_constructible_v<Frame>);
static_assert(!std::is_copy_constructible_v<Reader> && std::is_nothrow_move_constructible_v<Reader>);
static_assert(!std::is_copy_constructible_v<Writer> && std::is_nothrow_move_constructible_v<Writer>);

TEST_F(DataPath, SingleFrameArrivesWithSequenceOneAndIntactBytes) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 1024, .payload_size = 10240});
  EXPECT_EQ(writer.write_frame(pattern(1024, 1)), 1u);
  const Frame frame = reader.read_frame(1000ms);
  ASSERT_TRUE(frame.valid());
  EXPECT_EQ(frame.sequence(), 1u);
  EXPECT_EQ(frame.size(), 1024u);
  EXPECT_TRUE(matches_pattern(frame.data(), 1));
}

// protocol.md §4.2 step 7: the reader's view is the ring itself, not a copy. A byte changed in
// the shared memory after the read shows through the frame still held.
TEST_F(DataPath, FrameDataIsAViewOfTheRingNotACopy) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 64, .payload_size = 1024});
  writer.write_frame(pattern(100, 1));
  const Frame frame = reader.read_frame(1000ms);
  ASSERT_TRUE(frame.valid());
  RawBuffer raw(n);
  const std::byte before = frame.data()[5];
  raw.payload()[zerobuffer::kFrameHeaderSize + 5] = ~before;
  EXPECT_EQ(frame.data()[5], ~before);
}

TEST_F(DataPath, MixedSizesArriveInOrder) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 100 * 1024});
  const std::vector<std::size_t> sizes{100, 1024, 10240, 1};
  for (std::size_t i = 0; i < sizes.size(); ++i) writer.write_frame(pattern(sizes[i], i + 1));
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const Frame frame = reader.read_frame(1000ms);
    ASSERT_TRUE(frame.valid());
    EXPECT_EQ(frame.sequence(), i + 1);
    EXPECT_EQ(frame.size(), sizes[i]);
    EXPECT_TRUE(matches_pattern(frame.data(), i + 1));
  }
}

TEST_F(DataPath, StatisticsCountFramesAndBytes) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 4096});
  writer.write_frame(pattern(10, 1));
  writer.write_frame(pattern(20, 2));
  EXPECT_EQ(writer.frames_written(), 2u);
  EXPECT_EQ(writer.bytes_written(), 30u);
  reader.read_frame(1000ms).release();
  reader.read_frame(1000ms).release();
  EXPECT_EQ(reader.frames_read(), 2u);
  EXPECT_EQ(reader.bytes_read(), 30u);
}

TEST_F(DataPath, ZeroCopyWriteThroughGetBufferAndCommit) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 10240});
  auto buffer = writer.get_frame_buffer(4096);
  ASSERT_EQ(buffer.size(), 4096u);
  const auto data = pattern(4096, 1);
  std::memcpy(buffer.data(), data.data(), data.size());
  EXPECT_EQ(writer.commit_frame(), 1u);
  const Frame frame = reader.read_frame(1000ms);
  ASSERT_TRUE(frame.valid());
  EXPECT_TRUE(matches_pattern(frame.data(), 1));
}

TEST_F(DataPath, CommitWithoutGetBufferIsInvalidState) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  EXPECT_THROW(writer.commit_frame(), zerobuffer::InvalidStateException);
}

TEST_F(DataPath, SecondGetBufferBeforeCommitIsInvalidState) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  (void)writer.get_frame_buffer(10);
  EXPECT_THROW((void)writer.get_frame_buffer(10), zerobuffer::InvalidStateException);
}

TEST_F(DataPath, ReadTimesOutWithEmptyFrameWhenNoWriterYet) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  const auto start = Clock::now();
  const Frame frame = reader.read_frame(200ms);
  const auto elapsed = Clock::now() - start;
  EXPECT_FALSE(frame.valid());
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 1000ms);
}

TEST_F(DataPath, TryReadReturnsEmptyWhenNothingIsThere) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  EXPECT_FALSE(reader.try_read_frame().valid());
  writer.write_frame(pattern(5, 1));
  EXPECT_TRUE(reader.try_read_frame().valid());
}

TEST_F(DataPath, FrameReleasesOnDestructionAndReleaseIsIdempotent) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  writer.write_frame(pattern(100, 1));
  Frame frame = reader.read_frame(1000ms);
  Frame moved = std::move(frame);
  EXPECT_FALSE(frame.valid());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  frame.release();
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u - 116u);
  moved.release();
  moved.release();
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u);
}

TEST_F(DataPath, HeldFramesReturnSpaceOnlyInRingOrder) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  for (int i = 1; i <= 3; ++i) writer.write_frame(pattern(84, i));  // 100 bytes each
  Frame a = reader.read_frame(1000ms);
  Frame b = reader.read_frame(1000ms);
  Frame c = reader.read_frame(1000ms);
  b.release();
  c.release();
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u - 300u) << "the oldest frame still pins the ring";
  EXPECT_TRUE(matches_pattern(a.data(), 1));
  a.release();
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u);
}

TEST_F(DataPath, ReadsAFramePublishedWithoutItsSemaphorePost) {
  // A writer that dies between publishing a frame and posting must not leave the frame stranded.
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  writer.write_frame(pattern(10, 1));
  sem_t* sem = ::sem_open(("/sem-w-" + n).c_str(), 0);
  ASSERT_NE(sem, SEM_FAILED);
  ASSERT_EQ(::sem_trywait(sem), 0);  // swallow the post
  ::sem_close(sem);
  const Frame frame = reader.read_frame(1000ms);
  ASSERT_TRUE(frame.valid());
  EXPECT_EQ(frame.sequence(), 1u);
}

}  // namespace
}  // namespace zbtest
