// Wrap-around: markers, short tails, exact fits and frames that can never be placed.
#include "test_support.h"

namespace zbtest {
namespace {

class Wrap : public ZeroBufferTest {
 protected:
  void write_and_consume(Writer& writer, Reader& reader, std::size_t size, std::uint64_t seq) {
    writer.write_frame(pattern(size, seq));
    Frame f = reader.read_frame(1000ms);
    ASSERT_TRUE(f.valid());
    ASSERT_EQ(f.sequence(), seq);
    ASSERT_EQ(f.size(), size);
    ASSERT_TRUE(matches_pattern(f.data(), seq));
  }
};

TEST_F(Wrap, FrameThatDoesNotFitBeforeTheEndGoesToZeroBehindAMarker) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 64, .payload_size = 1024});
  RawBuffer raw(n);
  write_and_consume(writer, reader, 600, 1);
  std::memset(raw.payload() + 616, 0xAA, 16);  // prove the marker is written, not left over
  writer.write_frame(pattern(500, 2));
  EXPECT_EQ(raw.read(128 + 64 + 616, 16), std::vector<std::uint8_t>(16, 0));
  EXPECT_EQ(raw.oieb().payload_write_pos, 516u);
  EXPECT_EQ(raw.oieb().payload_written_count, 3u);
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u - 408u - 516u);
  const Frame f = reader.read_frame(1000ms);
  ASSERT_TRUE(f.valid());
  EXPECT_EQ(f.sequence(), 2u);
  EXPECT_TRUE(matches_pattern(f.data(), 2));
  EXPECT_EQ(raw.oieb().payload_read_count, 3u);
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u - 516u) << "the tail is refunded when the reader passes it";
}

TEST_F(Wrap, WrapPostsTheDataSemaphoreExactlyOnce) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  write_and_consume(writer, reader, 600, 1);
  writer.write_frame(pattern(500, 2));
  sem_t* sem = ::sem_open(("/sem-w-" + n).c_str(), 0);
  ASSERT_NE(sem, SEM_FAILED);
  int value = -1;
  ::sem_getvalue(sem, &value);
  ::sem_close(sem);
  EXPECT_EQ(value, 1);
}

TEST_F(Wrap, ExactFitLeavesNoFreeSpaceAndWrapsToZero) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  writer.write_frame(pattern(1024 - 16, 1));
  EXPECT_EQ(raw.oieb().payload_free_bytes, 0u);
  EXPECT_EQ(raw.oieb().payload_write_pos, 0u);
  reader.read_frame(1000ms).release();
  write_and_consume(writer, reader, 1024 - 16, 2);
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u);
}

TEST_F(Wrap, ShortTailBelowSixteenBytesWrapsWithoutMarker) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  write_and_consume(writer, reader, 1000, 1);  // ends at 1016: 8 bytes left, no room for a marker
  std::memset(raw.payload() + 1016, 0xEE, 8);
  writer.write_frame(pattern(100, 2));  // short tail: nothing written at 1016, frame at 0
  EXPECT_EQ(raw.read(128 + 1016, 8), std::vector<std::uint8_t>(8, 0xEE));
  EXPECT_EQ(raw.read(128, 8), (std::vector<std::uint8_t>{100, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(raw.oieb().payload_written_count, 2u) << "a short tail is not counted";
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u - 8u - 116u);
  const Frame f = reader.read_frame(1000ms);
  ASSERT_TRUE(f.valid());
  EXPECT_EQ(f.sequence(), 2u);
  EXPECT_TRUE(matches_pattern(f.data(), 2));
  EXPECT_EQ(raw.oieb().payload_read_count, 2u);
  EXPECT_EQ(raw.oieb().payload_read_pos, 116u);
}

TEST_F(Wrap, ShortTailSpaceIsRefundedWhenTheReaderPassesIt) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  write_and_consume(writer, reader, 1000, 1);
  write_and_consume(writer, reader, 100, 2);
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u);
}

TEST_F(Wrap, MarkerExactlySixteenBytesBeforeTheEnd) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  write_and_consume(writer, reader, 992, 1);  // ends at 1008: exactly room for a marker
  write_and_consume(writer, reader, 500, 2);
  EXPECT_EQ(raw.oieb().payload_written_count, 3u);
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u);
}

TEST_F(Wrap, UnplaceableFrameFailsAtOnceAndASmallerOneThenWorks) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  write_and_consume(writer, reader, 600, 1);
  const auto start = Clock::now();
  EXPECT_THROW(writer.write_frame(pattern(700, 2)), zerobuffer::FrameTooLargeException);
  EXPECT_LT(Clock::now() - start, 100ms);
  write_and_consume(writer, reader, 500, 2);
}

TEST_F(Wrap, FrameLargerThanTheRingIsTooLarge) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  EXPECT_THROW(writer.write_frame(pattern(1024 - 15, 1)), zerobuffer::FrameTooLargeException);
}

TEST_F(Wrap, ZeroLengthFrameIsInvalid) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  EXPECT_THROW(writer.write_frame({}), zerobuffer::InvalidFrameSizeException);
}

TEST_F(Wrap, OneByteFrameCostsSeventeenBytes) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  writer.write_frame(pattern(1, 1));
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u - 17u);
}

TEST_F(Wrap, WritePositionEqualToRingSizeIsReadAsZero) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  {
    RawBuffer raw(n);
    raw.field(&zerobuffer::Oieb::payload_write_pos) = 1024;  // as another implementation may leave it
  }
  Writer writer(n);
  writer.write_frame(pattern(10, 1));
  RawBuffer raw(n);
  EXPECT_EQ(raw.read(128, 1), std::vector<std::uint8_t>{10});
  EXPECT_EQ(raw.oieb().payload_write_pos, 26u);
}

TEST_F(Wrap, FramesUpToHalfTheRingAlwaysFit) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 4096});
  std::uint64_t state = 12345;
  for (std::uint64_t seq = 1; seq <= 3000; ++seq) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::size_t size = 1 + (state >> 33) % (4096 / 2 - 16);
    write_and_consume(writer, reader, size, seq);
  }
}

}  // namespace
}  // namespace zbtest
