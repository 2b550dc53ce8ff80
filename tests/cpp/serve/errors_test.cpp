// Every error kind of the serve protocol, provoked through real serves (and, for the kinds
// only a damaged buffer produces, by corrupting the shared memory directly).
#include "serve_fixture.h"

namespace zbserve_test {
namespace {

class ServeErrors : public ServeTest {};

TEST_F(ServeErrors, TimeoutWhenNoFrameArrives) {
  auto& r = reader(name());
  const Json data = r.fails("readFrames", {{"timeoutMs", 50}}, "Timeout");
  EXPECT_EQ(data["read"], 0);
  EXPECT_EQ(data["firstSequence"], 0);
  EXPECT_EQ(data["frames"], Json::array());
}

TEST_F(ServeErrors, TimeoutCarriesTheProgressSoFar) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 10}, {"count", 2}});
  const Json data = r.fails("readFrames", {{"count", 3}, {"timeoutMs", 50}}, "Timeout");
  EXPECT_EQ(data["read"], 2);
  EXPECT_EQ(data["bytes"], 20);
  EXPECT_EQ(data["firstSequence"], 1);
  EXPECT_EQ(data["lastSequence"], 2);
}

TEST_F(ServeErrors, UntilWriterGoneStillTimesOut) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 10}});
  EXPECT_EQ(r.fails("readFrames", {{"untilWriterGone", true}, {"timeoutMs", 50}}, "Timeout")["read"], 1);
}

TEST_F(ServeErrors, WriterDeadAfterTheWriterLeftAndFramesAreConsumed) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 10}, {"count", 2}});
  w.ok("shutdown");
  ASSERT_EQ(w.wait_exit(), 0);
  const Json data = r.fails("readFrames", {{"count", 3}, {"timeoutMs", 5000}}, "WriterDead");
  EXPECT_EQ(data["read"], 2);
  EXPECT_EQ(data["lastSequence"], 2);
}

TEST_F(ServeErrors, ReaderDeadWhenWritingAfterTheReaderClosed) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 10}});
  r.ok("close");
  const Json data = w.fails("writeFrames", {{"size", 10}, {"timeoutMs", 50}}, "ReaderDead");
  EXPECT_EQ(data["written"], 0);
  EXPECT_EQ(data["firstSequence"], 0);
  EXPECT_EQ(data["lastSequence"], 0);
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

TEST_F(ServeErrors, BufferFullCarriesTheProgressSoFar) {
  const std::string buffer = name();
  reader(buffer, 1024);
  auto& w = writer(buffer);
  const Json data = w.fails("writeFrames", {{"size", 100}, {"count", 100}, {"timeoutMs", 50}}, "BufferFull");
  EXPECT_EQ(data["written"], 8);  // 8 x 116 bytes fit in 1024, a 9th does not
  EXPECT_EQ(data["firstSequence"], 1);
  EXPECT_EQ(data["lastSequence"], 8);
  EXPECT_EQ(data["bytes"], 800);
}

TEST_F(ServeErrors, FrameTooLargeForTheRing) {
  const std::string buffer = name();
  reader(buffer, 1024);
  auto& w = writer(buffer);
  EXPECT_EQ(w.fails("writeFrames", {{"size", 1009}}, "FrameTooLarge")["written"], 0);
  EXPECT_EQ(w.fails("writeFrames", {{"size", 1009}, {"zeroCopy", true}}, "FrameTooLarge")["written"], 0);
  EXPECT_EQ(w.ok("writeFrames", {{"size", 1008}})["written"], 1);
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

TEST_F(ServeErrors, InvalidFrameSizeForEmptyFramesAndEmptyRings) {
  const std::string buffer = name();
  reader(buffer);
  auto& w = writer(buffer);
  w.fails("writeFrames", {{"size", 0}}, "InvalidFrameSize");
  w.fails("writeFrames", {{"size", 0}, {"zeroCopy", true}}, "InvalidFrameSize");
  w.fails("writeFrames", {{"text", ""}}, "InvalidFrameSize");
  auto& other = start("reader2");
  other.fails("createReader", {{"name", name()}, {"metadataSize", 0}, {"payloadSize", 0}}, "InvalidFrameSize");
  other.fails("createReader",
              {{"name", name()}, {"metadataSize", 18446744073709551615ULL}, {"payloadSize", 18446744073709551615ULL}},
              "InvalidFrameSize");
  EXPECT_EQ(other.ok("status")["role"], "none");
}

TEST_F(ServeErrors, MetadataTooLargeForTheBlock) {
  const std::string buffer = name();
  reader(buffer, 1024, 64);
  auto& w = writer(buffer);
  w.fails("setMetadata", {{"size", 57}}, "MetadataTooLarge");  // 8 + 57 > 64
  w.fails("setMetadata", {{"size", 1000000000000000ULL}}, "MetadataTooLarge");
  w.fails("setMetadata", {{"text", std::string(57, 'x')}}, "MetadataTooLarge");
  EXPECT_EQ(w.ok("setMetadata", {{"size", 56}}), (Json{{"size", 56}}));
}

TEST_F(ServeErrors, MetadataAlreadyWritten) {
  const std::string buffer = name();
  reader(buffer, 1024, 64);
  auto& w = writer(buffer);
  w.ok("setMetadata", {{"text", "once"}});
  w.fails("setMetadata", {{"text", "twice"}}, "MetadataAlreadyWritten");
}

TEST_F(ServeErrors, BufferNotFound) {
  auto& w = start("writer");
  w.fails("connectWriter", {{"name", name()}}, "BufferNotFound");
  const auto before = std::chrono::steady_clock::now();
  w.fails("connectWriter", {{"name", name()}, {"timeoutMs", 100}}, "BufferNotFound");
  EXPECT_GE(std::chrono::steady_clock::now() - before, 80ms);
  EXPECT_EQ(w.ok("status")["role"], "none");
}

TEST_F(ServeErrors, WriterAlreadyConnected) {
  const std::string buffer = name();
  reader(buffer);
  writer(buffer, "writer1");
  auto& second = start("writer2");
  second.fails("connectWriter", {{"name", buffer}, {"timeoutMs", 100}}, "WriterAlreadyConnected");
}

TEST_F(ServeErrors, ReaderAlreadyConnected) {
  const std::string buffer = name();
  reader(buffer);
  auto& second = start("reader2");
  second.fails("createReader", {{"name", buffer}, {"metadataSize", 0}, {"payloadSize", 64}}, "ReaderAlreadyConnected");
}

TEST_F(ServeErrors, SequenceErrorNamesExpectedAndActual) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 10}});
  {
    RawShm shm(buffer);
    shm.set_u64(shm.payload_offset() + 8, 5);  // the frame's sequence
  }
  const Json data = r.fails("readFrames", {{"timeoutMs", 1000}}, "SequenceError");
  EXPECT_EQ(data["expected"], 1);
  EXPECT_EQ(data["actual"], 5);
  EXPECT_EQ(data["read"], 0);
}

