// Expectation matching and placeholder resolution.
//
// Matching is a subset match: every key of an expected object must be present in the actual
// object and match; arrays match element by element and must have the same length; an object
// holding only "min" and/or "max" matches a number in that closed range.
//
// Placeholders (strings of the form ${...}) are resolved before a request is sent or a value
// is compared: ${name}, ${name:N} (the test's buffer name padded to exactly N characters),
// ${uuid}, ${pid.ROLE}, ${HANDLE.key.key} (a saved result). A string that is exactly one
// placeholder takes the placeholder's JSON type; inside a longer string it is spliced as text.
// {"$randomSizes": {"seed", "count", "min", "max"}} in arguments becomes an array of sizes, and
// {"$randomSizesTotal": {...the same...}} their sum (for byte totals in expectations).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace zbh {

using json = nlohmann::json;

class ResolveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Bindings {
  std::string name;  // the test's unique buffer name
  std::string uuid;  // one random UUID per test
  std::map<std::string, std::uint64_t> pids;  // role -> pid from hello
  json saved = json::object();                // handle -> saved result
};

json resolve(const json& value, const Bindings& bindings);

// Empty when `actual` matches; otherwise one line per mismatch, each naming its path.
std::vector<std::string> match(const json& expected, const json& actual, const std::string& path = "");

// Deterministic sizes for "$randomSizes" (a small xorshift generator; ports never need it).
std::vector<std::uint64_t> random_sizes(std::uint64_t seed, std::size_t count, std::uint64_t min,
                                        std::uint64_t max);

std::string make_uuid();

}  // namespace zbh
