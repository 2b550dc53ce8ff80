// Runs tests/schema/validate_replies.py (python3 with python3-jsonschema) over the replies a
// run recorded with --record-replies: the full docs/schema check of every reply, which the
// harness cannot do in C++ (no JSON Schema validator for nlohmann_json is packaged in Debian).
#pragma once

#include <string>

namespace zbh {

struct ReplySchemaCheck {
  bool passed = false;
  std::string output;  // the validator's report (or why it could not run)
};

// Validates every reply recorded in `recordings` against `source_dir`/docs/schema.
ReplySchemaCheck check_recorded_replies(const std::string& source_dir, const std::string& recordings);

}  // namespace zbh
