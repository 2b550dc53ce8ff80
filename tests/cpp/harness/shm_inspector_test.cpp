// The harness's own view of /dev/shm: fields by name, bounds-checked access, locations.
#include "harness_test_support.hpp"
#include "shm_inspector.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace zbh {
namespace {

class HarnessShmInspector : public ::testing::Test {
 protected:
  void SetUp() override { name_ = "zbh-shm-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++); }
  void TearDown() override { remove_objects(name_, dir_.path() + "/locks"); }
  std::string lock_dir() const { return dir_.path() + "/locks"; }

  static inline int counter_ = 0;
  std::string name_;
  test::TempDir dir_;
};

TEST_F(HarnessShmInspector, FabricatedStaleBufferReadsBackFieldByField) {
  fabricate_stale(name_, lock_dir(), 64, 1024);
  EXPECT_EQ(existing_objects(name_, lock_dir()).size(), 4u);
  ShmView view = ShmView::open(name_, false);
  EXPECT_EQ(view.size(), 128u + 64u + 1024u);
  EXPECT_EQ(view.field("oiebSize"), 128u);
  EXPECT_EQ(view.field("versionMajor"), 1u);
  EXPECT_EQ(view.field("metadataSize"), 64u);
  EXPECT_EQ(view.field("payloadSize"), 1024u);
  for (const char* pid_field : {"writerPid", "readerPid"}) {
    const auto pid = static_cast<pid_t>(view.field(pid_field));
    ASSERT_GT(pid, 0);
    EXPECT_EQ(::kill(pid, 0), -1) << pid_field << " is alive";
    EXPECT_EQ(errno, ESRCH);
  }
  EXPECT_EQ(view.oieb()["payloadWrittenCount"], 7);
  EXPECT_EQ(file_mode("/dev/shm/" + name_), 0600u);
}

TEST_F(HarnessShmInspector, CorruptionWritesAreSeenByLaterReads) {
  fabricate_stale(name_, lock_dir(), 64, 1024);
  {
    ShmView writable = ShmView::open(name_, true);
    writable.write_uint(find_oieb_field("versionMajor")->offset, 1, 2);
    writable.write_bytes(writable.resolve(*parse_location("payload+10")), {0xAB, 0xCD});
  }
  ShmView view = ShmView::open(name_, false);
  EXPECT_EQ(view.field("versionMajor"), 2u);
  EXPECT_EQ(view.read_bytes(128 + 64 + 10, 2), (std::vector<std::uint8_t>{0xAB, 0xCD}));
  EXPECT_THROW(view.write_uint(0, 1, 0), ShmError) << "a read-only view accepted a write";
}

TEST_F(HarnessShmInspector, AccessOutsideTheObjectThrowsInsteadOfFaulting) {
  fabricate_stale(name_, lock_dir(), 0, 64);
  ShmView view = ShmView::open(name_, false);
  EXPECT_THROW(view.read_uint(view.size() - 4, 8), ShmError);
  EXPECT_THROW(view.read_bytes(view.size(), 1), ShmError);
  EXPECT_THROW(view.read_bytes(1, ~std::uint64_t{0}), ShmError);
  EXPECT_NO_THROW(view.read_bytes(view.size(), 0));
}

TEST_F(HarnessShmInspector, HostileMetadataSizeIsAnErrorNotACrash) {
  fabricate_stale(name_, lock_dir(), 64, 1024);
  {
    ShmView writable = ShmView::open(name_, true);
    writable.write_uint(find_oieb_field("metadataSize")->offset, 8, ~std::uint64_t{0} - 100);
  }
  ShmView view = ShmView::open(name_, false);
  EXPECT_THROW(view.resolve(*parse_location("payload+0")), ShmError);
  EXPECT_THROW(view.resolve(*parse_location("frame+0")), ShmError);
}

TEST_F(HarnessShmInspector, NextFrameSkipsWrapMarkerAndShortTail) {
  fabricate_stale(name_, lock_dir(), 0, 1024);
  ShmView view = ShmView::open(name_, true);
  auto set = [&](const char* field, std::uint64_t value) {
    auto f = *find_oieb_field(field);
    view.write_uint(f.offset, f.width, value);
  };
  const std::uint64_t payload = 128;
  set("payloadWrittenCount", 3);
  set("payloadReadCount", 1);
  set("payloadReadPos", 616);
  view.write_uint(payload + 616, 8, 500);  // a real frame header at the read position
  EXPECT_EQ(view.resolve(*parse_location("frame+8")), payload + 616 + 8);
  view.write_uint(payload + 616, 8, 0);  // now a wrap marker, with a frame behind it
  EXPECT_EQ(view.resolve(*parse_location("frame+8")), payload + 8);
  set("payloadReadPos", 1016);  // 8 bytes left: a short tail
  EXPECT_EQ(view.resolve(*parse_location("frame+0")), payload);
}

TEST(HarnessShmLayout, LocationsAndHexParse) {
  auto loc = parse_location("oieb+0x04");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->base, Location::Base::oieb);
  EXPECT_EQ(loc->offset, 4u);
  EXPECT_EQ(parse_location("payload+616")->offset, 616u);
  EXPECT_EQ(parse_location("meta")->base, Location::Base::meta);
  EXPECT_EQ(parse_location("40")->base, Location::Base::absolute);
  EXPECT_FALSE(parse_location("payload+"));
  EXPECT_FALSE(parse_location("heap+4"));
  EXPECT_FALSE(parse_location("payload+4x"));
  EXPECT_EQ(*parse_hex("0a 00 ff"), (std::vector<std::uint8_t>{0x0a, 0x00, 0xff}));
  EXPECT_FALSE(parse_hex("0a0"));
  EXPECT_FALSE(parse_hex("zz"));
}

TEST(HarnessShmLayout, OiebTableMatchesTheWireBrief) {
  EXPECT_EQ(find_oieb_field("payloadFreeBytes")->offset, 0x28u);
  EXPECT_EQ(find_oieb_field("writerPid")->offset, 0x50u);
  EXPECT_EQ(find_oieb_field("readerPid")->offset, 0x58u);
  EXPECT_EQ(find_oieb_field("reserved3")->offset + 8, kOiebSize);
  EXPECT_FALSE(find_oieb_field("nonsense"));
}

}  // namespace
}  // namespace zbh
