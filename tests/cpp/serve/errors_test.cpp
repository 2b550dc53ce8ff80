// Errors of zerobuffer-serve that no scenario provokes. Every error kind of the serve protocol
// is owned by the conformance scenarios (scenarios/*.json), which run against every port.
#include "serve_fixture.h"

namespace zbserve_test {
namespace {

class ServeErrors : public ServeTest {};

TEST_F(ServeErrors, UntilWriterGoneStillTimesOut) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 10}});
  EXPECT_EQ(r.fails("readFrames", {{"untilWriterGone", true}, {"timeoutMs", 50}}, "Timeout")["read"], 1);
}

TEST_F(ServeErrors, ReaderDeadWhenConnectingToABufferWithoutLiveReader) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  {
    RawShm shm(buffer);
    shm.set_u64(0x58, 0);  // reader_pid
  }
  auto& w = start("writer");
  w.fails("connectWriter", {{"name", buffer}}, "ReaderDead");
  // With a budget the connect keeps retrying (start-up race) and then reports the last error.
  const auto before = std::chrono::steady_clock::now();
  w.fails("connectWriter", {{"name", buffer}, {"timeoutMs", 200}}, "ReaderDead");
  EXPECT_GE(std::chrono::steady_clock::now() - before, 150ms);
  r.ok("close");
}

TEST_F(ServeErrors, AbsurdFrameSizesAreRefusedWithoutAllocating) {
  const std::string buffer = name();
  reader(buffer, 1024);
  auto& w = writer(buffer);
  w.fails("writeFrames", {{"size", 1000000000000000ULL}}, "FrameTooLarge");
  w.fails("writeFrames", {{"sizes", {10, 18446744073709551615ULL}}}, "FrameTooLarge");
  w.fails("writeFrames", {{"size", 18446744073709551615ULL}, {"zeroCopy", true}}, "FrameTooLarge");
  EXPECT_EQ(w.ok("status")["framesWritten"], 1);
}

}  // namespace
}  // namespace zbserve_test
