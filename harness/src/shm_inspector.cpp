#include "shm_inspector.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <semaphore.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace zbh {
namespace {

namespace fs = std::filesystem;

std::string errno_text() { return std::strerror(errno); }

// The OIEB is little-endian; so is every machine this harness runs on, but say it explicitly.
std::uint64_t load_le(const std::uint8_t* p, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) value |= std::uint64_t{p[i]} << (8 * i);
  return value;
}

void store_le(std::uint8_t* p, std::size_t width, std::uint64_t value) {
  for (std::size_t i = 0; i < width; ++i) p[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

}  // namespace

ShmView ShmView::open(const std::string& name, bool writable) {
  const std::string path = "/dev/shm/" + name;
  int fd = ::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw ShmError("cannot open " + path + ": " + errno_text());
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    std::string text = errno_text();
    ::close(fd);
    throw ShmError("cannot stat " + path + ": " + text);
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* base = nullptr;
  if (size > 0) {
    base = ::mmap(nullptr, size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
      std::string text = errno_text();
      ::close(fd);
      throw ShmError("cannot map " + path + ": " + text);
    }
  }
  ::close(fd);
  return ShmView(base, size, writable);
}

ShmView::ShmView(ShmView&& other) noexcept
    : base_(other.base_), size_(other.size_), writable_(other.writable_) {
  other.base_ = nullptr;
  other.size_ = 0;
}

ShmView::~ShmView() {
  if (base_ != nullptr) ::munmap(base_, size_);
}

void ShmView::check_range(std::uint64_t offset, std::uint64_t length) const {
  if (offset > size_ || length > size_ - offset) {
    throw ShmError("offset " + std::to_string(offset) + " + " + std::to_string(length) +
                   " bytes is outside the object (" + std::to_string(size_) + " bytes)");
  }
}

std::uint64_t ShmView::read_uint(std::uint64_t offset, std::size_t width) const {
  check_range(offset, width);
  return load_le(static_cast<const std::uint8_t*>(base_) + offset, width);
}

std::vector<std::uint8_t> ShmView::read_bytes(std::uint64_t offset, std::uint64_t length) const {
  check_range(offset, length);
  const auto* p = static_cast<const std::uint8_t*>(base_) + offset;
  return std::vector<std::uint8_t>(p, p + length);
}

void ShmView::write_bytes(std::uint64_t offset, const std::vector<std::uint8_t>& bytes) {
  if (!writable_) throw ShmError("view is read-only");
  check_range(offset, bytes.size());
  std::memcpy(static_cast<std::uint8_t*>(base_) + offset, bytes.data(), bytes.size());
}

void ShmView::write_uint(std::uint64_t offset, std::size_t width, std::uint64_t value) {
  std::vector<std::uint8_t> bytes(width);
  store_le(bytes.data(), width, value);
  write_bytes(offset, bytes);
}

std::uint64_t ShmView::field(std::string_view name) const {
  auto f = find_oieb_field(name);
  if (!f) throw ShmError("unknown OIEB field '" + std::string(name) + "'");
  return field(*f);
}

nlohmann::json ShmView::oieb() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& f : kOiebFields) out[std::string(f.name)] = field(f);
  return out;
}

std::uint64_t ShmView::payload_base() const {
  const std::uint64_t metadata_size = field("metadataSize");
  if (metadata_size > size_ - std::min<std::uint64_t>(size_, kOiebSize)) {
    throw ShmError("OIEB metadataSize " + std::to_string(metadata_size) + " points outside the object");
  }
  return kOiebSize + metadata_size;
}

std::uint64_t ShmView::next_frame_offset() const {
  const std::uint64_t base = payload_base();
  const std::uint64_t payload_size = field("payloadSize");
  if (payload_size == 0 || payload_size > size_ - base) {
    throw ShmError("OIEB payloadSize " + std::to_string(payload_size) + " does not fit the object");
  }
  std::uint64_t r = field("payloadReadPos");
  if (r >= payload_size) r = 0;
  if (payload_size - r < kFrameHeaderSize) return 0;  // short tail: the reader wraps
  const std::uint64_t unread = field("payloadWrittenCount") - field("payloadReadCount");
  if (read_uint(base + r, 8) == 0 && unread >= 2) return 0;  // wrap marker
  return r;
}

std::uint64_t ShmView::resolve(const Location& location) const {
  switch (location.base) {
    case Location::Base::absolute:
    case Location::Base::oieb:
      return location.offset;
    case Location::Base::meta:
      return kOiebSize + location.offset;
    case Location::Base::payload:
      return payload_base() + location.offset;
    case Location::Base::frame:
      return payload_base() + next_frame_offset() + location.offset;
  }
  return location.offset;
}

std::vector<std::string> existing_objects(const std::string& name, const std::string& lock_dir) {
  std::vector<std::string> out;
  for (const auto& [label, path] : BufferPaths::of(name, lock_dir).labelled()) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) out.push_back(path);
  }
  return out;
}

