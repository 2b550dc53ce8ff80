// SIGINT/SIGTERM/SIGHUP set a flag instead of killing the tool, so that a reader it runs
// removes its buffer and a writer gives up its slot before exiting.
#pragma once

namespace zbcli {

/// Installs the handlers and ignores SIGPIPE (a closed stdout is an EPIPE write error).
void install_stop_handlers();
/// True once a stop signal arrived.
bool stop_requested() noexcept;

}  // namespace zbcli
