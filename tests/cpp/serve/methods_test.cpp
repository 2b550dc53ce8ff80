// Each protocol method against the real zerobuffer-serve binary.
#include <sys/stat.h>

#include "serve_fixture.h"

namespace zbserve_test {
namespace {

class ServeMethods : public ServeTest {};

TEST_F(ServeMethods, HelloDescribesTheCppServe) {
  auto& serve = start("serve");
  const Json hello = serve.ok("hello");
  EXPECT_EQ(hello["implementation"], "cpp");
  EXPECT_EQ(hello["wireVersion"], "1.0.0");
  EXPECT_EQ(hello["serveProtocol"], 1);
  EXPECT_EQ(hello["pid"], serve.pid());
  EXPECT_EQ(hello["library"], "zerobuffer-cpp 1.0.0");
  EXPECT_EQ(hello["capabilities"], Json::array({"zeroCopyWrite", "holdFrames", "writerRestart", "createMode"}));
}

TEST_F(ServeMethods, HelloWithoutParamsMember) {
  auto& serve = start("serve");
  EXPECT_EQ(result_of(serve.receive(serve.send_without_params("hello")))["implementation"], "cpp");
}

TEST_F(ServeMethods, CreateReaderRoundsSizesAndAppliesDefaultMode) {
  const std::string buffer = name();
  auto& serve = start("reader");
  const Json created = serve.ok("createReader", {{"name", buffer}, {"metadataSize", 100}, {"payloadSize", 1000}});
  EXPECT_EQ(created["metadataSize"], 128);
  EXPECT_EQ(created["payloadSize"], 1024);
  EXPECT_EQ(created["mode"], 0600);
  EXPECT_EQ(created["pid"], serve.pid());
  struct stat st {};
  ASSERT_EQ(::stat(("/dev/shm/" + buffer).c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 128 + 128 + 1024);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(ServeMethods, CreateReaderHonoursModeDespiteUmask) {
  const std::string buffer = name();
  auto& serve = start("reader");
  const Json created =
      serve.ok("createReader", {{"name", buffer}, {"metadataSize", 0}, {"payloadSize", 64}, {"mode", 0660}});
  EXPECT_EQ(created["mode"], 0660);
  struct stat st {};
  ASSERT_EQ(::stat(("/dev/shm/" + buffer).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  ASSERT_EQ(::stat(("/dev/shm/sem.sem-w-" + buffer).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0660u);
}

TEST_F(ServeMethods, StatusWithoutRole) {
  auto& serve = start("serve");
  EXPECT_EQ(serve.ok("status"), (Json{{"role", "none"}, {"name", nullptr}, {"peerConnected", false}, {"held", 0}}));
}

TEST_F(ServeMethods, StatusOfReaderAndWriterFollowsTheTraffic) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  Json status = r.ok("status");
  EXPECT_EQ(status["role"], "reader");
  EXPECT_EQ(status["name"], buffer);
  EXPECT_EQ(status["peerConnected"], false);
  EXPECT_EQ(status["framesRead"], 0);

  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 10}, {"count", 3}});
  status = w.ok("status");
  EXPECT_EQ(status["role"], "writer");
  EXPECT_EQ(status["name"], buffer);
  EXPECT_EQ(status["peerConnected"], true);
  EXPECT_EQ(status["framesWritten"], 3);
  EXPECT_EQ(status["bytesWritten"], 30);
  EXPECT_EQ(status["held"], 0);

  r.ok("readFrames", {{"count", 2}});
  status = r.ok("status");
  EXPECT_EQ(status["peerConnected"], true);
  EXPECT_EQ(status["framesRead"], 2);
  EXPECT_EQ(status["bytesRead"], 20);
}

TEST_F(ServeMethods, ConnectWriterReturnsPid) {
  const std::string buffer = name();
  reader(buffer);
  auto& w = start("writer");
  EXPECT_EQ(w.ok("connectWriter", {{"name", buffer}, {"timeoutMs", 0}}), (Json{{"pid", w.pid()}}));
}

TEST_F(ServeMethods, ConnectWriterWaitsForAReaderThatStartsLater) {
  const std::string buffer = name();
  auto& w = start("writer");
  const int id = w.send("connectWriter", {{"name", buffer}, {"timeoutMs", 10000}});
  reader(buffer);
  EXPECT_EQ(result_of(w.receive(id))["pid"], w.pid());
}

TEST_F(ServeMethods, MetadataTextRoundTrips) {
  const std::string buffer = name();
  auto& r = reader(buffer, 1024, 256);
  auto& w = writer(buffer);
  EXPECT_EQ(w.ok("setMetadata", {{"text", "grüße, 640x480"}}), (Json{{"size", 16}}));  // bytes, not characters
  EXPECT_EQ(r.ok("getMetadata"),
            (Json{{"size", 16}, {"checksum", checksum_of("grüße, 640x480")}, {"text", "grüße, 640x480"}}));
}

TEST_F(ServeMethods, PatternMetadataReportsItsSizeAndChecksum) {
  const std::string buffer = name();
  auto& r = reader(buffer, 1024, 256);
  auto& w = writer(buffer);
  EXPECT_EQ(w.ok("setMetadata", {{"size", 200}, {"seed", 9}}), (Json{{"size", 200}}));
  // Pattern bytes above 127 are not UTF-8, so no text.
  EXPECT_EQ(r.ok("getMetadata"), (Json{{"size", 200}, {"checksum", pattern_checksum(9, 0, 200)}}));
}

TEST_F(ServeMethods, EmptyMetadataIsNotAnError) {
  const std::string buffer = name();
  auto& r = reader(buffer, 1024, 64);
  EXPECT_EQ(r.ok("getMetadata"), (Json{{"size", 0}, {"checksum", "e3b0c44298fc1c14"}, {"text", ""}}));
  auto& w = writer(buffer);
  EXPECT_EQ(w.ok("setMetadata", {{"size", 0}}), (Json{{"size", 0}}));
  EXPECT_EQ(r.ok("getMetadata"), (Json{{"size", 0}, {"checksum", "e3b0c44298fc1c14"}, {"text", ""}}));
}

TEST_F(ServeMethods, WriteAndReadPatternFrames) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  const Json written = w.ok("writeFrames", {{"size", 100}, {"count", 3}, {"seed", 42}});
  EXPECT_EQ(written["written"], 3);
  EXPECT_EQ(written["firstSequence"], 1);
  EXPECT_EQ(written["lastSequence"], 3);
  EXPECT_EQ(written["bytes"], 300);
  EXPECT_TRUE(written["elapsedMs"].is_number());

  const Json read = r.ok("readFrames", {{"count", 3}});
  EXPECT_EQ(read["read"], 3);
  EXPECT_EQ(read["bytes"], 300);
  EXPECT_EQ(read["firstSequence"], 1);
  EXPECT_EQ(read["lastSequence"], 3);
  EXPECT_FALSE(read.contains("writerGone"));
  ASSERT_EQ(read["frames"].size(), 3u);
  EXPECT_EQ(read["frames"][1], (Json{{"sequence", 2}, {"size", 100}, {"checksum", pattern_checksum(42, 2, 100)}}));
  EXPECT_TRUE(frames_are_pattern(read, 42));
}

TEST_F(ServeMethods, ReadFramesDefaultsToOneFrame) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 5}, {"count", 2}});
  EXPECT_EQ(r.ok("readFrames")["read"], 1);
  EXPECT_EQ(r.ok("readFrames")["firstSequence"], 2);
}

