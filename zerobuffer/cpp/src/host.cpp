#include "zerobuffer/host.h"

#include "posix.h"

namespace zerobuffer {

bool is_process_alive(std::uint64_t pid) noexcept { return detail::pid_alive(pid); }

bool is_reader_alive(std::string_view name, std::uint64_t pid) noexcept {
  try {
    return detail::peer_alive(detail::reader_lock_path(detail::lock_directory_path(), name), pid);
  } catch (...) {  // out of memory building the path
    return detail::pid_alive(pid);
  }
}

bool is_writer_alive(std::string_view name, std::uint64_t pid) noexcept {
  try {
    return detail::peer_alive(detail::writer_lock_path(detail::lock_directory_path(), name), pid);
  } catch (...) {
    return detail::pid_alive(pid);
  }
}

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