std::vector<std::string> objects_containing(const std::string& token, const std::string& lock_dir) {
  std::vector<std::string> out;
  for (const std::string& dir : {std::string("/dev/shm"), lock_dir}) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().filename().string().find(token) != std::string::npos) {
        out.push_back(it->path().string());
      }
    }
  }
  return out;
}

std::vector<std::string> remove_objects(const std::string& name, const std::string& lock_dir) {
  std::vector<std::string> removed;
  for (const auto& path : existing_objects(name, lock_dir)) {
    if (::unlink(path.c_str()) == 0) removed.push_back(path);
  }
  return removed;
}

std::uint64_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  if (child < 0) throw ShmError("fork failed: " + errno_text());
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return static_cast<std::uint64_t>(child);
}

void fabricate_stale(const std::string& name, const std::string& lock_dir, std::uint64_t metadata_size,
                     std::uint64_t payload_size) {
  const std::string shm_name = "/" + name;
  int fd = ::shm_open(shm_name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) throw ShmError("fabricateStale: shm_open " + shm_name + ": " + errno_text());
  const std::uint64_t size = kOiebSize + metadata_size + payload_size;
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    std::string text = errno_text();
    ::close(fd);
    throw ShmError("fabricateStale: ftruncate: " + text);
  }
  // An OIEB in the middle of a session whose reader and writer are both gone.
  std::uint8_t oieb[kOiebSize] = {};
  auto put = [&](std::string_view field, std::uint64_t value) {
    auto f = find_oieb_field(field);
    store_le(oieb + f->offset, f->width, value);
  };
  put("oiebSize", kOiebSize);
  put("versionMajor", 1);
  put("metadataSize", metadata_size);
  put("metadataFreeBytes", metadata_size);
  put("payloadSize", payload_size);
  put("payloadFreeBytes", payload_size / 2);
  put("payloadWritePos", payload_size / 2);
  put("payloadWrittenCount", 7);
  put("payloadReadCount", 3);
  put("writerPid", dead_pid());
  put("readerPid", dead_pid());
  ssize_t written = ::pwrite(fd, oieb, sizeof oieb, 0);
  ::close(fd);
  if (written != static_cast<ssize_t>(sizeof oieb)) throw ShmError("fabricateStale: cannot write the OIEB");

  for (const char* prefix : {"/sem-w-", "/sem-r-"}) {
    const std::string sem_name = prefix + name;
    sem_t* sem = ::sem_open(sem_name.c_str(), O_CREAT, 0600, 0);
    if (sem == SEM_FAILED) throw ShmError("fabricateStale: sem_open " + sem_name + ": " + errno_text());
    ::sem_close(sem);
  }
  std::error_code ec;
  fs::create_directories(lock_dir, ec);
  ::chmod(lock_dir.c_str(), 01777);
  const std::string lock = lock_dir + "/" + name + ".lock";
  int lock_fd = ::open(lock.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock_fd < 0) throw ShmError("fabricateStale: cannot create " + lock + ": " + errno_text());
  ::close(lock_fd);
}

std::string unlink_object(const std::string& name, const std::string& lock_dir, const std::string& label) {
  for (const auto& [object, path] : BufferPaths::of(name, lock_dir).labelled()) {
    if (object != label) continue;
    if (::unlink(path.c_str()) != 0) throw ShmError("unlink " + path + ": " + errno_text());
    return path;
  }
  throw ShmError("unlink: no object '" + label + "'");
}

void create_object(const std::string& name, std::uint64_t size) {
  const std::string shm_name = "/" + name;
  int fd = ::shm_open(shm_name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) throw ShmError("createObject: shm_open " + shm_name + ": " + errno_text());
  const int rc = ::ftruncate(fd, static_cast<off_t>(size));
  const std::string text = rc != 0 ? errno_text() : std::string();
  ::close(fd);
  if (rc != 0) {
    ::shm_unlink(shm_name.c_str());
    throw ShmError("createObject: ftruncate: " + text);
  }
}

bool lock_held(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw ShmError("cannot open " + path + ": " + errno_text());
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // releases our test lock, if we took it
  return held;
}

void write_lock_pid(const std::string& path, std::uint64_t pid) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw ShmError("cannot open " + path + ": " + errno_text());
  const std::string text = std::to_string(pid);
  const ssize_t written = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size())) throw ShmError("cannot write " + path);
}

std::string read_lock_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw ShmError("cannot open " + path + ": " + errno_text());
  char text[64];
  const ssize_t n = ::read(fd, text, sizeof text);
  ::close(fd);
  if (n < 0) throw ShmError("cannot read " + path);
  return std::string(text, static_cast<std::size_t>(n));
}

unsigned file_mode(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) throw ShmError("cannot stat " + path + ": " + errno_text());
  return st.st_mode & 07777;
}

}  // namespace zbh
