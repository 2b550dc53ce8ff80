// What `list`, `inspect` and `top` say about one buffer: its header verdict, peers and fill.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "zerobuffer/buffer_view.h"

namespace zbcli {

struct BufferReport {
  std::string name;
  /// active, idle, stale, uninitialised, foreign, incompatible, corrupt, or inaccessible.
  std::string state;
  std::uint64_t object_size = 0;
  zerobuffer::Oieb oieb{};
  bool reader_alive = false;
  bool writer_alive = false;
  double fill_percent = 0;         ///< of the payload ring in use (frames not yet released)
  std::vector<std::string> problems;
};

/// Describes the buffer behind `view` now.
BufferReport describe(const zerobuffer::BufferView& view);
/// A report for a name that could not be mapped (state "inaccessible", the error as problem).
BufferReport inaccessible(const std::string& name, const std::string& error);
/// Every shared memory object of this host that could be a buffer, described.
std::vector<BufferReport> describe_all();
/// True when the header could be decoded (states active, idle, stale).
bool header_usable(const BufferReport& report) noexcept;

nlohmann::json to_json(const BufferReport& report);

}  // namespace zbcli
