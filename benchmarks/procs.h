// Runs benchmark roles in child processes of a coordinator (fork, no exec): a process-shared
// barrier, a shared result block per role, a deadline after which every role is SIGKILLed.
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>

namespace zbb {

constexpr int kMaxRoles = 2;
constexpr std::size_t kResultBytes = 384;

/// What a role reports back: its outcome, and its workload's result struct (put / get).
struct RoleResult {
  int done = 0;  // 1 when the role's body returned normally
  char error[480] = {};
  alignas(8) unsigned char data[kResultBytes] = {};

  template <class T>
  void put(const T& result) noexcept {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= kResultBytes);
    std::memcpy(data, &result, sizeof result);
  }
  /// The struct a role put (all zero if it put none).
  template <class T>
  T get() const noexcept {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= kResultBytes);
    T result;
    std::memcpy(&result, data, sizeof result);
    return result;
  }
};

struct SharedBlock {
  pthread_barrier_t barrier;
  std::atomic<int> stage{0};              // free for the workload (e.g. "streaming now")
  std::atomic<std::uint64_t> mark_ns{0};  // free for the workload (e.g. the kill time)
  RoleResult role[kMaxRoles];
};

struct RunOptions {
  int roles = 2;
  double timeout_s = 60;
  int pin[kMaxRoles] = {-1, -1};  // CPU per role, -1 = not pinned
  /// Runs in the coordinator right after the fork. It may kill a role; it must then reap it
  /// with waitpid and set its pid to -1.
  std::function<void(pid_t* pids, SharedBlock& shared)> on_started;
};

struct RunOutcome {
  bool ok = false;        // every role that was not killed on purpose finished its body
  std::string error;      // first error, with the role number
  SharedBlock* shared = nullptr;  // valid until the next run
};

/// Forks opts.roles children; child i runs body(i, shared) and exits. Blocks until all exited
/// or the timeout passed (then kills them).
RunOutcome run_roles(const std::function<void(int role, SharedBlock& shared)>& body, const RunOptions& opts);

/// Waits on the shared barrier (all roles).
void barrier(SharedBlock& shared);

/// Set by a role that started a library runtime with process-wide state to tear down (iceoryx):
/// the role process then ends with exit() (static destructors run) instead of _exit().
extern bool g_role_needs_clean_exit;

/// Blocks SIGCHLD in the coordinator so that run_roles can wait for it without polling.
void init_process_runner();

}  // namespace zbb