TEST_F(ServeErrors, CorruptFrameHeader) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 10}});
  {
    RawShm shm(buffer);
    shm.set_u64(shm.payload_offset(), 1000000);  // the frame's size: beyond the ring
  }
  r.fails("readFrames", {{"timeoutMs", 1000}}, "Corrupt");
}

TEST_F(ServeErrors, IncompatibleVersion) {
  const std::string buffer = name();
  reader(buffer);
  {
    RawShm shm(buffer);
    shm.set_u8(4, 2);  // major version
  }
  start("writer").fails("connectWriter", {{"name", buffer}}, "IncompatibleVersion");
}

TEST_F(ServeErrors, InvalidName) {
  auto& serve = start("serve");
  serve.fails("createReader", {{"name", ""}, {"metadataSize", 0}, {"payloadSize", 64}}, "InvalidName");
  serve.fails("createReader", {{"name", "a/b"}, {"metadataSize", 0}, {"payloadSize", 64}}, "InvalidName");
  serve.fails("createReader", {{"name", ".hidden"}, {"metadataSize", 0}, {"payloadSize", 64}}, "InvalidName");
  serve.fails("createReader", {{"name", std::string(201, 'n')}, {"metadataSize", 0}, {"payloadSize", 64}},
              "InvalidName");
  serve.fails("connectWriter", {{"name", "bad name"}, {"timeoutMs", 100}}, "InvalidName");
  EXPECT_EQ(serve.ok("status")["role"], "none");
}

TEST_F(ServeErrors, InvalidStateWithoutRole) {
  auto& serve = start("serve");
  serve.fails("readFrames", {}, "InvalidState");
  serve.fails("getMetadata", {}, "InvalidState");
  serve.fails("writeFrames", {{"size", 1}}, "InvalidState");
  serve.fails("setMetadata", {{"text", "x"}}, "InvalidState");
}

TEST_F(ServeErrors, InvalidStateInTheWrongRole) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  r.fails("writeFrames", {{"size", 1}}, "InvalidState");
  r.fails("setMetadata", {{"size", 1}}, "InvalidState");
  r.fails("createReader", {{"name", name()}, {"metadataSize", 0}, {"payloadSize", 64}}, "InvalidState");
  r.fails("connectWriter", {{"name", buffer}}, "InvalidState");
  auto& w = writer(buffer);
  w.fails("readFrames", {}, "InvalidState");
  w.fails("getMetadata", {}, "InvalidState");
  w.fails("connectWriter", {{"name", buffer}}, "InvalidState");
  EXPECT_EQ(r.ok("status")["role"], "reader");
  EXPECT_EQ(w.ok("status")["role"], "writer");
}

TEST_F(ServeErrors, InternalWhenSharedMemoryCannotHoldTheBuffer) {
  auto& serve = start("serve");
  const std::string buffer = name();
  serve.fails("createReader", {{"name", buffer}, {"metadataSize", 0}, {"payloadSize", 4611686018427387904ULL}},
              "Internal");
  EXPECT_EQ(serve.ok("status")["role"], "none");
}

}  // namespace
}  // namespace zbserve_test
