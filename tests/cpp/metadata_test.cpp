// Metadata: write-once, bounded by its block, empty until written.
#include "test_support.h"

namespace zbtest {
namespace {

class Metadata : public ZeroBufferTest {};

TEST_F(Metadata, RoundTripsByteExact) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 1024, .payload_size = 1024});
  writer.set_metadata(pattern(500, 0));
  const auto meta = reader.get_metadata();
  EXPECT_EQ(meta.size(), 500u);
  EXPECT_TRUE(matches_pattern(meta, 0));
}

TEST_F(Metadata, IsEmptyBeforeTheWriterWritesIt) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 1024, .payload_size = 1024});
  EXPECT_TRUE(reader.get_metadata().empty());
}

TEST_F(Metadata, SecondWriteIsRefused) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 1024, .payload_size = 1024});
  writer.set_metadata(as_bytes("first"));
  EXPECT_THROW(writer.set_metadata(as_bytes("second")), zerobuffer::MetadataAlreadyWrittenException);
  const auto meta = reader.get_metadata();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(meta.data()), meta.size()), "first");
}

TEST_F(Metadata, NextWriterSessionIsRefusedTooBecauseTheOiebRemembers) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 1024, .payload_size = 1024});
  {
    Writer writer(n);
    writer.set_metadata(as_bytes("first"));
  }
  Writer again(n);
  EXPECT_THROW(again.set_metadata(as_bytes("second")), zerobuffer::MetadataAlreadyWrittenException);
}

TEST_F(Metadata, ExactFitSucceedsAndOneMoreByteIsTooLarge) {
  const auto n1 = name();
  Reader r1(n1, BufferConfig{.metadata_size = 1024, .payload_size = 1024});
  Writer w1(n1);
  EXPECT_THROW(w1.set_metadata(pattern(1017, 0)), zerobuffer::MetadataTooLargeException);
  w1.set_metadata(pattern(1016, 0));
  EXPECT_EQ(r1.get_metadata().size(), 1016u);
}

TEST_F(Metadata, ZeroSizedBlockRefusesAnyMetadataButFramesFlow) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  EXPECT_THROW(writer.set_metadata({}), zerobuffer::MetadataTooLargeException);
  writer.write_frame(pattern(10, 1));
  EXPECT_TRUE(reader.read_frame(1000ms).valid());
  EXPECT_TRUE(reader.get_metadata().empty());
}

TEST_F(Metadata, EmptyMetadataIsWrittenAndReadsBackEmpty) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 64, .payload_size = 1024});
  writer.set_metadata({});
  EXPECT_TRUE(reader.get_metadata().empty());
  EXPECT_THROW(writer.set_metadata({}), zerobuffer::MetadataAlreadyWrittenException);
}

}  // namespace
}  // namespace zbtest
