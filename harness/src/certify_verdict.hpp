// `certify`: which writer/reader pairs a candidate port is run in, and the verdict on the
// required cells. A port is certified when no cell failed, at least one passed, every skip is
// for an optional capability the port does not announce in hello, and every reply satisfies
// docs/schema.
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
// `announced`: the capabilities the candidate's hello lists; `replies_valid`: every recorded
// reply passed the schema check (reply_schema_check.hpp).
bool print_certify_verdict(const std::string& candidate, const std::vector<CellResult>& results,
                           const std::vector<std::string>& announced, bool replies_valid);

}  // namespace zbh
