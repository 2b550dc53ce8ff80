#include "reply_schema_check.hpp"

#include "process.hpp"

#include <chrono>

namespace zbh {

ReplySchemaCheck check_recorded_replies(const std::string& source_dir, const std::string& recordings) {
  const std::vector<std::string> argv = {"python3", source_dir + "/tests/schema/validate_replies.py", "--schemas",
                                         source_dir + "/docs/schema", recordings};
  ReplySchemaCheck check;
  try {
    ServeProcess validator(argv, {});
    validator.close_stdin();
    const auto deadline = Clock::now() + std::chrono::minutes(5);
    while (auto line = validator.next_line(deadline)) check.output += line->text + "\n";
    const auto code = validator.wait_exit(deadline);
    if (!code) validator.kill_group();
    check.passed = code && *code == 0;
    if (!check.passed) check.output += validator.stderr_text();
  } catch (const ProcessError& e) {
    check.output = std::string("cannot run python3 tests/schema/validate_replies.py: ") + e.what() + "\n";
  }
  return check;
}

}  // namespace zbh
