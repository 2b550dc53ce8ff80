// `certify`: which writer/reader pairs a candidate port is run in, and the verdict on the
// required cells. A port is certified when no cell failed, at least one passed, and every skip
// is for an optional capability the port does not announce in hello.
#pragma once

#include "results.hpp"

#include <string>
#include <utility>
#include <vector>

namespace zbh {

// (writer, reader): the candidate with itself, and unless it is the reference itself, the
// candidate writing to the C++ reference and the reference writing to the candidate.
std::vector<std::pair<std::string, std::string>> certify_pairs(const std::string& candidate);

// Prints the optional capabilities not covered and the VERDICT line; true when certified.
// `announced`: the capabilities the candidate's hello lists.
bool print_certify_verdict(const std::string& candidate, const std::vector<CellResult>& results,
                           const std::vector<std::string>& announced);

}  // namespace zbh
