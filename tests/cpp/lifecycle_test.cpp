// Reader create/close: names, permissions, sizes, stale leftovers, nothing leaked.
#include <sys/statvfs.h>

#include "test_support.h"

namespace zbtest {
namespace {

class Lifecycle : public ZeroBufferTest {};

TEST_F(Lifecycle, ValidNamesWork) {
  const std::string base = unique_name("v");
  for (const std::string& n : {base + "-123e4567-e89b-12d3-a456-426614174000", base + "_b.v2",
                               base + std::string(200 - base.size(), 'x')}) {
    names_.push_back(n);
    Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 64});
    EXPECT_TRUE(std::filesystem::exists("/dev/shm/" + n));
    EXPECT_TRUE(std::filesystem::exists("/dev/shm/sem.sem-w-" + n));
    EXPECT_TRUE(std::filesystem::exists("/dev/shm/sem.sem-r-" + n));
    EXPECT_TRUE(std::filesystem::exists(lock_dir_ + "/" + n + ".lock"));
  }
  EXPECT_TRUE(zerobuffer::is_valid_name("a"));
}

TEST_F(Lifecycle, InvalidNamesAreRefusedAndCreateNothing) {
  // Looks for the objects each name would have made (not at the count of /dev/shm, which the
  // tests running beside this one change).
  for (const std::string& n : {std::string(), std::string("a/b"), std::string("../x"), std::string(201, 'a'),
                               std::string("has space"), std::string(".hidden"), std::string("nul\0x", 5)}) {
    EXPECT_THROW(Reader(n, BufferConfig{}), zerobuffer::InvalidNameException) << n;
    EXPECT_FALSE(zerobuffer::is_valid_name(n));
    const std::string as_c_path = n.c_str();  // what a system call would see
    for (const std::string& object : {"/dev/shm/sem.sem-w-" + as_c_path, "/dev/shm/sem.sem-r-" + as_c_path,
                                      lock_dir_ + "/" + as_c_path + ".lock"}) {
      EXPECT_FALSE(std::filesystem::exists(object)) << object;
    }
    if (!as_c_path.empty()) {
      EXPECT_FALSE(std::filesystem::exists("/dev/shm/" + as_c_path)) << as_c_path;
    }
  }
}

TEST_F(Lifecycle, ObjectsAreOwnerOnlyByDefault) {
  const auto n = name();
  const mode_t old = ::umask(0);  // even a permissive umask must not widen the default
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 64});
  ::umask(old);
  EXPECT_EQ(file_mode("/dev/shm/" + n), 0600u);
  EXPECT_EQ(file_mode("/dev/shm/sem.sem-w-" + n), 0600u);
  EXPECT_EQ(file_mode("/dev/shm/sem.sem-r-" + n), 0600u);
  EXPECT_EQ(file_mode(lock_dir_ + "/" + n + ".lock"), 0600u);
}

TEST_F(Lifecycle, ConfiguredModeIsAppliedExactlyDespiteTheUmask) {
  const auto n = name();
  const mode_t old = ::umask(022);
  Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 64, .mode = 0660});
  ::umask(old);
  EXPECT_EQ(reader.mode(), 0660u);
  EXPECT_EQ(file_mode("/dev/shm/" + n), 0660u);
  EXPECT_EQ(file_mode("/dev/shm/sem.sem-w-" + n), 0660u);
  EXPECT_EQ(file_mode("/dev/shm/sem.sem-r-" + n), 0660u);
}

TEST_F(Lifecycle, LockDirectoryComesFromTheEnvironmentAndIsCreated) {
  const std::string dir = lock_dir_ + "/nested";
  ::setenv("ZEROBUFFER_LOCK_DIR", dir.c_str(), 1);
  const auto n = name();
  {
    Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = 64});
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + n + ".lock"));
    EXPECT_EQ(file_mode(dir), 01777u);
  }
  std::filesystem::remove(dir);
}

TEST_F(Lifecycle, ZeroPayloadIsRefused) {
  EXPECT_THROW(Reader(name(), BufferConfig{.metadata_size = 0, .payload_size = 0}),
               zerobuffer::InvalidFrameSizeException);
}

TEST_F(Lifecycle, OverflowingSizesAreRefused) {
  const auto max = std::numeric_limits<std::size_t>::max();
  EXPECT_THROW(Reader(name(), BufferConfig{.metadata_size = max - 10, .payload_size = 64}),
               zerobuffer::InvalidFrameSizeException);
  EXPECT_THROW(Reader(name(), BufferConfig{.metadata_size = max / 2, .payload_size = max / 2}),
               zerobuffer::InvalidFrameSizeException);
  // Rounds without overflow, but 128 + M alone exceeds 64 bits.
  EXPECT_THROW(Reader(name(), BufferConfig{.metadata_size = max - 63, .payload_size = 1024}),
               zerobuffer::InvalidFrameSizeException);
}

