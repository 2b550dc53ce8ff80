// What the harness knows of the shape of serve replies, checked on every reply of every port.
// docs/schema/ is the full description; no JSON Schema validator for nlohmann_json is packaged
// in Debian, so the harness checks the envelope, the error object and the keys and JSON types
// of each method's result itself (the C++ serve's messages are also validated against the
// schemas proper by tests/schema/validate_messages.py, and every port's replies in the
// conformance matrix by tests/schema/validate_replies.py).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace zbh {

using json = nlohmann::json;

// One line per deviation of `response` (a whole JSON-RPC response object) from what
// docs/schema says an answer to `method` looks like; empty when none.
std::vector<std::string> reply_shape_problems(const std::string& method, const json& response);

}  // namespace zbh
