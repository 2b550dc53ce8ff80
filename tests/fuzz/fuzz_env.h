// Process-wide setup shared by the shared-memory fuzz targets: buffer names unique to this
// process (tests/fuzz/run.sh removes `/dev/shm/*zbfuzz-PID-*` if the process dies mid-input), a
// private lock directory (so the library's stale-buffer scan only ever sees our own files),
// and PIDs with known liveness for the OIEB's PID fields.
#pragma once

#include <cstdint>
#include <string>

namespace zbfuzz {

/// Call once from LLVMFuzzerInitialize: sets ZEROBUFFER_LOCK_DIR to a fresh private directory
/// (removed at exit) and finds a dead PID.
void init_process_env();

/// "zbfuzz-PID-ROLE": the buffer name a target uses for every input.
std::string buffer_name(const char* role);

/// A PID that is certainly alive (this process) and one that is dead (a reaped child).
std::uint64_t live_pid();
std::uint64_t dead_pid();

/// A value for an OIEB PID field chosen by `selector`: 0, live, dead, or `raw`.
std::uint64_t pick_pid(std::uint8_t selector, std::uint64_t raw);

/// A hostile value for a u64 field: raw bits, a small number, the current value nudged, or an edge.
std::uint64_t pick_value(std::uint8_t selector, std::uint64_t raw, std::uint64_t current, std::uint64_t limit);

/// Consumes a value so the compiler cannot drop the reads that produced it (ASan checks them).
void keep(std::uint64_t value) noexcept;

}  // namespace zbfuzz
