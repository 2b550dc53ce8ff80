#include "test_support.h"

#include <atomic>

namespace zbtest {

std::string unique_name(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "zbt-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

std::vector<std::byte> pattern(std::size_t size, std::uint64_t sequence, std::uint64_t seed) {
  std::vector<std::byte> out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = std::byte((i + 7 * sequence + seed) % 251);
  return out;
}

bool matches_pattern(std::span<const std::byte> data, std::uint64_t sequence, std::uint64_t seed) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] != std::byte((i + 7 * sequence + seed) % 251)) return false;
  }
  return true;
}

std::span<const std::byte> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

bool shm_objects_exist(const std::string& name) {
  namespace fs = std::filesystem;
  return fs::exists("/dev/shm/" + name) || fs::exists("/dev/shm/sem.sem-w-" + name) ||
         fs::exists("/dev/shm/sem.sem-r-" + name);
}

mode_t file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

RawBuffer::RawBuffer(const std::string& name) {
  const int fd = ::open(("/dev/shm/" + name).c_str(), O_RDWR);
  if (fd < 0) throw std::runtime_error("RawBuffer: cannot open /dev/shm/" + name);
  struct stat st {};
  ::fstat(fd, &st);
  size_ = static_cast<std::size_t>(st.st_size);
  void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) throw std::runtime_error("RawBuffer: mmap failed");
  base_ = static_cast<std::byte*>(p);
}

RawBuffer::~RawBuffer() { ::munmap(base_, size_); }

zerobuffer::Oieb RawBuffer::oieb() const {
  zerobuffer::Oieb o{};
  std::memcpy(&o, base_, sizeof o);
  return o;
}

std::uint64_t& RawBuffer::field(std::uint64_t zerobuffer::Oieb::*member) {
  return reinterpret_cast<zerobuffer::Oieb*>(base_)->*member;
}

std::vector<std::uint8_t> RawBuffer::read(std::size_t offset, std::size_t length) const {
  std::vector<std::uint8_t> out(length);
  std::memcpy(out.data(), base_ + offset, length);
  return out;
}

void ZeroBufferTest::SetUp() {
  char tmpl[] = "/tmp/zbtest-lock-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  lock_dir_ = tmpl;
  ::setenv("ZEROBUFFER_LOCK_DIR", lock_dir_.c_str(), 1);
}

std::string ZeroBufferTest::name(const std::string& tag) {
  names_.push_back(unique_name(tag));
  return names_.back();
}

Connected ZeroBufferTest::connected(const BufferConfig& config, const WriterOptions& options) {
  std::string n = name();
  Reader reader(n, config);
  Writer writer(n, options);
  return Connected{std::move(n), std::move(reader), std::move(writer)};
}

void ZeroBufferTest::TearDown() {
  for (const auto& n : names_) {
    EXPECT_FALSE(shm_objects_exist(n)) << "leaked /dev/shm objects of " << n;
    ::shm_unlink(("/" + n).c_str());
    ::sem_unlink(("/sem-w-" + n).c_str());
    ::sem_unlink(("/sem-r-" + n).c_str());
  }
  std::error_code ec;
  const bool empty = std::filesystem::is_empty(lock_dir_, ec);
  EXPECT_TRUE(empty) << "lock files left in " << lock_dir_;
  std::filesystem::remove_all(lock_dir_, ec);
  ::unsetenv("ZEROBUFFER_LOCK_DIR");
}

Child::Child(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> strings = argv;
  const std::size_t env_start = strings.size();
  for (char** e = environ; *e != nullptr; ++e) strings.emplace_back(*e);
  strings.insert(strings.end(), env.begin(), env.end());
  std::vector<char*> child_argv;
  std::vector<char*> child_env;
  for (std::size_t i = 0; i < strings.size(); ++i) (i < env_start ? child_argv : child_env).push_back(strings[i].data());
  child_argv.push_back(nullptr);
  child_env.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(pipefd[1], STDOUT_FILENO);
    ::execve(child_argv[0], child_argv.data(), child_env.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  out_ = pipefd[0];
}

Child::~Child() {
  if (!reaped_) {
    kill();
    wait();
  }
  if (out_ >= 0) ::close(out_);
}

std::string Child::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (const auto nl = pending_.find('\n'); nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return {};
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(out_, buf, sizeof buf);
    if (n <= 0) return {};
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

bool Child::wait_stopped() {
  int status = 0;
  if (reaped_ || ::waitpid(pid_, &status, WUNTRACED) != pid_) return false;
  if (WIFSTOPPED(status)) return true;
  reaped_ = true;
  return false;
}

void Child::resume() {
  if (!reaped_) ::kill(pid_, SIGCONT);
}

void Child::kill() {
  if (!reaped_) ::kill(pid_, SIGKILL);
}

int Child::wait() {
  if (reaped_) return -1;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reaped_ = true;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

namespace {
std::vector<std::string> peer_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{ZEROBUFFER_TEST_PEER};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}
}  // namespace

Peer::Peer(const std::vector<std::string>& args) : Child(peer_argv(args)) {}

std::uint64_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return static_cast<std::uint64_t>(pid);
}

}  // namespace zbtest