TEST_F(Lifecycle, BufferLargerThanDevShmFailsAtCreateAndLeavesNothing) {
  struct statvfs fs {};
  ASSERT_EQ(::statvfs("/dev/shm", &fs), 0);
  const std::uint64_t total = static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize;
  const auto n = name();
  try {
    Reader reader(n, BufferConfig{.metadata_size = 0, .payload_size = total * 2});
    FAIL() << "a buffer twice the size of /dev/shm was created";
  } catch (const zerobuffer::InternalException& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/shm"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(shm_objects_exist(n));
}

TEST_F(Lifecycle, SecondReaderOfALiveBufferIsRefusedAndTheFirstIsUnaffected) {
  const auto n = name();
  Reader first(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  EXPECT_THROW(Reader(n, BufferConfig{.metadata_size = 0, .payload_size = 1024}),
               zerobuffer::ReaderAlreadyConnectedException);
  Writer writer(n);
  writer.write_frame(pattern(10, 1));
  EXPECT_TRUE(first.read_frame(1000ms).valid());
}

TEST_F(Lifecycle, SecondReaderInAnotherProcessIsRefused) {
  const auto n = name();
  Reader first(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  Peer second({"reader", n, "1024"});
  EXPECT_EQ(second.read_line().rfind("error ReaderAlreadyConnected", 0), 0u);
  EXPECT_EQ(second.wait(), 1);
}

TEST_F(Lifecycle, StaleResourcesOfTheSameNameAreReplacedByAFreshBuffer) {
  const auto n = name();
  // Fabricate the leftovers explicitly: a zero-filled object with dead PIDs and two semaphores.
  const int fd = ::shm_open(("/" + n).c_str(), O_CREAT | O_RDWR, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 128 + 1024), 0);
  ::close(fd);
  {
    RawBuffer raw(n);
    raw.field(&Oieb::payload_written_count) = 99;
    raw.field(&Oieb::reader_pid) = dead_pid();
  }
  ::sem_close(::sem_open(("/sem-w-" + n).c_str(), O_CREAT, 0600, 5));
  ::sem_close(::sem_open(("/sem-r-" + n).c_str(), O_CREAT, 0600, 5));
  ::close(::open((lock_dir_ + "/" + n + ".lock").c_str(), O_CREAT | O_RDWR, 0600));

  Reader fresh(n, BufferConfig{.metadata_size = 0, .payload_size = 2048});
  RawBuffer raw(n);
  EXPECT_EQ(raw.oieb().payload_written_count, 0u);
  EXPECT_EQ(raw.oieb().payload_size, 2048u);
  EXPECT_EQ(raw.oieb().reader_pid, static_cast<std::uint64_t>(::getpid()));
  sem_t* sem = ::sem_open(("/sem-w-" + n).c_str(), 0);
  int value = -1;
  ::sem_getvalue(sem, &value);
  ::sem_close(sem);
  EXPECT_EQ(value, 0) << "stale semaphores are replaced";
}

TEST_F(Lifecycle, CreatingAnyBufferClearsLeftoversOfCrashedReaders) {
  const auto crashed = name("crashed");
  {
    Peer reader({"reader", crashed, "1024"});
    ASSERT_EQ(reader.read_line(), "ready");
    reader.kill();
    reader.wait();
  }
  ASSERT_TRUE(shm_objects_exist(crashed));
  ASSERT_TRUE(std::filesystem::exists(lock_dir_ + "/" + crashed + ".lock"));
  Reader other(name("other"), BufferConfig{.metadata_size = 0, .payload_size = 64});
  EXPECT_FALSE(shm_objects_exist(crashed));
  EXPECT_FALSE(std::filesystem::exists(lock_dir_ + "/" + crashed + ".lock"));
}

TEST_F(Lifecycle, StaleScanKeepsTheObjectsOfABufferWhoseWriterStillLives) {
  const auto n = name();
  Peer crashed_reader({"reader", n, "1024"});
  ASSERT_EQ(crashed_reader.read_line(), "ready");
  Writer writer(n);
  crashed_reader.kill();
  crashed_reader.wait();
  Reader other(name("other"), BufferConfig{.metadata_size = 0, .payload_size = 64});
  EXPECT_TRUE(std::filesystem::exists("/dev/shm/" + n)) << "its writer still uses it";
  EXPECT_FALSE(std::filesystem::exists(lock_dir_ + "/" + n + ".lock")) << "the stale lock goes";
  writer.close();
  Reader(n, BufferConfig{.metadata_size = 0, .payload_size = 64}).close();  // replaces and removes
}

TEST_F(Lifecycle, ReplacementReaderTakesOverWhileTheOldWriterLives) {
  const auto n = name();
  Peer old_reader({"reader", n, "4096"});
  ASSERT_EQ(old_reader.read_line(), "ready");
  Writer old_writer(n);
  old_writer.write_frame(pattern(10, 1));
  old_reader.kill();
  old_reader.wait();
  Reader replacement(n, BufferConfig{.metadata_size = 0, .payload_size = 4096});
  // The old writer learns within its 100 ms liveness interval, even though it never waits.
  const auto start = Clock::now();
  EXPECT_THROW(
      while (Clock::now() - start < 1000ms) old_writer.write_frame(pattern(10, 2)), zerobuffer::ReaderDeadException);
  old_writer.close();
  Writer new_writer(n);
  EXPECT_EQ(new_writer.write_frame(pattern(10, 1)), 1u);
  const auto frame = replacement.read_frame(1000ms);
  ASSERT_TRUE(frame.valid());
  EXPECT_EQ(frame.sequence(), 1u);
}

TEST_F(Lifecycle, FailedCreateLeavesNoObjectsBehind) {
  const auto n = name();
  Reader first(n, BufferConfig{.metadata_size = 0, .payload_size = 1024});
  EXPECT_THROW(Reader(n, BufferConfig{}), zerobuffer::ReaderAlreadyConnectedException);
  EXPECT_TRUE(std::filesystem::exists("/dev/shm/" + n)) << "the live reader's buffer survives";
  first.close();
  EXPECT_FALSE(shm_objects_exist(n));
}

}  // namespace
}  // namespace zbtest
