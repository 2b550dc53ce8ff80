// Eclipse iceoryx (v2, Debian libiceoryx-posh-dev) as a baseline: untyped publisher/subscriber,
// zero-copy loan/publish, flow control by blocking the producer. Needs a running iox-roudi
// (benchmarks/run.sh starts one with benchmarks/roudi.toml).
#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>

#include "common.h"
#include "procs.h"
#include "iceoryx_hoofs/log/logmanager.hpp"
#include "iceoryx_posh/mepoo/chunk_header.hpp"
#include "iceoryx_posh/popo/untyped_publisher.hpp"
#include "iceoryx_posh/popo/untyped_subscriber.hpp"
#include "iceoryx_posh/popo/wait_set.hpp"
#include "iceoryx_posh/runtime/posh_runtime.hpp"
#include "transports.h"

namespace zbb {
namespace {

void init_runtime_once() {
  static pid_t initialised_in = 0;
  if (initialised_in == ::getpid()) return;
  iox::log::LogManager::GetLogManager().SetDefaultLogLevel(iox::log::LogLevel::kWarn);
  const std::string app = "zbb-" + std::to_string(::getpid());
  iox::runtime::PoshRuntime::initRuntime(iox::RuntimeName_t(iox::cxx::TruncateToCapacity, app.c_str()));
  initialised_in = ::getpid();
  g_role_needs_clean_exit = true;  // the runtime's destructor removes its socket and lock file in /tmp
}

iox::capro::ServiceDescription service(const std::string& name) {
  return {"zbb", iox::capro::IdString_t(iox::cxx::TruncateToCapacity, name.c_str()), "frames"};
}

// Messages in flight: like the ring of the other transports, at most 64 (chunk pools are finite).
std::uint64_t queue_capacity(const ChannelConfig& c) {
  return std::clamp<std::uint64_t>(c.ring / std::max<std::size_t>(1, c.max_message + 64), 1, 64);
}

class IoxTx final : public Tx {
 public:
  explicit IoxTx(const ChannelConfig& c) : pub_(service(c.name), options()) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!pub_.hasSubscribers()) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("iceoryx: no subscriber after 10 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  std::byte* reserve(std::size_t n) override {
    while (true) {
      auto r = pub_.loan(static_cast<std::uint32_t>(n), 8);
      if (!r.has_error()) {
        chunk_ = r.value();
        return static_cast<std::byte*>(chunk_);
      }
      if (r.get_error() != iox::popo::AllocationError::RUNNING_OUT_OF_CHUNKS &&
          r.get_error() != iox::popo::AllocationError::TOO_MANY_CHUNKS_ALLOCATED_IN_PARALLEL) {
        throw std::runtime_error("iceoryx: loan failed");
      }
      std::this_thread::yield();  // all chunks in flight: wait for the subscriber to release one
    }
  }
  void publish() override { pub_.publish(chunk_); }

 private:
  static iox::popo::PublisherOptions options() {
    iox::popo::PublisherOptions o;
    o.historyCapacity = 0;
    o.subscriberTooSlowPolicy = iox::popo::ConsumerTooSlowPolicy::WAIT_FOR_CONSUMER;
    return o;
  }
  iox::popo::UntypedPublisher pub_;
  void* chunk_ = nullptr;
};

class IoxRx final : public Rx {
 public:
  explicit IoxRx(const ChannelConfig& c) : sub_(service(c.name), options(c)), spin_ns_(c.spin_ns) {
    if (ws_.attachState(sub_, iox::popo::SubscriberState::HAS_DATA).has_error()) {
      throw std::runtime_error("iceoryx: WaitSet attach failed");
    }
  }
  ~IoxRx() override {
    done();
    ws_.detachState(sub_, iox::popo::SubscriberState::HAS_DATA);
  }
  std::span<const std::byte> receive(std::size_t) override {
    const std::uint64_t spin_end = spin_ns_ > 0 ? now_ns() + static_cast<std::uint64_t>(spin_ns_) : 0;
    while (true) {
      auto r = sub_.take();
      if (!r.has_error()) {
        chunk_ = r.value();
        const auto* h = iox::mepoo::ChunkHeader::fromUserPayload(chunk_);
        return {static_cast<const std::byte*>(chunk_), h->userPayloadSize()};
      }
      if (spin_end != 0 && now_ns() < spin_end) continue;
      ws_.wait();
    }
  }
  void done() override {
    if (chunk_ != nullptr) sub_.release(chunk_);
    chunk_ = nullptr;
  }

 private:
  static iox::popo::SubscriberOptions options(const ChannelConfig& c) {
    iox::popo::SubscriberOptions o;
    o.queueCapacity = queue_capacity(c);
    o.historyRequest = 0;
    o.queueFullPolicy = iox::popo::QueueFullPolicy::BLOCK_PRODUCER;
    return o;
  }
  iox::popo::UntypedSubscriber sub_;
  iox::popo::WaitSet<> ws_;
  std::int64_t spin_ns_;
  const void* chunk_ = nullptr;
};

class IoxChannel final : public Channel {
 public:
  explicit IoxChannel(ChannelConfig c) : c_(std::move(c)) {}
  std::unique_ptr<Rx> open_rx() override {
    init_runtime_once();
    return std::make_unique<IoxRx>(c_);
  }
  std::unique_ptr<Tx> open_tx() override {
    init_runtime_once();
    return std::make_unique<IoxTx>(c_);
  }
  bool zero_copy() const override { return true; }

 private:
  ChannelConfig c_;
};

}  // namespace

std::unique_ptr<Channel> make_iceoryx_channel(const ChannelConfig& config) {
  return std::make_unique<IoxChannel>(config);
}

}  // namespace zbb
