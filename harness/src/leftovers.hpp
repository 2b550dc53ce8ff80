// Objects a cell left behind: where a port could have put them, and their removal.
//
// A buffer's objects are /dev/shm/NAME, its two semaphores and LOCKDIR/NAME.lock. A port that
// ignores ZEROBUFFER_LOCK_DIR puts its lock file in the default directory /tmp/zerobuffer; a
// bad name ("../x") that slipped through can put objects one directory up (/dev, the parent
// of the lock directory). Every cell's names contain the cell's unique token, so a scan for
// the token in those directories finds them all.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace zbh {

inline constexpr const char* kDefaultLockDir = "/tmp/zerobuffer";

// Every existing path (not a directory) that belongs to one of `names` or contains `token`.
std::vector<std::string> find_leftovers(const std::set<std::string>& names, const std::string& token,
                                        const std::string& lock_dir);

// Unlinks `paths`; returns the ones really removed.
std::vector<std::string> remove_paths(const std::vector<std::string>& paths);

}  // namespace zbh
