#include "zerobuffer/host.h"

#include "posix.h"

namespace zerobuffer {

bool is_process_alive(std::uint64_t pid) noexcept { return detail::pid_alive(pid); }

std::string lock_directory() { return detail::lock_directory(); }

std::vector<std::string> list_shared_memory() { return detail::shared_memory_names(); }

std::vector<StaleBuffer> remove_stale_buffers(bool dry_run) {
  std::vector<StaleBuffer> result;
  for (auto& entry : detail::remove_stale_buffers(detail::lock_directory(), dry_run)) {
    result.push_back({std::move(entry.name), entry.objects_removed});
  }
  return result;
}

}  // namespace zerobuffer
