// Golden bytes: the OIEB and frame headers as other implementations will see them.
#include "test_support.h"

namespace zbtest {
namespace {

class Layout : public ZeroBufferTest {};

TEST_F(Layout, FreshBufferHasDocumentedSizeAndHeaderBytes) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 100, .payload_size = 1000});
  RawBuffer raw(n);
  EXPECT_EQ(raw.size(), 128u + 128u + 1024u);
  const std::vector<std::uint8_t> first16{0x80, 0, 0, 0, 1, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(raw.read(0, 16), first16);
  const Oieb o = raw.oieb();
  EXPECT_EQ(o.metadata_size, 128u);
  EXPECT_EQ(o.metadata_free_bytes, 128u);
  EXPECT_EQ(o.metadata_written_bytes, 0u);
  EXPECT_EQ(o.payload_size, 1024u);
  EXPECT_EQ(o.payload_free_bytes, 1024u);
  EXPECT_EQ(o.payload_write_pos, 0u);
  EXPECT_EQ(o.payload_read_pos, 0u);
  EXPECT_EQ(o.payload_written_count, 0u);
  EXPECT_EQ(o.payload_read_count, 0u);
  EXPECT_EQ(o.writer_pid, 0u);
  EXPECT_EQ(o.reader_pid, static_cast<std::uint64_t>(::getpid()));
  for (const auto r : o.reserved) EXPECT_EQ(r, 0u);
}

TEST_F(Layout, SizesAreRoundedUpTo64) {
  struct Case {
    std::size_t meta, payload, want_meta, want_payload;
  };
  for (const Case c : {Case{1, 1, 64, 64}, Case{64, 64, 64, 64}, Case{65, 100, 128, 128}, Case{0, 4096, 0, 4096}}) {
    const auto n = name();
    Reader reader(n, BufferConfig{.metadata_size = c.meta, .payload_size = c.payload});
    EXPECT_EQ(reader.metadata_size(), c.want_meta);
    EXPECT_EQ(reader.payload_size(), c.want_payload);
    RawBuffer raw(n);
    EXPECT_EQ(raw.size(), 128 + c.want_meta + c.want_payload);
    EXPECT_EQ(raw.oieb().metadata_size, c.want_meta);
    EXPECT_EQ(raw.oieb().payload_size, c.want_payload);
  }
}

TEST_F(Layout, FirstFrameAndMetadataBytesAndCounters) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 64, .payload_size = 1024});
  RawBuffer raw(n);
  EXPECT_EQ(raw.oieb().writer_pid, static_cast<std::uint64_t>(::getpid()));

  writer.set_metadata(as_bytes("hello"));
  const std::vector<std::uint8_t> meta{5, 0, 0, 0, 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(raw.read(128, 13), meta);
  EXPECT_EQ(raw.oieb().metadata_written_bytes, 13u);
  EXPECT_EQ(raw.oieb().metadata_free_bytes, 64u - 13u);

  writer.write_frame(pattern(10, 1));
  const std::vector<std::uint8_t> header{10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(raw.read(128 + 64, 16), header);
  EXPECT_EQ(raw.oieb().payload_write_pos, 26u);
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u - 26u);
  EXPECT_EQ(raw.oieb().payload_written_count, 1u);

  {
    auto frame = reader.read_frame(1000ms);
    ASSERT_TRUE(frame.valid());
    EXPECT_EQ(raw.oieb().payload_read_pos, 26u);
    EXPECT_EQ(raw.oieb().payload_read_count, 1u);
    EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u - 26u) << "space returns only on release";
  }
  EXPECT_EQ(raw.oieb().payload_free_bytes, 1024u);
}

TEST_F(Layout, WriterCloseClearsWriterPidAndReaderCloseRemovesEverything) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 64, .payload_size = 1024});
  {
    Writer writer(n);
    writer.close();
    RawBuffer raw(n);
    EXPECT_EQ(raw.oieb().writer_pid, 0u);
  }
  EXPECT_TRUE(std::filesystem::exists(lock_dir_ + "/" + n + ".lock"));
  reader.close();
  EXPECT_FALSE(shm_objects_exist(n));
  EXPECT_FALSE(std::filesystem::exists(lock_dir_ + "/" + n + ".lock"));
}

}  // namespace
}  // namespace zbtest