TEST_F(ServeMethods, ChecksumIsOfTheBytesTheReaderSaw) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 100}});
  {
    RawShm shm(buffer);
    shm.set_u8(shm.payload_offset() + 16 + 37, 0xFF);  // 0xFF is never a pattern byte
  }
  std::string seen(100, '\0');
  for (std::size_t i = 0; i < seen.size(); ++i) seen[i] = static_cast<char>((i + 7) % 251);
  seen[37] = static_cast<char>(0xFF);
  EXPECT_EQ(r.ok("readFrames")["frames"][0]["checksum"], checksum_of(seen));
}

TEST_F(ServeMethods, SizesCycleWhenCountIsLarger) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  EXPECT_EQ(w.ok("writeFrames", {{"sizes", {1, 2, 3}}, {"count", 7}})["bytes"], 13);
  EXPECT_EQ(w.ok("writeFrames", {{"sizes", {4, 5}}})["written"], 2);  // no count: one per entry
  const Json read = r.ok("readFrames", {{"count", 9}});
  EXPECT_EQ(read["bytes"], 22);
  EXPECT_TRUE(frames_are_pattern(read));
  std::vector<int> sizes;
  for (const auto& f : read["frames"]) sizes.push_back(f["size"].get<int>());
  EXPECT_EQ(sizes, (std::vector<int>{1, 2, 3, 1, 2, 3, 1, 4, 5}));
}

