// The ports registry (scenarios/ports.json) and the expected-failure lists
// (scenarios/expected/<port>.json).
#pragma once

#include "results.hpp"
#include "scenario_model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace zbh {

struct Port {
  std::string name;
  std::vector<std::string> command;  // argv, ${build} and ${source} already substituted
  std::string description;

  bool available() const;  // the program exists and is executable
};

// Port names are [a-z0-9_]+ (a '-' would make the cell name writer-reader ambiguous).
bool is_port_name(const std::string& name);

struct PortRegistry {
  std::vector<Port> ports;  // in file order

  // Throws LoadError on a malformed file.
  static PortRegistry load(const std::string& path, const std::string& build_dir, const std::string& source_dir);
  static PortRegistry parse(const std::string& text, const std::string& file, const std::string& build_dir,
                            const std::string& source_dir);
  const Port* find(const std::string& name) const;
  void add_or_replace(Port port);
};

// "NAME=COMMAND ARGS" with simple quoting ('...' and "..."), as given to certify --port.
Port parse_port_option(const std::string& text);
std::vector<std::string> split_command_line(const std::string& text);

struct ExpectedFailure {
  std::string port;      // the file it came from: expected/<port>.json
  std::string scenario;  // id or glob
  std::string as;        // "writer", "reader" or "either": the side the port plays
  std::string peer;      // the other side's port, or "*"
  std::string reason;
};

class ExpectedFailures {
 public:
  // Loads expected/<port>.json for each port that has one. Throws LoadError on a malformed
  // file, a file for a port that is not registered, or a stale entry (one whose scenario
  // pattern matches no scenario of `catalog`).
  static ExpectedFailures load(const std::string& dir, const PortRegistry& ports,
                               const std::vector<Scenario>& catalog);
  static ExpectedFailures parse(const std::string& text, const std::string& port, const std::string& file,
                                const std::vector<Scenario>& catalog);

  const ExpectedFailure* find(const std::string& scenario, const std::string& writer, const std::string& reader) const;
  const std::vector<ExpectedFailure>& entries() const { return entries_; }

  // Turns a raw pass/fail into xfail/xpass when an entry covers the cell.
  void apply(CellResult& result) const;

 private:
  std::vector<ExpectedFailure> entries_;
};

bool glob_match(const std::string& pattern, const std::string& text);

}  // namespace zbh
