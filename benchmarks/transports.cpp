#include "transports.h"

#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <new>
#include <stdexcept>
#include <system_error>

#include "common.h"
#include "zerobuffer/zerobuffer.h"

#ifdef ZBB_HAVE_BOOST_IPC
#include <boost/interprocess/ipc/message_queue.hpp>
#endif

namespace zbb {

namespace {

[[noreturn]] void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

void* map_shared(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (p == MAP_FAILED) throw_errno("mmap of " + std::to_string(bytes) + " bytes");
  return p;
}

void write_all(int fd, const std::byte* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw_errno("write");
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void read_all(int fd, std::byte* p, std::size_t n) {
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw_errno("read");
    }
    if (r == 0) throw std::runtime_error("peer closed the stream");
    p += r;
    n -= static_cast<std::size_t>(r);
  }
}

// ---------------------------------------------------------------------------------------------
// ZeroBuffer: the library under test, through its public API only.

class ZbTx final : public Tx {
 public:
  ZbTx(const std::string& name, std::int64_t spin_ns)
      : writer_(name, zerobuffer::WriterOptions{std::chrono::seconds(10), std::chrono::nanoseconds(spin_ns)}) {}
  std::byte* reserve(std::size_t n) override { return writer_.get_frame_buffer(n).data(); }
  void publish() override { writer_.commit_frame(); }

 private:
  zerobuffer::Writer writer_;
};

class ZbRx final : public Rx {
 public:
  ZbRx(const std::string& name, std::size_t ring, std::int64_t spin_ns)
      : reader_(name, zerobuffer::BufferConfig{0, ring, 0600, std::chrono::nanoseconds(spin_ns)}) {}
  std::span<const std::byte> receive(std::size_t) override {
    frame_ = reader_.read_frame(std::chrono::seconds(10));
    if (!frame_) throw std::runtime_error("zerobuffer: no frame within 10 s");
    return frame_.data();
  }
  void done() override { frame_.release(); }

 private:
  zerobuffer::Reader reader_;
  zerobuffer::Frame frame_;
};

class ZbChannel final : public Channel {
 public:
  explicit ZbChannel(ChannelConfig c) : c_(std::move(c)) {}
  std::unique_ptr<Rx> open_rx() override { return std::make_unique<ZbRx>(c_.name, c_.ring, c_.spin_ns); }
  std::unique_ptr<Tx> open_tx() override { return std::make_unique<ZbTx>(c_.name, c_.spin_ns); }
  void cleanup() override {
    // Only after a SIGKILL is anything left; a normal close removed it all.
    ::shm_unlink(("/" + c_.name).c_str());
    ::sem_unlink(("/sem-w-" + c_.name).c_str());
    ::sem_unlink(("/sem-r-" + c_.name).c_str());
    const char* dir = std::getenv("ZEROBUFFER_LOCK_DIR");
    ::unlink(((dir != nullptr ? std::string(dir) : std::string("/tmp/zerobuffer")) + "/" + c_.name + ".lock").c_str());
  }
  bool zero_copy() const override { return true; }

 private:
  ChannelConfig c_;
};

// ---------------------------------------------------------------------------------------------
// A minimal busy-poll single-producer single-consumer ring of fixed slots in shared memory: the
// hand-off limit (two cache-line transfers per message, never a system call, never sleeps).

struct SpscHeader {
  alignas(64) std::atomic<std::uint64_t> head{0};  // next slot the producer fills
  alignas(64) std::atomic<std::uint64_t> tail{0};  // next slot the consumer reads
  alignas(64) std::uint64_t slots = 0;
  std::uint64_t slot_size = 0;
};

class SpscTx final : public Tx {
 public:
  SpscTx(SpscHeader* h, std::byte* base) : h_(h), base_(base) {}
  std::byte* reserve(std::size_t n) override {
    if (n > h_->slot_size) throw std::invalid_argument("spsc: message larger than a slot");
    while (head_ - tail_cache_ >= h_->slots) {
      tail_cache_ = h_->tail.load(std::memory_order_acquire);
      if (head_ - tail_cache_ >= h_->slots) cpu_relax();
    }
    return base_ + (head_ % h_->slots) * h_->slot_size;
  }
  void publish() override { h_->head.store(++head_, std::memory_order_release); }