TEST_F(ServeMethods, TextFrameIgnoresCountAndReadsBackAsText) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  const Json written = w.ok("writeFrames", {{"text", "hello ✓"}, {"count", 5}, {"seed", 3}});
  EXPECT_EQ(written["written"], 1);
  EXPECT_EQ(written["bytes"], 9);
  w.ok("writeFrames", {{"size", 200}});
  const Json read = r.ok("readFrames", {{"count", 2}});
  EXPECT_EQ(read["frames"][0], (Json{{"sequence", 1}, {"size", 9}, {"checksum", checksum_of("hello ✓")}, {"text", "hello ✓"}}));
  // A pattern frame of 200 bytes is not UTF-8: no text.
  EXPECT_EQ(read["frames"][1], (Json{{"sequence", 2}, {"size", 200}, {"checksum", pattern_checksum(0, 2, 200)}}));
}

TEST_F(ServeMethods, ZeroCopyWritesTheSamePattern) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  EXPECT_EQ(w.ok("writeFrames", {{"size", 300}, {"count", 4}, {"seed", 7}, {"zeroCopy", true}})["lastSequence"], 4);
  EXPECT_EQ(w.ok("writeFrames", {{"text", "zc"}, {"zeroCopy", true}})["lastSequence"], 5);
  const Json read = r.ok("readFrames", {{"count", 4}});
  EXPECT_TRUE(frames_are_pattern(read, 7));
  EXPECT_EQ(read["bytes"], 1200);
  EXPECT_EQ(r.ok("readFrames")["frames"][0]["text"], "zc");
}

TEST_F(ServeMethods, FramesListHoldsEveryFrame) {
  const std::string buffer = name();
  auto& r = reader(buffer, 8192);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 8}, {"count", 100}});
  const Json read = r.ok("readFrames", {{"count", 100}});
  EXPECT_EQ(read["read"], 100);
  EXPECT_EQ(read["lastSequence"], 100);
  ASSERT_EQ(read["frames"].size(), 100u);
  EXPECT_EQ(read["frames"][99]["sequence"], 100);
  EXPECT_TRUE(frames_are_pattern(read));
}

TEST_F(ServeMethods, DelaysSlowDownBothSides) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  EXPECT_GE(w.ok("writeFrames", {{"size", 8}, {"count", 3}, {"delayMs", 30}})["elapsedMs"].get<double>(), 60.0);
  EXPECT_GE(r.ok("readFrames", {{"count", 2}, {"delayMs", 30}})["elapsedMs"].get<double>(), 60.0);
}

TEST_F(ServeMethods, HeldFramesKeepTheirSpaceUntilReleased) {
  const std::string buffer = name();
  auto& r = reader(buffer, 1024);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 200}, {"count", 4}});  // 4 x 216 = 864 of 1024 bytes
  EXPECT_EQ(r.ok("readFrames", {{"count", 4}, {"hold", true}})["read"], 4);
  EXPECT_EQ(r.ok("status")["held"], 4);
  EXPECT_EQ(w.fails("writeFrames", {{"size", 200}, {"timeoutMs", 50}}, "BufferFull")["written"], 0);

  // Releasing the oldest frame returns its space: one more frame fits, the next does not.
  EXPECT_EQ(r.ok("releaseFrames", {{"count", 1}}), (Json{{"released", 1}}));
  EXPECT_EQ(r.ok("status")["held"], 3);
  EXPECT_EQ(w.fails("writeFrames", {{"size", 200}, {"count", 2}, {"timeoutMs", 50}}, "BufferFull")["written"], 1);

  EXPECT_EQ(r.ok("releaseFrames"), (Json{{"released", 3}}));
  EXPECT_EQ(r.ok("releaseFrames", {{"count", 5}}), (Json{{"released", 0}}));
  EXPECT_EQ(w.ok("writeFrames", {{"size", 200}, {"count", 2}, {"timeoutMs", 2000}})["written"], 2);
  const Json read = r.ok("readFrames", {{"count", 3}});
  EXPECT_TRUE(frames_are_pattern(read));
  EXPECT_EQ(read["firstSequence"], 5);
  EXPECT_EQ(read["lastSequence"], 7);
}

