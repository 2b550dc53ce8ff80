#include "leftovers.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "shm_layout.hpp"

namespace zbh {
namespace {

namespace fs = std::filesystem;

bool is_object(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

}  // namespace

std::vector<std::string> find_leftovers(const std::set<std::string>& names, const std::string& token,
                                        const std::string& lock_dir) {
  std::set<std::string> found;
  for (const auto& name : names) {
    for (const auto& [label, path] : BufferPaths::of(name, lock_dir).labelled()) {
      if (is_object(path)) found.insert(path);
    }
    const std::string default_lock = BufferPaths::of(name, kDefaultLockDir).lock;
    if (is_object(default_lock)) found.insert(default_lock);
  }
  const std::string lock_parent = fs::path(lock_dir).parent_path().string();
  for (const std::string& dir :
       {std::string("/dev/shm"), std::string("/dev"), lock_dir, lock_parent, std::string(kDefaultLockDir)}) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string path = it->path().string();
      if (it->path().filename().string().find(token) != std::string::npos && is_object(path)) found.insert(path);
    }
  }
  return {found.begin(), found.end()};
}

std::vector<std::string> remove_paths(const std::vector<std::string>& paths) {
  std::vector<std::string> removed;
  for (const auto& path : paths) {
    if (::unlink(path.c_str()) == 0) removed.push_back(path);
  }
  return removed;
}

}  // namespace zbh