 private:
  SpscHeader* h_;
  std::byte* base_;
  std::uint64_t head_ = 0;
  std::uint64_t tail_cache_ = 0;
};

class SpscRx final : public Rx {
 public:
  SpscRx(SpscHeader* h, std::byte* base) : h_(h), base_(base) {}
  std::span<const std::byte> receive(std::size_t n) override {
    while (tail_ == head_cache_) {
      head_cache_ = h_->head.load(std::memory_order_acquire);
      if (tail_ == head_cache_) cpu_relax();
    }
    return {base_ + (tail_ % h_->slots) * h_->slot_size, n};
  }
  void done() override { h_->tail.store(++tail_, std::memory_order_release); }

 private:
  SpscHeader* h_;
  std::byte* base_;
  std::uint64_t tail_ = 0;
  std::uint64_t head_cache_ = 0;
};

class SpscChannel final : public Channel {
 public:
  explicit SpscChannel(ChannelConfig c) : c_(std::move(c)) {}
  ~SpscChannel() override { cleanup(); }
  void prepare() override {
    const std::size_t slot = (c_.max_message + 63) / 64 * 64;
    const std::size_t slots = std::max<std::size_t>(2, c_.ring / slot);
    bytes_ = sizeof(SpscHeader) + slots * slot;
    mem_ = map_shared(bytes_);
    auto* h = new (mem_) SpscHeader();
    h->slots = slots;
    h->slot_size = slot;
  }
  std::unique_ptr<Rx> open_rx() override { return std::make_unique<SpscRx>(header(), data()); }
  std::unique_ptr<Tx> open_tx() override { return std::make_unique<SpscTx>(header(), data()); }
  void cleanup() override {
    if (mem_ != nullptr) ::munmap(mem_, bytes_);
    mem_ = nullptr;
  }
  bool zero_copy() const override { return true; }

 private:
  SpscHeader* header() const { return static_cast<SpscHeader*>(mem_); }
  std::byte* data() const { return static_cast<std::byte*>(mem_) + sizeof(SpscHeader); }
  ChannelConfig c_;
  void* mem_ = nullptr;
  std::size_t bytes_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Raw named POSIX semaphore hand-off (the blocking floor): sem_post / sem_wait, the message
// itself sits in a shared slot. Only small messages.

class SemTx final : public Tx {
 public:
  SemTx(sem_t* s, std::byte* slot, std::size_t cap) : s_(s), slot_(slot), cap_(cap) {}
  std::byte* reserve(std::size_t n) override {
    if (n > cap_) throw std::invalid_argument("sem: message larger than its slot");
    return slot_;
  }
  void publish() override {
    if (::sem_post(s_) != 0) throw_errno("sem_post");
  }

 private:
  sem_t* s_;
  std::byte* slot_;
  std::size_t cap_;
};

class SemRx final : public Rx {
 public:
  SemRx(sem_t* s, std::byte* slot) : s_(s), slot_(slot) {}
  std::span<const std::byte> receive(std::size_t n) override {
    while (::sem_wait(s_) != 0) {
      if (errno != EINTR) throw_errno("sem_wait");
    }
    return {slot_, n};
  }
  void done() override {}

 private:
  sem_t* s_;
  std::byte* slot_;
};

class SemChannel final : public Channel {
 public:
  explicit SemChannel(ChannelConfig c) : c_(std::move(c)) {}
  ~SemChannel() override { cleanup(); }
  void prepare() override {
    cap_ = std::max<std::size_t>(4096, (c_.max_message + 4095) / 4096 * 4096);
    slot_ = static_cast<std::byte*>(map_shared(cap_));
    const std::string name = "/" + c_.name;
    sem_ = ::sem_open(name.c_str(), O_CREAT | O_EXCL, 0600, 0);
    if (sem_ == SEM_FAILED) {
      sem_ = nullptr;
      throw_errno("sem_open " + name);
    }
    ::sem_unlink(name.c_str());  // the handle survives fork; nothing is left behind
  }
  std::unique_ptr<Rx> open_rx() override { return std::make_unique<SemRx>(sem_, slot_); }
  std::unique_ptr<Tx> open_tx() override { return std::make_unique<SemTx>(sem_, slot_, cap_); }
  void cleanup() override {
    if (sem_ != nullptr) ::sem_close(sem_);
    if (slot_ != nullptr) ::munmap(slot_, cap_);
    sem_ = nullptr;
    slot_ = nullptr;
  }

