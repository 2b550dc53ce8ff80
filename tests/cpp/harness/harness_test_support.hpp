// Helpers for the harness's own tests.
#pragma once

#include "loader.hpp"
#include "ports.hpp"
#include "scenario_model.hpp"

#include <string>
#include <vector>

namespace zbh::test {

std::string source_dir();
std::string scenarios_dir();
const std::vector<Scenario>& catalog();  // the repository's scenarios, loaded once
const Scenario& scenario(const std::string& id);

// The C++ serve of this build, or "" when it is not built.
std::string cpp_serve();
// A port running tests/fixtures/buggy_serve.py with `bug` in front of the C++ serve.
Port buggy_port(const std::string& bug, const std::string& name = "buggy");
Port cpp_port();

// A fresh directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string write(const std::string& relative, const std::string& text) const;

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
CommandResult run_command(const std::vector<std::string>& argv);

std::string read_file(const std::string& path);

}  // namespace zbh::test
