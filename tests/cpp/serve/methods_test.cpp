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

TEST_F(ServeMethods, ConnectWriterReturnsPid) {
  const std::string buffer = name();
  reader(buffer);
  auto& w = start("writer");
  EXPECT_EQ(w.ok("connectWriter", {{"name", buffer}, {"timeoutMs", 0}}), (Json{{"pid", w.pid()}}));
}

TEST_F(ServeMethods, EmptyMetadataIsNotAnError) {
  const std::string buffer = name();
  auto& r = reader(buffer, 1024, 64);
  EXPECT_EQ(r.ok("getMetadata"), (Json{{"size", 0}, {"checksum", "e3b0c44298fc1c14"}, {"text", ""}}));
  auto& w = writer(buffer);
  EXPECT_EQ(w.ok("setMetadata", {{"size", 0}}), (Json{{"size", 0}}));
  EXPECT_EQ(r.ok("getMetadata"), (Json{{"size", 0}, {"checksum", "e3b0c44298fc1c14"}, {"text", ""}}));
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

TEST_F(ServeMethods, ShutdownAnswersThenExitsZero) {
  const std::string buffer = name();
  auto& serve = reader(buffer);
  EXPECT_EQ(serve.ok("shutdown"), Json::object());
  EXPECT_EQ(serve.wait_exit(), 0);
  EXPECT_FALSE(shm_objects_exist(buffer));
}

TEST_F(ServeMethods, ShutdownDuringABlockingCallRunsAfterIt) {
  const std::string buffer = name();
  auto& serve = reader(buffer);
  const int read_id = serve.send("readFrames", {{"timeoutMs", 300}});
  const int shutdown_id = serve.send("shutdown");
  const Json read = serve.receive(read_id);
  ASSERT_TRUE(read.contains("error")) << read;
  EXPECT_EQ(read["error"]["data"]["kind"], "Timeout");
  EXPECT_EQ(serve.receive(shutdown_id)["result"], Json::object());
  EXPECT_EQ(serve.wait_exit(), 0);
  EXPECT_FALSE(shm_objects_exist(buffer));
}

}  // namespace
}  // namespace zbserve_test
