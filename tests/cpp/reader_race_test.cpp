// A reader whose wait for a frame ends empty looks at the writer next; a writer that publishes a
// frame in between and then closes or dies must not make that frame vanish (docs/protocol.md
// rules read.writer-dead and live.reader-wait: the counters are read again after the writer is
// seen gone). The reader runs as tests/cpp/crash_reader, built with pause points, and stops
// itself between its empty wait and its look at the writer while the test writes and leaves.
#include "test_support.h"

namespace zbtest {
namespace {

class ReaderRace : public ZeroBufferTest {};

TEST_F(ReaderRace, AFramePublishedByAWriterThatThenClosesIsDeliveredBeforeWriterDead) {
  const auto n = name();
  Child reader({ZEROBUFFER_CRASH_READER, n}, {"ZEROBUFFER_PAUSE_AT=read.before-writer-check"});
  ASSERT_EQ(reader.read_line(), "ready");
  ASSERT_TRUE(reader.wait_stopped()) << "the reader did not stop before its look at the writer";
  {
    Writer writer(n);
    writer.write_frame(pattern(100, 1));
  }  // closed: writer_pid is 0 again
  reader.resume();
  EXPECT_EQ(reader.read_line(), "frame 1 100");
  EXPECT_EQ(reader.read_line(), "WriterDead");
  EXPECT_EQ(reader.wait(), 0);
}

TEST_F(ReaderRace, AFramePublishedByAWriterThatThenDiesIsDeliveredBeforeWriterDead) {
  const auto n = name();
  Child reader({ZEROBUFFER_CRASH_READER, n}, {"ZEROBUFFER_PAUSE_AT=read.before-writer-check"});
  ASSERT_EQ(reader.read_line(), "ready");
  ASSERT_TRUE(reader.wait_stopped()) << "the reader did not stop before its look at the writer";
  // The writer dies right after publishing its frame (before its post): writer_pid stays set.
  Child writer({ZEROBUFFER_CRASH_WRITER, n, "commit.after-publish", "100"});
  ASSERT_EQ(writer.wait(), 86);
  reader.resume();
  EXPECT_EQ(reader.read_line(), "frame 1 100");
  EXPECT_EQ(reader.read_line(), "WriterDead");
  EXPECT_EQ(reader.wait(), 0);
}

}  // namespace
}  // namespace zbtest
