// Writer connect: what it checks before it claims the buffer, and how it claims it.
#include "test_support.h"

namespace zbtest {
namespace {

class Connect : public ZeroBufferTest {};

TEST_F(Connect, MissingBufferIsNotFound) {
  EXPECT_THROW(Writer{name()}, zerobuffer::BufferNotFoundException);
}

TEST_F(Connect, MissingSemaphoreIsNotFound) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  ::sem_unlink(("/sem-r-" + n).c_str());
  EXPECT_THROW(Writer{n}, zerobuffer::BufferNotFoundException);
}

TEST_F(Connect, UninitialisedHeaderIsNotFoundYet) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  std::memset(raw.bytes(), 0, 4);  // oieb_size 0: the reader is still setting up
  EXPECT_THROW(Writer{n}, zerobuffer::BufferNotFoundException);
}

TEST_F(Connect, OtherMajorVersionIsIncompatible) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  raw.bytes()[4] = std::byte{2};
  EXPECT_THROW(Writer{n}, zerobuffer::IncompatibleVersionException);
}

TEST_F(Connect, OtherOiebSizeIsIncompatible) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  raw.bytes()[0] = std::byte{64};
  EXPECT_THROW(Writer{n}, zerobuffer::IncompatibleVersionException);
}

TEST_F(Connect, SizesBeyondTheObjectAreCorrupt) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  raw.field(&Oieb::payload_size) = 1 << 20;
  EXPECT_THROW(Writer{n}, zerobuffer::CorruptBufferException);
  raw.field(&Oieb::payload_size) = 1024;
  raw.field(&Oieb::metadata_size) = ~std::uint64_t{0} - 100;  // overflows when added
  EXPECT_THROW(Writer{n}, zerobuffer::CorruptBufferException);
}

TEST_F(Connect, DeadReaderIsReported) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  raw.field(&Oieb::reader_pid) = dead_pid();
  EXPECT_THROW(Writer{n}, zerobuffer::ReaderDeadException);
  raw.field(&Oieb::reader_pid) = 0;
  EXPECT_THROW(Writer{n}, zerobuffer::ReaderDeadException);
  raw.field(&Oieb::reader_pid) = static_cast<std::uint64_t>(::getpid());
}

TEST_F(Connect, SecondLiveWriterIsRefusedAndTheFirstKeepsItsClaim) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 4096});
  Peer first({"writer", n, "0", "1", "hang"});
  ASSERT_EQ(first.read_line(), "ready");
  EXPECT_THROW(Writer{n}, zerobuffer::WriterAlreadyConnectedException);
  RawBuffer raw(n);
  EXPECT_EQ(raw.oieb().writer_pid, static_cast<std::uint64_t>(first.pid()));
}

TEST_F(Connect, SecondWriterInTheSameProcessIsRefused) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  Writer first(n);
  EXPECT_THROW(Writer{n}, zerobuffer::WriterAlreadyConnectedException);
  first.write_frame(pattern(1, 1));
}

TEST_F(Connect, DeadWritersClaimIsTakenOver) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  raw.field(&Oieb::writer_pid) = dead_pid();
  Writer writer(n);
  EXPECT_EQ(raw.oieb().writer_pid, static_cast<std::uint64_t>(::getpid()));
}

TEST_F(Connect, FailedConnectLeavesWriterPidAlone) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  raw.field(&Oieb::reader_pid) = 0;  // connect fails on the reader check
  EXPECT_THROW(Writer{n}, zerobuffer::ReaderDeadException);
  EXPECT_EQ(raw.oieb().writer_pid, 0u);
  raw.field(&Oieb::reader_pid) = static_cast<std::uint64_t>(::getpid());
}

TEST_F(Connect, CloseNeverClearsAnotherWritersPid) {
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  RawBuffer raw(n);
  Writer writer(n);
  raw.field(&Oieb::writer_pid) = 4242424;  // someone else took over meanwhile
  writer.close();
  EXPECT_EQ(raw.oieb().writer_pid, 4242424u);
}

TEST_F(Connect, ReaderOfAnotherUserCountsAsAlive) {
  // kill(pid, 0) fails with EPERM for another user's live process: that reader is alive.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a child as another user";
  const auto n = name();
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024, .mode = 0666});
  const pid_t child = ::fork();
  if (child == 0) {
    if (::setuid(65534) != 0) ::_exit(3);
    try {
      Writer writer(n);
      ::_exit(0);
    } catch (const zerobuffer::ReaderDeadException&) {
      ::_exit(1);
    } catch (...) {
      ::_exit(2);
    }
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1 = the root-owned reader was taken for dead";
}

TEST_F(Connect, InvalidNameIsRefusedBeforeAnyOsCall) {
  EXPECT_THROW(Writer{"a/b"}, zerobuffer::InvalidNameException);
}

}  // namespace
}  // namespace zbtest
