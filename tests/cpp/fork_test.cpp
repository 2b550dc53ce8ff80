// Fork safety: objects a child inherits through fork() are copies. Destroying or closing them
// in the child must leave the parent's buffer alone (docs/protocol.md §5, rule fork.child-noop).
#include <optional>

#include "test_support.h"

namespace zbtest {
namespace {

class ForkSafety : public ZeroBufferTest {};

// Exit codes of the child: 0 = as expected, other values name the step that misbehaved.
enum ChildResult { kOk = 0, kReadAllowed = 10, kWriteAllowed = 11, kUnexpectedError = 12 };

template <typename F>
int in_child(F child) {
  return zbtest::in_child(child, kUnexpectedError);
}

struct Snapshot {
  std::uint64_t reader_pid, writer_pid, free_bytes, read_pos, read_count, write_pos, written_count;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const std::string& name) {
  const Oieb o = RawBuffer(name).oieb();
  return {o.reader_pid, o.writer_pid, o.payload_free_bytes, o.payload_read_pos, o.payload_read_count,
          o.payload_write_pos, o.payload_written_count};
}

TEST_F(ForkSafety, ChildDestroyingInheritedObjectsLeavesTheParentsBufferIntact) {
  const auto n = name();
  std::optional<Reader> reader(std::in_place, n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  std::optional<Writer> writer(std::in_place, n);
  writer->write_frame(pattern(100, 1));
  writer->write_frame(pattern(200, 2));
  std::optional<Frame> first(reader->read_frame(1s));
  std::optional<Frame> second(reader->read_frame(1s));
  ASSERT_TRUE(first->valid() && second->valid());
  const Snapshot before = snapshot(n);
  ASSERT_EQ(before.free_bytes, 1024u - 116 - 216);

  const int child = in_child([&] {
    // Everything the child inherited goes, as when it returns from main.
    first.reset();
    second.reset();
    writer.reset();
    reader.reset();
    return kOk;
  });
  EXPECT_EQ(child, kOk);

  EXPECT_TRUE(std::filesystem::exists("/dev/shm/" + n));
  EXPECT_TRUE(std::filesystem::exists("/dev/shm/sem.sem-w-" + n));
  EXPECT_TRUE(std::filesystem::exists("/dev/shm/sem.sem-r-" + n));
  EXPECT_TRUE(std::filesystem::exists(lock_dir_ + "/" + n + ".lock"));
  EXPECT_EQ(snapshot(n), before);
  EXPECT_THROW(Reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024}),
               zerobuffer::ReaderAlreadyConnectedException);

  // The parent's objects still work, and its releases return the space exactly once.
  first.reset();
  second.reset();
  EXPECT_EQ(RawBuffer(n).oieb().payload_free_bytes, 1024u);
  writer->write_frame(pattern(50, 3));
  Frame third = reader->read_frame(1s);
  ASSERT_TRUE(third.valid());
  EXPECT_TRUE(matches_pattern(third.data(), 3));
}

TEST_F(ForkSafety, ChildCannotReadOrWriteThroughInheritedObjects) {
  auto [n, reader, writer] = connected(BufferConfig{.metadata_size = 0, .payload_size = 1024});
  writer.write_frame(pattern(10, 1));
  const Snapshot before = snapshot(n);

  const int child = in_child([&] {
    try {
      (void)reader.try_read_frame();
      return kReadAllowed;
    } catch (const zerobuffer::InvalidStateException&) {
    }
    try {
      writer.write_frame(pattern(10, 2));
      return kWriteAllowed;
    } catch (const zerobuffer::InvalidStateException&) {
    }
    return kOk;
  });
  EXPECT_EQ(child, kOk);
  EXPECT_EQ(snapshot(n), before);
  Frame frame = reader.read_frame(1s);
  ASSERT_TRUE(frame.valid());
  EXPECT_EQ(frame.sequence(), 1u);
}

}  // namespace
}  // namespace zbtest
