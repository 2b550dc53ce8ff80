// libFuzzer target: the harness's scenario loader (zbh::load_scenarios_from_text) on arbitrary
// bytes. The seed corpus is real scenario files, so mutations stay close to the schema.
//
// Invariant: the loader returns scenarios or throws zbh::LoadError with a message; no other
// exception, no sanitizer report, no input runs longer than 1 s (run.sh passes -timeout=1).
#include <cstddef>
#include <cstdint>
#include <string>

#include "loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    zbh::load_scenarios_from_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
  } catch (const zbh::LoadError&) {
    // Allowed outcome: the input is not a valid scenario file.
  }
  return 0;
}