TEST_F(ServeMethods, ReleaseFramesWithoutRoleReleasesNothing) {
  auto& serve = start("serve");
  EXPECT_EQ(serve.ok("releaseFrames"), (Json{{"released", 0}}));
}

TEST_F(ServeMethods, CloseWithHeldFramesReleasesThem) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 10}, {"count", 2}});
  r.ok("readFrames", {{"count", 2}, {"hold", true}});
  EXPECT_EQ(r.ok("close"), Json::object());
  EXPECT_FALSE(shm_objects_exist(buffer));
  EXPECT_EQ(r.ok("status")["held"], 0);
}

TEST_F(ServeMethods, UntilWriterGoneReadsEverythingThenSucceeds) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 50}, {"count", 5}});
  EXPECT_EQ(w.ok("shutdown"), Json::object());
  ASSERT_EQ(w.wait_exit(), 0);
  const Json read = r.ok("readFrames", {{"untilWriterGone", true}, {"count", 1}, {"timeoutMs", 5000}});
  EXPECT_EQ(read["read"], 5);
  EXPECT_EQ(read["writerGone"], true);
  EXPECT_TRUE(frames_are_pattern(read));
}

TEST_F(ServeMethods, ReaderAcceptsARestartedWriter) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& first = writer(buffer, "writer1");
  first.ok("writeFrames", {{"size", 20}, {"count", 2}});
  first.ok("close");
  EXPECT_EQ(r.ok("readFrames", {{"count", 2}})["lastSequence"], 2);
  auto& second = writer(buffer, "writer2");
  EXPECT_EQ(second.ok("writeFrames", {{"size", 20}, {"count", 2}})["firstSequence"], 1);
  const Json read = r.ok("readFrames", {{"count", 2}});
  EXPECT_EQ(read["firstSequence"], 1);
  EXPECT_TRUE(frames_are_pattern(read));
}

TEST_F(ServeMethods, CloseWithoutRoleIsHarmless) {
  auto& serve = start("serve");
  EXPECT_EQ(serve.ok("close"), Json::object());
  EXPECT_EQ(serve.ok("close"), Json::object());
}

TEST_F(ServeMethods, CloseRemovesTheBufferAndAllowsANewRole) {
  const std::string first = name("first");
  const std::string second = name("second");
  auto& serve = reader(first);
  EXPECT_TRUE(shm_objects_exist(first));
  EXPECT_EQ(serve.ok("close"), Json::object());
  EXPECT_FALSE(shm_objects_exist(first));
  EXPECT_EQ(serve.ok("status")["role"], "none");
  serve.ok("createReader", {{"name", second}, {"metadataSize", 0}, {"payloadSize", 64}});
  EXPECT_EQ(serve.ok("status")["name"], second);
  serve.ok("close");
  auto& other = reader(first);
  serve.ok("connectWriter", {{"name", first}});  // the same serve now writes
  EXPECT_EQ(serve.ok("status")["role"], "writer");
  serve.ok("writeFrames", {{"size", 1}});
  EXPECT_EQ(other.ok("readFrames")["read"], 1);
}

TEST_F(ServeMethods, ShutdownAnswersThenExitsZero) {
  const std::string buffer = name();
  auto& serve = reader(buffer);
  EXPECT_EQ(serve.ok("shutdown"), Json::object());
  EXPECT_EQ(serve.wait_exit(), 0);
  EXPECT_FALSE(shm_objects_exist(buffer));
}

}  // namespace
}  // namespace zbserve_test
