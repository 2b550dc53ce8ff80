// The per-frame machinery of the C++ library (docs/performance.md, "Per-frame cost" and
// "Adaptive spinning"): held frames keep a destroyed reader's state alive without reference
// counting atomics, the adaptive spin budget, and the tick gate of the streaming writer's clock.
#include <chrono>
#include <cstring>

#include "spin.h"
#include "test_support.h"
#include "ticks.h"

namespace zbtest {
namespace {

using namespace std::chrono_literals;
using zerobuffer::BufferConfig;
using zerobuffer::Frame;
using zerobuffer::Reader;
using zerobuffer::Writer;
using zerobuffer::detail::AdaptiveSpin;
using zerobuffer::detail::ClockGate;

class HotPath : public ZeroBufferTest {};

TEST_F(HotPath, FramesHeldPastTheReaderStayReadableAndReleaseSafely) {
  const std::string name = unique_name("held");
  Frame first, second;
  {
    Reader reader(name, BufferConfig{.metadata_size = 0, .payload_size = 4096});
    Writer writer(name);
    writer.write_frame(as_bytes("first frame"));
    writer.write_frame(as_bytes("second frame"));
    first = reader.read_frame(1000ms);
    second = reader.read_frame(1000ms);
    ASSERT_TRUE(first && second);
  }  // the reader is destroyed (closed, objects removed); its state lives on for the frames
  EXPECT_FALSE(shm_objects_exist(name));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(first.data().data()), first.size()), "first frame");
  second.release();  // out of ring order, after the reader is gone
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(first.data().data()), first.size()), "first frame");
  first.release();  // the last frame deletes the state (ASan: no leak, no use after free)
  EXPECT_FALSE(first.valid());
}

TEST_F(HotPath, MovingAReaderOverOneWithHeldFramesKeepsThoseFramesReadable) {
  const std::string a = unique_name("ma"), b = unique_name("mb");
  Reader reader(a, BufferConfig{.metadata_size = 0, .payload_size = 4096});
  Writer writer(a);
  writer.write_frame(as_bytes("kept"));
  Frame held = reader.read_frame(1000ms);
  ASSERT_TRUE(held);
  reader = Reader(b, BufferConfig{.metadata_size = 0, .payload_size = 4096});
  EXPECT_FALSE(shm_objects_exist(a));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(held.data().data()), held.size()), "kept");
  Frame moved = std::move(held);
  EXPECT_FALSE(held.valid());
  EXPECT_TRUE(moved.valid());
}

TEST(AdaptiveSpin, RunsOutToZeroThenProbesEverySixtyFourthWait) {
  AdaptiveSpin spin(16000ns);
  EXPECT_EQ(spin.next(), 16000ns);
  spin.ran_out();
  EXPECT_EQ(spin.next(), 8000ns);
  spin.ran_out();
  spin.ran_out();
  spin.ran_out();
  EXPECT_EQ(spin.next(), 1000ns);  // 1/16 of the configured budget: still spinning
  spin.ran_out();
  EXPECT_EQ(spin.budget(), 0ns);
  int probes = 0;
  for (std::uint32_t i = 0; i < 3 * AdaptiveSpin::kProbeEvery; ++i) {
    const auto budget = spin.next();
    if (budget == 16000ns) {
      ++probes;
      spin.ran_out();  // a probe that fails leaves the budget at 0
    } else {
      EXPECT_EQ(budget, 0ns);
    }
  }
  EXPECT_EQ(probes, 3);
}

TEST(AdaptiveSpin, ASpinThatGetsItsPostRestoresTheFullBudget) {
  AdaptiveSpin spin(20000ns);
  for (int i = 0; i < 5; ++i) spin.ran_out();
  EXPECT_EQ(spin.budget(), 0ns);
  spin.succeeded();
  EXPECT_EQ(spin.next(), 20000ns);
}

TEST(AdaptiveSpin, ZeroConfiguredNeverSpins) {
  AdaptiveSpin spin(0ns);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(spin.next(), 0ns);
}

TEST(ClockGate, FirstCallIsDueAndTheGateReopensWithinMilliseconds) {
  ClockGate gate;
  EXPECT_TRUE(gate.due());
  const auto start = std::chrono::steady_clock::now();
  bool reopened = false;
  while (std::chrono::steady_clock::now() - start < 50ms) {
    if (gate.due()) {
      reopened = true;
      break;
    }
  }
  // 1M ticks: at most 1 ms with a TSC of 1 GHz or more; 50 ms allows a 20 MHz counter.
  EXPECT_TRUE(reopened);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100us) << "the gate opened again at once";
}

}  // namespace
}  // namespace zbtest
