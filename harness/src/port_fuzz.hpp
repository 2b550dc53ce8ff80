// Fuzzing every port through its serve (issue 12 §1): a buffer between the port under test and
// a peer serve, whose shared memory the fuzzer corrupts at random steps (OIEB fields, frame
// headers and wrap markers, payload and metadata bytes) between seeded random calls, or — for a
// port as writer — makes one OIEB field hostile before the port connects. Every answer must be a
// result or a library error of the closed list (docs/serve-protocol.md §4), the serve must stay
// alive and answer within its deadline, and nothing may be left behind; where the harness knows
// the truth (fuzz_oracle.hpp) the answer and the bytes written must be the right ones.
#pragma once

#include "ports.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace zbh {

struct PortFuzzOptions {
  std::vector<Port> ports;  // the ports under test
  Port peer;                // the other side (the C++ serve)
  std::uint64_t iterations = 200;  // per port and per side (reader, writer)
  std::uint64_t first = 0;         // first iteration: a failure is rerun with --from I --iterations 1
  std::uint64_t seed = 1;
  std::string side = "both";  // reader, writer or both
  std::string temp_root = "/tmp";
  std::string command_line;
  bool verbose = false;
};

// Returns 0 when every answer was well-formed and timely and nothing leaked; 1 after the first
// failure, described with the port, side, seed and iteration that reproduce it.
int run_port_fuzz(const PortFuzzOptions& options);

}  // namespace zbh
