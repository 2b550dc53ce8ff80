#include "serve_fixture.h"

#include "checksum.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace zbserve_test {

namespace fs = std::filesystem;

std::string checksum_of(const std::string& text) { return zbchecksum::checksum(std::as_bytes(std::span(text))); }

std::string pattern_checksum(std::uint8_t seed, std::uint64_t sequence, std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i + 7 * sequence + seed) % 251);
  return checksum_of(bytes);
}

bool frames_are_pattern(const Json& read, std::uint8_t seed) {
  for (const auto& frame : read.at("frames")) {
    const auto expected = pattern_checksum(seed, frame.at("sequence").get<std::uint64_t>(), frame.at("size").get<std::size_t>());
    if (frame.at("checksum") != expected) return false;
  }
  return true;
}

void ServeTest::SetUp() {
  ::umask(022);  // as the harness does, so that mode checks mean something
  std::string templ = (fs::temp_directory_path() / "zbserve-lock-XXXXXX").string();
  ASSERT_NE(::mkdtemp(templ.data()), nullptr);
  lock_dir_ = templ;
  ::setenv("ZEROBUFFER_LOCK_DIR", lock_dir_.c_str(), 1);  // inherited by every serve
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::create_directories(ZEROBUFFER_SERVE_MESSAGES_DIR);
  log_ = std::make_unique<MessageLog>(std::string(ZEROBUFFER_SERVE_MESSAGES_DIR) + "/" + info->test_suite_name() +
                                      "." + info->name() + ".jsonl");
}

void ServeTest::TearDown() {
  for (auto& serve : serves_) {
    if (serve) {
      EXPECT_EQ(stop(*serve), 0) << "a serve did not exit with status 0";
    }
  }
  serves_.clear();
  for (const auto& n : names_) {
    EXPECT_FALSE(shm_objects_exist(n)) << "leftover /dev/shm objects of " << n;
    EXPECT_FALSE(fs::exists(lock_dir_ + "/" + n + ".lock")) << "leftover lock file of " << n;
  }
  std::error_code ignored;
  fs::remove_all(lock_dir_, ignored);
}

ServeProcess& ServeTest::start(const std::string& label, const std::vector<std::string>& args) {
  serves_.push_back(std::make_unique<ServeProcess>(*log_, label, args));
  return *serves_.back();
}

int ServeTest::stop(ServeProcess& serve) {
  serve.close_stdin();
  const auto status = serve.wait_exit();
  EXPECT_TRUE(status.has_value()) << "serve did not exit after end of input";
  return status.value_or(-1);
}

std::string ServeTest::name(const std::string& tag) {
  static std::atomic<int> counter{0};
  std::string n = "zbserve-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + tag;
  names_.push_back(n);
  return n;
}

ServeProcess& ServeTest::reader(const std::string& buffer, std::uint64_t payload_size, std::uint64_t metadata_size) {
  ServeProcess& serve = start("reader");
  serve.ok("createReader", {{"name", buffer}, {"metadataSize", metadata_size}, {"payloadSize", payload_size}});
  return serve;
}

ServeProcess& ServeTest::writer(const std::string& buffer, const std::string& label) {
  ServeProcess& serve = start(label);
  serve.ok("connectWriter", {{"name", buffer}});
  return serve;
}

bool shm_objects_exist(const std::string& name) {
  return fs::exists("/dev/shm/" + name) || fs::exists("/dev/shm/sem.sem-w-" + name) ||
         fs::exists("/dev/shm/sem.sem-r-" + name);
}

RawShm::RawShm(const std::string& name) {
  const int fd = ::open(("/dev/shm/" + name).c_str(), O_RDWR | O_NOFOLLOW);
  if (fd < 0) throw std::runtime_error("cannot open /dev/shm/" + name);
  struct stat st {};
  ::fstat(fd, &st);
  size_ = static_cast<std::size_t>(st.st_size);
  void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) throw std::runtime_error("cannot map /dev/shm/" + name);
  base_ = static_cast<unsigned char*>(p);
}

RawShm::~RawShm() { ::munmap(base_, size_); }

std::uint64_t RawShm::u64(std::size_t offset) const {
  std::uint64_t v = 0;
  if (offset + 8 <= size_) std::memcpy(&v, base_ + offset, 8);
  return v;
}

void RawShm::set_u64(std::size_t offset, std::uint64_t value) {
  if (offset + 8 <= size_) std::memcpy(base_ + offset, &value, 8);
}

void RawShm::set_u8(std::size_t offset, std::uint8_t value) {
  if (offset < size_) base_[offset] = value;
}

}  // namespace zbserve_test
