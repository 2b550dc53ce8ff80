// Dead peers are reported promptly, whichever side dies and however.
#include <thread>

#include "test_support.h"

namespace zbtest {
namespace {

class Liveness : public ZeroBufferTest {};

TEST_F(Liveness, WriterKilledWhileTheReaderWaitsIsReportedWithinASecond) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 4096});
  Peer writer({"writer", n, "0", "1", "hang"});
  ASSERT_EQ(writer.read_line(), "ready");
  std::thread killer([&] {
    std::this_thread::sleep_for(100ms);
    writer.kill();
  });
  const auto start = Clock::now();
  EXPECT_THROW((void)reader.read_frame(5000ms), zerobuffer::WriterDeadException);
  EXPECT_LT(Clock::now() - start, 1100ms);
  killer.join();
}

TEST_F(Liveness, FramesOfAKilledWriterAreReadBeforeWriterDead) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 4096});
  {
    Peer writer({"writer", n, "3", "100", "hang"});
    ASSERT_EQ(writer.read_line(), "ready");
    ASSERT_EQ(writer.read_line(), "written");
    writer.kill();
    writer.wait();
  }
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    const Frame f = reader.read_frame(1000ms);
    ASSERT_TRUE(f.valid());
    EXPECT_EQ(f.sequence(), seq);
    EXPECT_TRUE(matches_pattern(f.data(), seq));
  }
  EXPECT_THROW((void)reader.read_frame(1000ms), zerobuffer::WriterDeadException);
}

TEST_F(Liveness, WriterThatClosedIsDeadOnceItsFramesAreConsumed) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 4096});
  {
    Peer writer({"writer", n, "2", "100", "close"});
    EXPECT_EQ(writer.wait(), 0);
  }
  EXPECT_TRUE(reader.read_frame(1000ms).valid());
  EXPECT_TRUE(reader.read_frame(1000ms).valid());
  const auto start = Clock::now();
  EXPECT_THROW((void)reader.read_frame(2000ms), zerobuffer::WriterDeadException);
  EXPECT_LT(Clock::now() - start, 500ms);
}

TEST_F(Liveness, NewWriterSessionStartingAtOneIsAccepted) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 4096});
  {
    Peer writer({"writer", n, "2", "100", "hang"});
    ASSERT_EQ(writer.read_line(), "ready");
    ASSERT_EQ(writer.read_line(), "written");
    for (std::uint64_t seq = 1; seq <= 2; ++seq) EXPECT_EQ(reader.read_frame(1000ms).sequence(), seq);
    writer.kill();
    writer.wait();
  }
  Writer second(n);
  second.write_frame(pattern(100, 1));
  const Frame f = reader.read_frame(1000ms);
  ASSERT_TRUE(f.valid());
  EXPECT_EQ(f.sequence(), 1u);
}

// [rule seq.restart]: no PID is consulted, so the same writer process starting over is accepted.
TEST_F(Liveness, SequenceOneFromTheSameWriterBeginsANewSession) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 4096});
  writer.write_frame(pattern(10, 1));
  writer.write_frame(pattern(10, 2));
  writer.write_frame(pattern(10, 3));
  RawBuffer raw(n);
  std::uint64_t one = 1;
  std::memcpy(raw.payload() + 26 + 8, &one, 8);  // frame 2 claims sequence 1
  EXPECT_EQ(reader.read_frame(1000ms).sequence(), 1u);
  EXPECT_EQ(reader.read_frame(1000ms).sequence(), 1u);
  try {
    (void)reader.read_frame(1000ms);
    FAIL() << "no SequenceError";
  } catch (const zerobuffer::SequenceErrorException& e) {
    EXPECT_EQ(e.expected(), 2u);
    EXPECT_EQ(e.actual(), 3u);
  }
}

TEST_F(Liveness, ReaderKilledWhileTheWriterIsBlockedIsReportedWithinASecond) {
  const auto n = name();
  Peer reader({"reader", n, "1024"});
  ASSERT_EQ(reader.read_line(), "ready");
  Writer writer(n, WriterOptions{.write_timeout = 5000ms});
  writer.write_frame(pattern(1000, 1));
  std::thread killer([&] {
    std::this_thread::sleep_for(100ms);
    reader.kill();
  });
  const auto start = Clock::now();
  EXPECT_THROW(writer.write_frame(pattern(500, 2)), zerobuffer::ReaderDeadException);
  EXPECT_LT(Clock::now() - start, 1100ms);
  killer.join();
  writer.close();
  Reader(n, BufferConfig{.metadata_size = 0, .payload_size = 64}).close();  // clears the leftovers
}

TEST_F(Liveness, WriteAfterTheReaderClosedIsReaderDeadAtOnce) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  reader.close();
  EXPECT_THROW(writer.write_frame(pattern(10, 1)), zerobuffer::ReaderDeadException);
  EXPECT_FALSE(writer.is_reader_connected());
}

TEST_F(Liveness, ConnectionQueriesFollowThePeers) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  EXPECT_FALSE(reader.is_writer_connected());
  Writer writer(n);
  EXPECT_TRUE(reader.is_writer_connected());
  EXPECT_TRUE(writer.is_reader_connected());
  writer.close();
  EXPECT_FALSE(reader.is_writer_connected());
}

}  // namespace
}  // namespace zbtest
