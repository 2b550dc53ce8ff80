// The kill -9 soak (issue 12 §2): a writer serve streams pattern frames to a reader serve while
// the soak SIGKILLs one of them at random moments, restarts it, and checks that the survivor
// notices within a second, that every delivered frame is intact and delivered once in order,
// and that nothing is left behind.
#pragma once

#include "ports.hpp"

#include <cstdint>
#include <string>

namespace zbh {

struct SoakOptions {
  Port writer;
  Port reader;
  std::uint64_t kills = 50;        // stop after this many kills ...
  double seconds = 0;              // ... or after this long (0: no time limit)
  std::uint64_t seed = 1;          // victims, moments, frame sizes (process timing is not seeded)
  std::string temp_root = "/tmp";  // the lock directory goes under here
  std::string command_line;        // printed with a failure, to rerun it
  bool verbose = false;
};

// Runs the soak; prints the counts and detection percentiles. Returns 0 when every check held,
// 1 after the first failure (which it describes, with the seed and the kill number).
int run_soak(const SoakOptions& options);

}  // namespace zbh
