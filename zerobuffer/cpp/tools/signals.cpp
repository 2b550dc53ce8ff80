#include "signals.h"

#include <signal.h>

#include <atomic>

namespace zbcli {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set from a signal handler");

extern "C" void on_stop_signal(int) { g_stop.store(true); }

}  // namespace

void install_stop_handlers() {
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking read of stdin returns EINTR
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(signal_number, &action, nullptr);
}

bool stop_requested() noexcept { return g_stop.load(); }

}  // namespace zbcli
