// One-directional message channels between two processes, behind one interface, so that every
// workload runs unchanged over ZeroBuffer and over each baseline.
//
// Life of a channel: the coordinator constructs it and calls prepare() before fork(); the
// receiving process calls open_rx(); after a barrier the sending process calls open_tx();
// after both processes exited the coordinator calls cleanup() (also after a SIGKILL).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace zbb {

struct ChannelConfig {
  std::string name;               ///< unique per channel and run
  std::size_t max_message = 64;   ///< largest message that will be sent
  std::size_t ring = 16u << 20;   ///< bytes of buffering, for transports that have a ring
  std::int64_t spin_ns = 20000;   ///< spin budget before blocking (ZeroBuffer, iceoryx)
};

/// Sending end. reserve(n) returns n writable bytes (in shared memory for zero-copy transports,
/// a private staging buffer for copying ones); publish() sends them.
class Tx {
 public:
  virtual ~Tx() = default;
  virtual std::byte* reserve(std::size_t n) = 0;
  virtual void publish() = 0;
};

/// Receiving end. receive(n) blocks for the next message (n is the expected size for transports
/// without message boundaries); the view stays valid until done().
class Rx {
 public:
  virtual ~Rx() = default;
  virtual std::span<const std::byte> receive(std::size_t n) = 0;
  virtual void done() = 0;
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual void prepare() {}
  virtual std::unique_ptr<Rx> open_rx() = 0;
  virtual std::unique_ptr<Tx> open_tx() = 0;
  virtual void cleanup() {}
  /// True for transports whose receiver sees the sender's bytes in place (no copy on receive).
  virtual bool zero_copy() const { return false; }
};

/// Names accepted by make_channel, in the order the reports list them.
std::vector<std::string> channel_kinds();
/// Throws std::invalid_argument for an unknown or not-built kind.
std::unique_ptr<Channel> make_channel(const std::string& kind, const ChannelConfig& config);
/// False when the kind was not compiled in (an optional baseline whose package is missing).
bool channel_available(const std::string& kind);

#ifdef ZBB_HAVE_ICEORYX
std::unique_ptr<Channel> make_iceoryx_channel(const ChannelConfig& config);
#endif

}  // namespace zbb
