// A corrupt or hostile buffer yields an error, never a crash or an out-of-bounds access.
#include "test_support.h"

namespace zbtest {
namespace {

class Corruption : public ZeroBufferTest {};

TEST_F(Corruption, WrongSequenceIsASequenceErrorWithBothNumbers) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 4096});
  for (std::uint64_t seq = 1; seq <= 3; ++seq) writer.write_frame(pattern(10, seq));
  reader.read_frame(1000ms).release();
  reader.read_frame(1000ms).release();
  RawBuffer raw(n);
  const std::uint64_t five = 5;
  std::memcpy(raw.payload() + 2 * 26 + 8, &five, 8);
  try {
    (void)reader.read_frame(1000ms);
    FAIL() << "no SequenceError";
  } catch (const zerobuffer::SequenceErrorException& e) {
    EXPECT_EQ(e.expected(), 3u);
    EXPECT_EQ(e.actual(), 5u);
    EXPECT_EQ(e.code(), zerobuffer::ErrorCode::SequenceError);
  }
}

TEST_F(Corruption, FrameSizeBeyondTheRingIsCorrupt) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 4096});
  writer.write_frame(pattern(10, 1));
  RawBuffer raw(n);
  const std::uint64_t huge = std::uint64_t{1} << 40;
  std::memcpy(raw.payload(), &huge, 8);
  EXPECT_THROW((void)reader.read_frame(1000ms), zerobuffer::CorruptBufferException);
  const std::uint64_t past_end = 4096 - 16 + 1;
  std::memcpy(raw.payload(), &past_end, 8);
  EXPECT_THROW((void)reader.read_frame(1000ms), zerobuffer::CorruptBufferException);
}

TEST_F(Corruption, MetadataLengthBeyondWhatWasWrittenIsCorrupt) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 64, .payload_size = 1024});
  writer.set_metadata(as_bytes("hello"));
  RawBuffer raw(n);
  const std::uint64_t too_long = 1000;
  std::memcpy(raw.bytes() + 128, &too_long, 8);
  EXPECT_THROW((void)reader.get_metadata(), zerobuffer::CorruptBufferException);
  raw.field(&Oieb::metadata_written_bytes) = 1 << 20;
  EXPECT_THROW((void)reader.get_metadata(), zerobuffer::CorruptBufferException);
}

TEST_F(Corruption, HostileCountersDoNotCrashTheReader) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  raw.field(&Oieb::payload_written_count) = ~std::uint64_t{0};
  // The post says "a frame is ready", but the ring holds zeros: a marker at offset 0 is impossible.
  sem_t* sem = ::sem_open(("/sem-w-" + n).c_str(), 0);
  ::sem_post(sem);
  ::sem_close(sem);
  EXPECT_THROW((void)reader.read_frame(200ms), zerobuffer::CorruptBufferException);
}

TEST_F(Corruption, HostileWritePositionIsRefusedAtConnect) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  raw.field(&Oieb::payload_write_pos) = 5000;
  EXPECT_THROW(Writer{n}, zerobuffer::CorruptBufferException);
  raw.field(&Oieb::payload_write_pos) = 0;
  raw.field(&Oieb::payload_free_bytes) = 5000;
  EXPECT_THROW(Writer{n}, zerobuffer::CorruptBufferException);
  raw.field(&Oieb::payload_free_bytes) = 1024;
}

}  // namespace
}  // namespace zbtest
