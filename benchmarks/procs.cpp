#include "procs.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>

#include "common.h"

namespace zbb {

bool g_role_needs_clean_exit = false;

namespace {

SharedBlock* shared_block() {
  static SharedBlock* block = [] {
    void* p = ::mmap(nullptr, sizeof(SharedBlock), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("mmap of the shared result block failed");
    return static_cast<SharedBlock*>(p);
  }();
  return block;
}

sigset_t chld_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  return set;
}

}  // namespace

void init_process_runner() {
  const sigset_t set = chld_set();
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

void barrier(SharedBlock& shared) { ::pthread_barrier_wait(&shared.barrier); }

RunOutcome run_roles(const std::function<void(int, SharedBlock&)>& body, const RunOptions& opts) {
  SharedBlock* sh = shared_block();
  // A fresh block per run: placement-new resets results and counters.
  sh->~SharedBlock();
  new (sh) SharedBlock();
  pthread_barrierattr_t attr;
  ::pthread_barrierattr_init(&attr);
  ::pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  ::pthread_barrier_init(&sh->barrier, &attr, static_cast<unsigned>(opts.roles));
  ::pthread_barrierattr_destroy(&attr);

  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pids[kMaxRoles] = {-1, -1};
  for (int i = 0; i < opts.roles; ++i) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0) {
      const sigset_t set = chld_set();
      ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
      int rc = 0;
      try {
        if (!pin_to_cpu(opts.pin[i])) throw std::runtime_error("sched_setaffinity failed");
        body(i, *sh);
        sh->role[i].done = 1;
      } catch (const std::exception& e) {
        std::snprintf(sh->role[i].error, sizeof sh->role[i].error, "%s", e.what());
        rc = 1;
      } catch (...) {
        std::snprintf(sh->role[i].error, sizeof sh->role[i].error, "unknown exception");
        rc = 1;
      }
      std::fflush(stdout);
      if (g_role_needs_clean_exit) std::exit(rc);  // the coordinator holds nothing exit() would run
      ::_exit(rc);
    }
    pids[i] = pid;
  }

  RunOutcome out;
  out.shared = sh;
  bool killed_on_purpose[kMaxRoles] = {false, false};
  if (opts.on_started) {
    pid_t copy[kMaxRoles] = {pids[0], pids[1]};
    opts.on_started(copy, *sh);
    for (int i = 0; i < opts.roles; ++i) {
      if (copy[i] == -1 && pids[i] != -1) {
        killed_on_purpose[i] = true;
        pids[i] = -1;
      }
    }
  }

  const std::uint64_t deadline = now_ns() + static_cast<std::uint64_t>(opts.timeout_s * 1e9);
  bool timed_out = false;
  const sigset_t set = chld_set();
  while (true) {
    bool any = false;
    for (int i = 0; i < opts.roles; ++i) {
      if (pids[i] == -1) continue;
      int status = 0;
      const pid_t r = ::waitpid(pids[i], &status, WNOHANG);
      if (r == pids[i]) {
        pids[i] = -1;
        if (sh->role[i].done != 1) {
          // A failed role leaves its peers blocked (barrier, empty channel): stop them now.
          for (int j = 0; j < opts.roles; ++j) {
            if (pids[j] != -1) ::kill(pids[j], SIGKILL);
          }
        }
      } else {
        any = true;
      }
    }
    if (!any) break;
    const std::uint64_t now = now_ns();
    if (now >= deadline) {
      timed_out = true;
      for (int i = 0; i < opts.roles; ++i) {
        if (pids[i] != -1) {
          ::kill(pids[i], SIGKILL);
          ::waitpid(pids[i], nullptr, 0);
          pids[i] = -1;
        }
      }
      break;
    }
    const std::uint64_t left = deadline - now;
    timespec ts{static_cast<time_t>(left / 1000000000ULL), static_cast<long>(left % 1000000000ULL)};
    if (ts.tv_sec > 0) ts = {0, 200000000};  // re-check at least every 200 ms
    ::sigtimedwait(&set, nullptr, &ts);
  }
  ::pthread_barrier_destroy(&sh->barrier);

  out.ok = !timed_out;
  for (int i = 0; i < opts.roles; ++i) {
    if (killed_on_purpose[i]) continue;
    if (sh->role[i].done != 1) {
      out.ok = false;
      if (out.error.empty()) {
        out.error = "role " + std::to_string(i) + ": " +
                    (sh->role[i].error[0] != 0 ? std::string(sh->role[i].error)
                                               : std::string(timed_out ? "timed out" : "died"));
      }
    }
  }
  if (timed_out && out.error.empty()) out.error = "timed out";
  return out;
}

}  // namespace zbb
