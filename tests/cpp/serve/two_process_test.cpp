// A reader serve and a writer serve moving many frames through a small ring.
#include "serve_fixture.h"

namespace zbserve_test {
namespace {

class ServeTwoProcess : public ServeTest {};

TEST_F(ServeTwoProcess, ThousandFramesThroughASmallRing) {
  const std::string buffer = name();
  auto& r = reader(buffer, 4096);  // far smaller than the traffic: the ring wraps many times
  auto& w = start("writer");
  w.ok("connectWriter", {{"name", buffer}, {"timeoutMs", 5000}});
  const int read_id = r.send("readFrames", {{"count", 1000}, {"timeoutMs", 10000}});
  const Json written = w.ok("writeFrames", {{"sizes", {1, 17, 100, 1000, 333}}, {"count", 1000}, {"seed", 11},
                                            {"timeoutMs", 10000}});
  EXPECT_EQ(written["written"], 1000);
  EXPECT_EQ(written["lastSequence"], 1000);
  const std::uint64_t bytes = 200 * (1 + 17 + 100 + 1000 + 333);
  EXPECT_EQ(written["bytes"], bytes);

  const Json read = result_of(r.receive(read_id, 60s));
  EXPECT_EQ(read["read"], 1000);
  EXPECT_EQ(read["bytes"], bytes);
  EXPECT_EQ(read["firstSequence"], 1);
  EXPECT_EQ(read["lastSequence"], 1000);
  EXPECT_EQ(read["frames"].size(), 1000u);
  EXPECT_TRUE(frames_are_pattern(read, 11));
}

TEST_F(ServeTwoProcess, ThousandZeroCopyFramesToASlowStart) {
  const std::string buffer = name();
  auto& r = reader(buffer, 2048);
  auto& w = start("writer");
  w.ok("connectWriter", {{"name", buffer}});
  // The writer starts first and fills the ring; the reader drains it while it keeps writing.
  const int write_id =
      w.send("writeFrames", {{"size", 200}, {"count", 1000}, {"zeroCopy", true}, {"timeoutMs", 10000}});
  const Json read = r.ok("readFrames", {{"count", 1000}, {"timeoutMs", 10000}});
  EXPECT_EQ(read["read"], 1000);
  EXPECT_TRUE(frames_are_pattern(read));
  EXPECT_EQ(result_of(w.receive(write_id, 60s))["written"], 1000);
}

}  // namespace
}  // namespace zbserve_test
