#include "zerobuffer/buffer_view.h"

#include <sys/mman.h>

#include <atomic>
#include <string>

#include "posix.h"
#include "shared.h"
#include "zerobuffer/error.h"

namespace zerobuffer {

std::string_view to_string(HeaderState state) noexcept {
  switch (state) {
    case HeaderState::Ok: return "ok";
    case HeaderState::Uninitialised: return "uninitialised";
    case HeaderState::Foreign: return "foreign";
    case HeaderState::Incompatible: return "incompatible";
    case HeaderState::Corrupt: return "corrupt";
  }
  return "corrupt";
}

HeaderCheck check_header(const Oieb& o, std::uint64_t object_size, bool has_semaphores) {
  HeaderCheck result;
  auto problem = [&](HeaderState state, std::string text) {
    if (result.state == HeaderState::Ok) result.state = state;
    result.problems.push_back(std::move(text));
  };
  const auto n = [](std::uint64_t v) { return std::to_string(v); };

  if (object_size < kOiebSize) {
    problem(HeaderState::Foreign, "object has " + n(object_size) + " bytes, less than the 128-byte OIEB");
    return result;
  }
  const bool looks_like_oieb = o.oieb_size == kOiebSize || o.oieb_size == 0;
  if (!looks_like_oieb && !has_semaphores) {
    problem(HeaderState::Foreign, "oieb_size is " + n(o.oieb_size) + " and the buffer's semaphores do not exist");
    return result;
  }
  if (o.oieb_size == 0) {
    problem(HeaderState::Uninitialised, "oieb_size is 0: the reader has not finished creating the buffer");
    return result;
  }
  if (o.oieb_size != kOiebSize || o.version[0] != kVersionMajor) {
    problem(HeaderState::Incompatible, "oieb_size " + n(o.oieb_size) + ", version " + n(o.version[0]) + "." +
                                           n(o.version[1]) + "." + n(o.version[2]) +
                                           ": protocol 1.x has a 128-byte OIEB (IncompatibleVersion)");
    return result;
  }

  const std::uint64_t m = o.metadata_size;
  const std::uint64_t p = o.payload_size;
  if (p == 0) problem(HeaderState::Corrupt, "payload_size is 0");
  if (m > object_size || p > object_size || kOiebSize + m + p > object_size) {
    problem(HeaderState::Corrupt, "metadata_size " + n(m) + " + payload_size " + n(p) +
                                      " + 128 exceeds the object's " + n(object_size) + " bytes");
    return result;  // the remaining checks compare against M and P
  }
  if (m % kBlockAlignment != 0 || p % kBlockAlignment != 0) {
    problem(HeaderState::Corrupt, "metadata_size " + n(m) + " or payload_size " + n(p) + " is not a multiple of 64");
  }
  const std::uint64_t mw = o.metadata_written_bytes;
  if (mw != 0 && (mw < kMetadataPrefixSize || mw > m)) {
    problem(HeaderState::Corrupt, "metadata_written_bytes " + n(mw) + " is outside 8.." + n(m));
  }
  if (o.metadata_free_bytes > m) {
    problem(HeaderState::Corrupt, "metadata_free_bytes " + n(o.metadata_free_bytes) + " exceeds metadata_size " + n(m));
  }
  if (o.payload_free_bytes > p) {
    problem(HeaderState::Corrupt, "payload_free_bytes " + n(o.payload_free_bytes) + " exceeds payload_size " + n(p));
  }
  if (o.payload_write_pos > p) {
    problem(HeaderState::Corrupt, "payload_write_pos " + n(o.payload_write_pos) + " exceeds payload_size " + n(p));
  }
  if (o.payload_read_pos > p) {
    problem(HeaderState::Corrupt, "payload_read_pos " + n(o.payload_read_pos) + " exceeds payload_size " + n(p));
  }
  if (o.payload_read_count > o.payload_written_count) {
    problem(HeaderState::Corrupt, "payload_read_count " + n(o.payload_read_count) + " exceeds payload_written_count " +
                                      n(o.payload_written_count));
  }
  return result;
}

BufferView::BufferView(std::string_view name) : name_(name) {
  detail::require_valid_name(name);
  detail::Fd fd = detail::shm_open_existing(detail::shm_os_name(name_), false);
  if (!fd.valid()) throw BufferNotFoundException("no buffer named \"" + name_ + "\"");
  size_ = detail::fd_size(fd.get());
  if (size_ == 0) return;
  void* p = ::mmap(nullptr, static_cast<std::size_t>(size_), PROT_READ, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) detail::throw_os_error("read-only mmap of \"" + name_ + "\" failed");
  data_ = static_cast<const std::byte*>(p);
}

BufferView::~BufferView() {
  if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), static_cast<std::size_t>(size_));
}

BufferView::BufferView(BufferView&& other) noexcept
    : name_(std::move(other.name_)), data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

BufferView& BufferView::operator=(BufferView&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), static_cast<std::size_t>(size_));
    name_ = std::move(other.name_);
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

Oieb BufferView::oieb() const noexcept {
  Oieb copy{};
  if (size_ < kOiebSize) return copy;
  const auto* o = reinterpret_cast<const Oieb*>(data_);
  copy.oieb_size = std::atomic_ref<const std::uint32_t>(o->oieb_size).load(std::memory_order_acquire);
  for (int i = 0; i < 4; ++i) copy.version[i] = std::atomic_ref<const std::uint8_t>(o->version[i]).load();
  using detail::load;
  copy.metadata_size = load(o->metadata_size);
  copy.metadata_free_bytes = load(o->metadata_free_bytes);
  copy.metadata_written_bytes = load(o->metadata_written_bytes);
  copy.payload_size = load(o->payload_size);
  copy.payload_free_bytes = load(o->payload_free_bytes);
  copy.payload_write_pos = load(o->payload_write_pos);
  copy.payload_read_pos = load(o->payload_read_pos);
  copy.payload_written_count = load(o->payload_written_count);
  copy.payload_read_count = load(o->payload_read_count);
  copy.writer_pid = load(o->writer_pid);
  copy.reader_pid = load(o->reader_pid);
  for (int i = 0; i < 4; ++i) copy.reserved[i] = load(o->reserved[i]);
  return copy;
}

bool BufferView::has_semaphores() const noexcept {
  try {
    return detail::semaphore_exists(detail::sem_w_os_name(name_)) &&
           detail::semaphore_exists(detail::sem_r_os_name(name_));
  } catch (...) {
    return false;
  }
}

HeaderCheck BufferView::check() const { return check_header(oieb(), size_, has_semaphores()); }

}  // namespace zerobuffer
