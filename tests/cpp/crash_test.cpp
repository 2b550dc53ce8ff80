// A writer killed at any step of the write path leaves a buffer its successor can use
// (docs/protocol.md §4.1, rules write.crash-order and write.crash-repair). The writer runs as
// tests/cpp/crash_writer, built with crash points, and _exit()s at the step under test.
#include <optional>

#include "test_support.h"

namespace zbtest {
namespace {

constexpr std::uint64_t kRing = 1024;
constexpr int kCrashed = 86;

struct Layout {
  const char* name;
  std::size_t before;  // frame written (and released) before the one that crashes; 0 = none
  std::size_t last;    // the frame being written when the writer dies
};

// A plain frame; a wrap that writes a marker (408-byte tail); a wrap over an 8-byte short tail.
constexpr Layout kLayouts[] = {{"plain", 0, 100}, {"marker", 600, 500}, {"short-tail", 1000, 100}};

struct CrashCase {
  const char* step;
  bool published;  // the reader gets the last frame
};

constexpr CrashCase kSteps[] = {{"prepare.after-marker", false},
                                {"commit.before-reserve", false},
                                {"commit.after-reserve", false},
                                {"commit.after-advance", false},
                                {"commit.after-publish", true}};

// Runs crash_writer NAME STEP SIZES...; the test reads (and releases) its first frame meanwhile.
int run_crash_writer(Reader& reader, const std::string& name, const char* step, const Layout& layout) {
  std::vector<std::string> args{ZEROBUFFER_CRASH_WRITER, name, step};
  if (layout.before != 0) args.push_back(std::to_string(layout.before));
  args.push_back(std::to_string(layout.last));
  Child writer(args);
  if (layout.before != 0) {
    Frame first = reader.read_frame(5s);
    EXPECT_TRUE(first.valid() && first.size() == layout.before && matches_pattern(first.data(), 1));
  }
  return writer.wait();
}

// The frame the writer published before dying, if any; WriterDead once nothing is left.
std::optional<std::uint64_t> read_leftover(Reader& reader, std::size_t size) {
  try {
    Frame frame = reader.read_frame(300ms);
    if (!frame.valid()) return std::nullopt;
    EXPECT_EQ(frame.size(), size);
    return frame.sequence();
  } catch (const zerobuffer::WriterDeadException&) {
    return std::nullopt;
  }
}

class CrashWindow : public ZeroBufferTest, public ::testing::WithParamInterface<std::tuple<CrashCase, Layout>> {};

TEST_P(CrashWindow, SuccessorWritesEveryFrameOnceAndSpaceIsNeverOverCounted) {
  const auto& [step, layout] = GetParam();
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = kRing});
  ASSERT_EQ(run_crash_writer(reader, n, step.step, layout), kCrashed) << "the crash point was not reached";

  const auto leftover = read_leftover(reader, layout.last);
  EXPECT_EQ(leftover.has_value(), step.published);
  if (leftover) {
    EXPECT_EQ(*leftover, layout.before != 0 ? 2u : 1u);
  }

  // The successor's frames arrive at once, in order, intact; none is lost, none comes twice.
  // A frame killed after its reserve leaks nothing: the reader took its bytes back when it
  // found the writer dead with the ring empty (rule read.reclaim-leak).
  Writer successor(n);
  successor.set_write_timeout(1s);
  for (std::uint64_t sequence = 1; sequence <= 8; ++sequence) {
    successor.write_frame(pattern(60, sequence));
    Frame frame = reader.read_frame(1s);
    ASSERT_TRUE(frame.valid()) << "frame " << sequence;
    EXPECT_EQ(frame.sequence(), sequence);
    EXPECT_TRUE(matches_pattern(frame.data(), sequence));
  }
  EXPECT_FALSE(reader.try_read_frame().valid());
  const auto oieb = RawBuffer(n).oieb();
  EXPECT_EQ(oieb.payload_written_count, oieb.payload_read_count);
  EXPECT_EQ(oieb.payload_free_bytes, kRing);
}

INSTANTIATE_TEST_SUITE_P(Steps, CrashWindow, ::testing::Combine(::testing::ValuesIn(kSteps), ::testing::ValuesIn(kLayouts)),
                         [](const auto& info) {
                           std::string label = std::string(std::get<0>(info.param).step) + "_" +
                                               std::get<1>(info.param).name;
                           for (char& c : label) {
                             if (c == '.' || c == '-') c = '_';
                           }
                           return label;
                         });

}  // namespace
}  // namespace zbtest