 private:
  ChannelConfig c_;
  sem_t* sem_ = nullptr;
  std::byte* slot_ = nullptr;
  std::size_t cap_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Byte streams: pipe and Unix domain socket (SOCK_STREAM). Kernel defaults for buffer sizes.

class StreamTx final : public Tx {
 public:
  explicit StreamTx(int fd) : fd_(fd) {}
  std::byte* reserve(std::size_t n) override {
    if (buf_.size() < n) buf_.resize(n);
    n_ = n;
    return buf_.data();
  }
  void publish() override { write_all(fd_, buf_.data(), n_); }

 private:
  int fd_;
  std::vector<std::byte> buf_;
  std::size_t n_ = 0;
};

class StreamRx final : public Rx {
 public:
  explicit StreamRx(int fd) : fd_(fd) {}
  std::span<const std::byte> receive(std::size_t n) override {
    if (buf_.size() < n) buf_.resize(n);
    read_all(fd_, buf_.data(), n);
    return {buf_.data(), n};
  }
  void done() override {}

 private:
  int fd_;
  std::vector<std::byte> buf_;
};

class FdPairChannel final : public Channel {
 public:
  FdPairChannel(ChannelConfig c, bool socket) : c_(std::move(c)), socket_(socket) {}
  ~FdPairChannel() override { cleanup(); }
  void prepare() override {
    const int rc = socket_ ? ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_) : ::pipe2(fds_, O_CLOEXEC);
    if (rc != 0) throw_errno(socket_ ? "socketpair" : "pipe2");
  }
  // pipe: fds_[0] read end, fds_[1] write end; socketpair: write on 1, read on 0 as well.
  std::unique_ptr<Rx> open_rx() override { return std::make_unique<StreamRx>(fds_[0]); }
  std::unique_ptr<Tx> open_tx() override { return std::make_unique<StreamTx>(fds_[1]); }
  void cleanup() override {
    for (int& fd : fds_) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
  }

 private:
  ChannelConfig c_;
  bool socket_;
  int fds_[2] = {-1, -1};
};

// ---------------------------------------------------------------------------------------------
// POSIX message queue. Messages above the system's msgsize_max (8 KiB by default) travel as
// several queue messages of that size; queue depth is the default maximum (10).

long sysctl_long(const char* path, long fallback) {
  long v = fallback;
  if (FILE* f = std::fopen(path, "r")) {
    if (std::fscanf(f, "%ld", &v) != 1) v = fallback;
    std::fclose(f);
  }
  return v;
}

class MqTx final : public Tx {
 public:
  MqTx(mqd_t q, std::size_t chunk) : q_(q), chunk_(chunk) {}
  std::byte* reserve(std::size_t n) override {
    if (buf_.size() < n) buf_.resize(n);
    n_ = n;
    return buf_.data();
  }
  void publish() override {
    for (std::size_t off = 0; off < n_; off += chunk_) {
      const std::size_t len = std::min(chunk_, n_ - off);
      while (::mq_send(q_, reinterpret_cast<const char*>(buf_.data() + off), len, 0) != 0) {
        if (errno != EINTR) throw_errno("mq_send");
      }
    }
  }

 private:
  mqd_t q_;
  std::size_t chunk_;
  std::vector<std::byte> buf_;
  std::size_t n_ = 0;
};

class MqRx final : public Rx {
 public:
  MqRx(mqd_t q, std::size_t chunk) : q_(q), chunk_(chunk) {}
  std::span<const std::byte> receive(std::size_t n) override {
    if (buf_.size() < n + chunk_) buf_.resize(n + chunk_);
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::mq_receive(q_, reinterpret_cast<char*>(buf_.data() + got), chunk_, nullptr);
      if (r < 0) {
        if (errno == EINTR) continue;
        throw_errno("mq_receive");
      }
      got += static_cast<std::size_t>(r);
    }
    return {buf_.data(), n};
  }
  void done() override {}

 private:
  mqd_t q_;
  std::size_t chunk_;
  std::vector<std::byte> buf_;
};

class MqChannel final : public Channel {
 public:
  explicit MqChannel(ChannelConfig c) : c_(std::move(c)) {}
  ~MqChannel() override { cleanup(); }
  void prepare() override {
    const long max_size = sysctl_long("/proc/sys/fs/mqueue/msgsize_max", 8192);
    const long max_msgs = sysctl_long("/proc/sys/fs/mqueue/msg_max", 10);
    chunk_ = std::min<std::size_t>(c_.max_message, static_cast<std::size_t>(max_size));
    mq_attr attr{};
    attr.mq_maxmsg = std::min<long>(max_msgs, 10);
    attr.mq_msgsize = static_cast<long>(chunk_);
    const std::string name = "/" + c_.name;
    q_ = ::mq_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &attr);
    if (q_ == static_cast<mqd_t>(-1)) throw_errno("mq_open " + name);
    ::mq_unlink(name.c_str());  // the descriptor survives fork; nothing is left behind
  }
  std::unique_ptr<Rx> open_rx() override { return std::make_unique<MqRx>(q_, chunk_); }
  std::unique_ptr<Tx> open_tx() override { return std::make_unique<MqTx>(q_, chunk_); }
  void cleanup() override {
    if (q_ != static_cast<mqd_t>(-1)) ::mq_close(q_);
    q_ = static_cast<mqd_t>(-1);
  }

