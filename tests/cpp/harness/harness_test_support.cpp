#include "harness_test_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

namespace zbh::test {

std::string source_dir() { return ZBH_TEST_SOURCE_DIR; }
std::string scenarios_dir() { return source_dir() + "/scenarios"; }

const std::vector<Scenario>& catalog() {
  static const std::vector<Scenario> scenarios = load_scenario_dir(scenarios_dir());
  return scenarios;
}

const Scenario& scenario(const std::string& id) {
  for (const auto& s : catalog()) {
    if (s.id == id) return s;
  }
  throw std::runtime_error("no scenario " + id);
}

std::string cpp_serve() { return ZBH_TEST_CPP_SERVE; }

Port cpp_port() { return Port{"cpp", {cpp_serve()}, "C++ reference"}; }

Port buggy_port(const std::string& bug, const std::string& name) {
  std::string python = ZBH_TEST_PYTHON;
  if (python.empty()) python = "python3";
  return Port{name, {python, source_dir() + "/tests/fixtures/buggy_serve.py", "--bug", bug, "--", cpp_serve()},
              "deliberately wrong serve"};
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "zbh-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& relative, const std::string& text) const {
  const auto path = std::filesystem::path(path_) / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path.string();
}

CommandResult run_command(const std::vector<std::string>& argv) {
  std::string command;
  for (const auto& arg : argv) {
    std::string quoted = "'";
    for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    command += quoted + "' ";
  }
  command += "2>&1";
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace zbh::test
