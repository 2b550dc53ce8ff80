// The subcommands of zerobuffer-harness (list, rules, run, certify, smoke) over one loaded
// scenario catalog, rule catalog and port registry. main.cpp parses the command line into
// Settings and calls one of them; each returns the process exit code.
#pragma once

#include "loader.hpp"
#include "ports.hpp"
#include "reports.hpp"
#include "rules.hpp"
#include "runner.hpp"

#include <string>
#include <utility>
#include <vector>

namespace zbh {

inline constexpr int kExitPass = 0;
inline constexpr int kExitFailures = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSkipped = 77;  // one cell was run and skipped (CTest SKIP_RETURN_CODE)

struct Settings {
  std::string source_dir;
  std::string build_dir;
  std::string scenarios_dir;
  std::string ports_file;
  std::string expected_dir;
  std::vector<std::string> scenario_globs;
  std::vector<std::string> writers;
  std::vector<std::string> readers;
  std::string tier = "all";
  std::string report_dir;
  std::string record_dir;  // run --record-replies DIR (traffic_log.hpp)
  int jobs = 1;
  bool strict = false;
  bool fail_fast = false;
  bool verbose = false;
  std::vector<std::string> port_options;  // every --port NAME=COMMAND
  std::string check_docs;   // rules --check-docs DIR
  std::string update_docs;  // rules --update-docs DIR
  bool markdown = false;    // rules --markdown
  std::vector<std::string> explicit_args;  // for repro commands
  std::string command_line;  // as invoked, for the reports
  std::string self;          // this executable, for repro commands
};

// `text` as one shell word (quoted only when it needs to be).
std::string shell_quote(const std::string& text);

class Harness {
 public:
  // Loads the scenarios, the rule catalog and the ports; throws LoadError.
  explicit Harness(Settings settings);

  int list();
  // Every rule with the scenarios that cover it; fails while a rule is uncovered or a scenario
  // covers none. --check-docs / --update-docs compare / regenerate rules.json and the doc table.
  int rules();
  int run();
  int certify();
  // Seconds, not minutes: hello and its shape, then one frame each way against the C++ serve.
  int smoke();

 private:
  std::vector<std::string> announced_capabilities(const Port& port) const;
  // The port of --port, registered, once the C++ reference serve is known to be there; throws
  // LoadError naming `command` when it is not.
  Port add_candidate(const char* command);
  std::vector<const Scenario*> selected_scenarios() const;
  std::vector<std::string> choose_ports(const std::vector<std::string>& requested, const char* option);
  std::string repro(const CellResult& r) const;
  std::pair<std::vector<CellResult>, RunInfo> run_cells(const std::vector<CellSpec>& cells,
                                                        const std::vector<std::string>& writers,
                                                        const std::vector<std::string>& readers,
                                                        const ExpectedFailures* expected);
  int finish(const std::vector<CellResult>& results, const RunInfo& info);

  Settings s_;
  std::vector<Scenario> catalog_;
  RuleCatalog rules_;
  PortRegistry ports_;
};

}  // namespace zbh