 private:
  ChannelConfig c_;
  mqd_t q_ = static_cast<mqd_t>(-1);
  std::size_t chunk_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Boost.Interprocess message_queue: a bounded queue of fixed-size messages in shared memory,
// guarded by a process-shared mutex and condition variables (copies in and out).

#ifdef ZBB_HAVE_BOOST_IPC
namespace bip = boost::interprocess;

class BoostTx final : public Tx {
 public:
  explicit BoostTx(bip::message_queue* q) : q_(q) {}
  std::byte* reserve(std::size_t n) override {
    if (buf_.size() < n) buf_.resize(n);
    n_ = n;
    return buf_.data();
  }
  void publish() override { q_->send(buf_.data(), n_, 0); }

 private:
  bip::message_queue* q_;
  std::vector<std::byte> buf_;
  std::size_t n_ = 0;
};

class BoostRx final : public Rx {
 public:
  BoostRx(bip::message_queue* q, std::size_t max) : q_(q), buf_(max) {}
  std::span<const std::byte> receive(std::size_t n) override {
    bip::message_queue::size_type got = 0;
    unsigned int prio = 0;
    q_->receive(buf_.data(), buf_.size(), got, prio);
    if (got != n) throw std::runtime_error("boost message_queue: unexpected message size");
    return {buf_.data(), n};
  }
  void done() override {}

 private:
  bip::message_queue* q_;
  std::vector<std::byte> buf_;
};

class BoostChannel final : public Channel {
 public:
  explicit BoostChannel(ChannelConfig c) : c_(std::move(c)) {}
  ~BoostChannel() override { cleanup(); }
  void prepare() override {
    bip::message_queue::remove(c_.name.c_str());
    const std::size_t depth = std::clamp<std::size_t>(c_.ring / std::max<std::size_t>(1, c_.max_message), 2, 1024);
    q_ = std::make_unique<bip::message_queue>(bip::create_only, c_.name.c_str(), depth, c_.max_message);
  }
  std::unique_ptr<Rx> open_rx() override { return std::make_unique<BoostRx>(q_.get(), c_.max_message); }
  std::unique_ptr<Tx> open_tx() override { return std::make_unique<BoostTx>(q_.get()); }
  void cleanup() override {
    if (q_) {
      q_.reset();
      bip::message_queue::remove(c_.name.c_str());
    }
  }

 private:
  ChannelConfig c_;
  std::unique_ptr<bip::message_queue> q_;
};
#endif

}  // namespace

std::vector<std::string> channel_kinds() {
  return {"zerobuffer", "spsc", "sem", "pipe", "uds", "mq", "boost_mq", "iceoryx"};
}

bool channel_available(const std::string& kind) {
#ifndef ZBB_HAVE_BOOST_IPC
  if (kind == "boost_mq") return false;
#endif
#ifndef ZBB_HAVE_ICEORYX
  if (kind == "iceoryx") return false;
#endif
  const auto kinds = channel_kinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::unique_ptr<Channel> make_channel(const std::string& kind, const ChannelConfig& config) {
  if (kind == "zerobuffer") return std::make_unique<ZbChannel>(config);
  if (kind == "spsc") return std::make_unique<SpscChannel>(config);
  if (kind == "sem") return std::make_unique<SemChannel>(config);
  if (kind == "pipe") return std::make_unique<FdPairChannel>(config, false);
  if (kind == "uds") return std::make_unique<FdPairChannel>(config, true);
  if (kind == "mq") return std::make_unique<MqChannel>(config);
#ifdef ZBB_HAVE_BOOST_IPC
  if (kind == "boost_mq") return std::make_unique<BoostChannel>(config);
#endif
#ifdef ZBB_HAVE_ICEORYX
  if (kind == "iceoryx") return make_iceoryx_channel(config);
#endif
  throw std::invalid_argument("transport \"" + kind + "\" is unknown or was not built");
}

}  // namespace zbb
