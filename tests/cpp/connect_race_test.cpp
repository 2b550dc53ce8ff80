// A writer takes the ring state only after its claim of writer_pid (docs/protocol.md §5, rule
// connect.snapshot-after-claim): what its predecessor wrote until the claim is neither lost nor
// overwritten. The successor runs as tests/cpp/crash_writer, built with pause points, and stops
// itself right before its claim while the predecessor writes more frames and closes.
#include <optional>

#include "test_support.h"

namespace zbtest {
namespace {

constexpr std::uint64_t kRing = 1024;

class ConnectRace : public ZeroBufferTest {};

TEST_F(ConnectRace, FramesThePredecessorWritesUntilTheClaimAreKept) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = kRing});
  std::optional<Writer> predecessor(std::in_place, n);
  predecessor->write_frame(pattern(100, 1));

  // STEP "none" never crashes: the successor writes its one 60-byte frame and exits with 0.
  Child successor({ZEROBUFFER_CRASH_WRITER, n, "none", "60"}, {"ZEROBUFFER_PAUSE_AT=connect.before-claim"});
  ASSERT_TRUE(successor.wait_stopped()) << "the successor did not stop before its claim";
  predecessor->write_frame(pattern(200, 2));
  predecessor->write_frame(pattern(300, 3));
  predecessor.reset();  // writer_pid back to 0: the successor's claim succeeds
  successor.resume();
  ASSERT_EQ(successor.wait(), 0);

  struct Expected {
    std::size_t size;
    std::uint64_t sequence;
  };
  for (const auto& [size, sequence] : {Expected{100, 1}, Expected{200, 2}, Expected{300, 3}, Expected{60, 1}}) {
    Frame frame = reader.read_frame(1s);
    ASSERT_TRUE(frame.valid()) << "frame of " << size << " bytes";
    EXPECT_EQ(frame.size(), size);
    EXPECT_EQ(frame.sequence(), sequence);
    EXPECT_TRUE(matches_pattern(frame.data(), sequence)) << "frame of " << size << " bytes";
  }
  EXPECT_THROW(reader.read_frame(300ms), zerobuffer::WriterDeadException);
  const auto oieb = RawBuffer(n).oieb();
  EXPECT_EQ(oieb.payload_written_count, oieb.payload_read_count);
  EXPECT_EQ(oieb.payload_free_bytes, kRing);
}

}  // namespace
}  // namespace zbtest
