// The serve's state: which role it holds (none, reader, writer) and the protocol methods.
#pragma once

#include <atomic>
#include <optional>

#include "roles.h"
#include "rpc.h"

namespace zbserve {

class Session {
 public:
  /// `stop` is raised by signal handlers; long calls give up when they see it.
  explicit Session(const std::atomic<bool>& stop) noexcept : stop_(stop) {}

  /// Registers every protocol method of this session with `dispatcher`.
  void register_methods(Dispatcher& dispatcher);

  /// Closes the role held, if any (end of input, shutdown, signals).
  void close() noexcept;
  bool shutdown_requested() const noexcept { return shutdown_requested_; }

 private:
  Json hello(const Params& params) const;
  Json create_reader(const Params& params);
  Json connect_writer(const Params& params);
  Json set_metadata(const Params& params);
  Json get_metadata(const Params& params);
  Json write_frames(const Params& params);
  Json read_frames(const Params& params);
  Json release_frames(const Params& params);
  Json status(const Params& params) const;
  Json close_role(const Params& params);
  Json shutdown(const Params& params);

  void require_no_role(const char* method) const;
  ReaderRole& require_reader(const char* method);
  WriterRole& require_writer(const char* method);

  const std::atomic<bool>& stop_;
  std::optional<ReaderRole> reader_;
  std::optional<WriterRole> writer_;
  bool shutdown_requested_ = false;
};

}  // namespace zbserve
