// zerobuffer-harness: list scenarios, run the conformance matrix, certify a new port.
#include "build_config.hpp"
#include "loader.hpp"
#include "port_probe.hpp"
#include "ports.hpp"
#include "reports.hpp"
#include "rules.hpp"
#include "runner.hpp"
#include "subcommands.hpp"

#include <cxxopts.hpp>

#include <chrono>
#include <climits>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <set>
#include <sstream>
#include <unistd.h>

namespace {

using namespace zbh;

constexpr int kExitPass = 0;
constexpr int kExitFailures = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSkipped = 77;  // one cell was run and skipped (CTest SKIP_RETURN_CODE)

struct Settings {
  std::string source_dir = ZBH_DEFAULT_SOURCE_DIR;
  std::string build_dir = ZBH_DEFAULT_BUILD_DIR;
  std::string scenarios_dir;
  std::string ports_file;
  std::string expected_dir;
  std::vector<std::string> scenario_globs;
  std::vector<std::string> writers;
  std::vector<std::string> readers;
  std::string tier = "all";
  std::string report_dir;
  int jobs = 1;
  bool strict = false;
  bool fail_fast = false;
  bool verbose = false;
  std::vector<std::string> port_options;  // every --port NAME=COMMAND
  std::string check_docs;   // rules --check-docs DIR
  std::string update_docs;  // rules --update-docs DIR
  bool markdown = false;    // rules --markdown
  std::vector<std::string> explicit_args;  // for repro commands
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string self_path(const char* argv0) {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return argv0;
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string shell_quote(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-=:,+") ==
                           std::string::npos) {
    return text;
  }
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class Harness {
 public:
  Harness(Settings settings, std::string self) : s_(std::move(settings)), self_(std::move(self)) {
    if (s_.scenarios_dir.empty()) s_.scenarios_dir = s_.source_dir + "/scenarios";
    if (s_.ports_file.empty()) s_.ports_file = s_.scenarios_dir + "/ports.json";
    if (s_.expected_dir.empty()) s_.expected_dir = s_.scenarios_dir + "/expected";
    catalog_ = load_scenario_dir(s_.scenarios_dir);
    rules_ = load_rule_catalog(s_.scenarios_dir);
    check_covers(catalog_, rules_);
    ports_ = PortRegistry::load(s_.ports_file, s_.build_dir, s_.source_dir);
  }

  int list() {
    const ExpectedFailures expected = ExpectedFailures::load(s_.expected_dir, ports_, catalog_);
    std::size_t width = 10;
    for (const auto* s : selected_scenarios()) width = std::max(width, s->id.size());
    for (const auto* s : selected_scenarios()) {
      std::string needs;
      for (const auto& n : s->needs) needs += (needs.empty() ? "needs " : ",") + n;
      std::printf("%-*s  %-8s  %s%s%s\n", static_cast<int>(width), s->id.c_str(), s->tier.c_str(), s->title.c_str(),
                  needs.empty() ? "" : "  ", needs.c_str());
    }
    std::printf("\n%zu scenarios, %zu expected-failure entries. Ports (%s):\n", selected_scenarios().size(),
                expected.entries().size(), s_.ports_file.c_str());
    for (const auto& port : ports_.ports) {
      std::string command;
      for (const auto& arg : port.command) command += (command.empty() ? "" : " ") + shell_quote(arg);
      std::printf("  %-8s %-13s %s\n", port.name.c_str(), port.available() ? "available" : "not available",
                  command.c_str());
    }
    return kExitPass;
  }

  // Every rule with the scenarios that cover it; fails while a rule is uncovered or a scenario
  // covers none. --check-docs / --update-docs compare / regenerate rules.json and the doc table.
  int rules() {
    if (!s_.check_docs.empty() || !s_.update_docs.empty()) {
      const bool update = !s_.update_docs.empty();
      const auto differences =
          sync_rule_docs(update ? s_.update_docs : s_.check_docs, s_.scenarios_dir, catalog_, update);
      for (const auto& line : differences) std::printf("%s\n", line.c_str());
      if (update) std::printf("updated %s/rules/rules.json and the rules table of scenarios.md\n", s_.scenarios_dir.c_str());
      else if (differences.empty()) std::printf("rules.json and the rules table of scenarios.md match the docs\n");
      return differences.empty() || update ? kExitPass : kExitFailures;
    }
    if (!rules_.present) throw LoadError(s_.scenarios_dir + ": no rules/rules.json");
    const CoverageReport report = rule_coverage(catalog_, rules_);
    std::printf("%s", s_.markdown ? coverage_markdown(report).c_str() : coverage_text(report).c_str());
    return report.problems.empty() ? kExitPass : kExitFailures;
  }

  int run() {
    for (const auto& option : s_.port_options) ports_.add_or_replace(parse_port_option(option));
    std::vector<std::string> writers = choose_ports(s_.writers, "--writer");
    std::vector<std::string> readers = choose_ports(s_.readers, "--reader");
    ExpectedFailures expected;
    if (!s_.strict) expected = ExpectedFailures::load(s_.expected_dir, ports_, catalog_);
    std::vector<CellSpec> cells;
    for (const auto* scenario : selected_scenarios()) {
      for (const auto& w : writers) {
        for (const auto& r : readers) cells.push_back({scenario, *ports_.find(w), *ports_.find(r)});
      }
    }
    if (cells.empty()) throw LoadError("no scenario matches the selection");
    auto [results, info] = run_cells(cells, writers, readers, s_.strict ? nullptr : &expected);
    return finish(results, info);
  }

  int certify() {
    Port candidate = parse_port_option(s_.port_options.front());
    ports_.add_or_replace(candidate);
    const Port* reference = ports_.find("cpp");
    if (!reference || !reference->available()) {
      throw LoadError("certify needs the C++ reference serve (port 'cpp' in " + s_.ports_file +
                      "); build it first");
    }
    if (!ports_.find(candidate.name)->available()) {
      throw LoadError("port " + candidate.name + ": cannot execute '" + candidate.command.front() + "'");
    }
    s_.tier = "required";
    s_.strict = true;
    std::vector<std::pair<std::string, std::string>> pairs = {{candidate.name, candidate.name}};
    if (candidate.name != "cpp") {
      pairs.push_back({candidate.name, "cpp"});
      pairs.push_back({"cpp", candidate.name});
    }
    std::vector<CellSpec> cells;
    for (const auto* scenario : selected_scenarios()) {
      for (const auto& [w, r] : pairs) cells.push_back({scenario, *ports_.find(w), *ports_.find(r)});
    }
    std::vector<std::string> names = {candidate.name};
    if (candidate.name != "cpp") names.push_back("cpp");
    auto [results, info] = run_cells(cells, names, names, nullptr);
    const int code = finish(results, info);
    const Tally t = tally(results);
    std::set<std::string> missing;
    for (const auto& r : results) {
      if (r.outcome == Outcome::skipped) missing.insert(r.message);
    }
    // A skip is fair only for a capability the port does not announce.
    std::vector<std::string> announced_but_skipped;
    for (const auto& capability : announced_capabilities(candidate)) {
      for (const auto& m : missing) {
        if (m.find("'" + capability + "'") != std::string::npos) announced_but_skipped.push_back(m);
      }
    }
    std::printf("\nnot covered (optional capability):%s\n", missing.empty() ? " none" : "");
    for (const auto& m : missing) std::printf("  %s\n", m.c_str());
    if (code == kExitFailures || t.passed == 0 || !announced_but_skipped.empty()) {
      std::printf("VERDICT: port '%s' is NOT CERTIFIED: %d of %d required cells failed", candidate.name.c_str(),
                  t.failed, t.total());
      if (!announced_but_skipped.empty()) {
        std::printf(", %zu skip(s) of capabilities the port announces in hello", announced_but_skipped.size());
      }
      std::printf(".\n");
      return kExitFailures;
    }
    std::printf("VERDICT: port '%s' is CERTIFIED for ZeroBuffer protocol 1.0: %d required cells passed "
                "(itself, writer to cpp, cpp to reader).\n",
                candidate.name.c_str(), t.passed);
    return kExitPass;
  }

  // Seconds, not minutes: hello and its shape, then one frame each way against the C++ serve.
  int smoke() {
    Port candidate = parse_port_option(s_.port_options.front());
    ports_.add_or_replace(candidate);
    const Port* reference = ports_.find("cpp");
    if (!reference || !reference->available()) {
      throw LoadError("smoke needs the C++ reference serve (port 'cpp' in " + s_.ports_file + "); build it first");
    }
    std::printf("smoke test of port '%s'\n", candidate.name.c_str());
    auto fail = [&](const std::string& what, const std::string& problem) {
      std::printf("FAIL  %s: %s\n", what.c_str(), problem.c_str());
      for (const auto& advice : advice_for(problem)) std::printf("      advice: %s\n", advice.c_str());
    };
    const HelloProbe probe = probe_hello(candidate, std::chrono::seconds(5));
    if (!probe.result) {
      fail("hello", probe.problem);
      return kExitFailures;
    }
    const auto problems = hello_problems(*probe.result);
    if (!problems.empty()) {
      std::string text;
      for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
      fail("hello", "bad hello answer (" + text + "): " + probe.result->dump());
      return kExitFailures;
    }
    std::printf("ok    hello: %s\n", probe.result->dump().c_str());
    const Scenario* scenario = nullptr;
    for (const auto& s : catalog_) {
      if (s.id == "basic.single-frame") scenario = &s;
    }
    if (!scenario) throw LoadError("smoke needs the scenario basic.single-frame");
    const std::vector<CellSpec> cells = {{scenario, candidate, *reference}, {scenario, *reference, candidate}};
    MatrixOptions matrix;
    matrix.finish = [&](CellResult& r) { r.repro = repro(r); };
    int failed = 0;
    for (const auto& r : run_matrix(cells, RunnerOptions{}, matrix)) {
      const std::string what = "one frame, writer " + r.writer + " -> reader " + r.reader;
      if (r.outcome == Outcome::passed) {
        std::printf("ok    %s (%.0f ms)\n", what.c_str(), r.duration_ms);
        continue;
      }
      ++failed;
      fail(what + " [" + r.failed_step + "]", r.message.substr(0, 1500));
      std::printf("      repro: %s\n", r.repro.c_str());
    }
    std::printf("%s; `certify --port %s` gives the full verdict.\n",
                failed ? "smoke test FAILED" : "smoke test passed", shell_quote(s_.port_options.front()).c_str());
    return failed ? kExitFailures : kExitPass;
  }

 private:
  std::vector<std::string> announced_capabilities(const Port& port) const {
    const HelloProbe probe = probe_hello(port, std::chrono::seconds(5));
    return probe.result ? announced(*probe.result) : std::vector<std::string>{};
  }

  std::vector<const Scenario*> selected_scenarios() const {
    std::vector<const Scenario*> out;
    for (const auto& scenario : catalog_) {
      if (s_.tier != "all" && scenario.tier != s_.tier) continue;
      bool match = s_.scenario_globs.empty();
      for (const auto& glob : s_.scenario_globs) match = match || glob_match(glob, scenario.id);
      if (match) out.push_back(&scenario);
    }
    return out;
  }

  std::vector<std::string> choose_ports(const std::vector<std::string>& requested, const char* option) {
    std::vector<std::string> out;
    if (requested.empty()) {
      for (const auto& port : ports_.ports) {
        if (port.available()) out.push_back(port.name);
        else std::fprintf(stderr, "note: port %s is not available (%s not found); not run\n", port.name.c_str(),
                          port.command.front().c_str());
      }
      if (out.empty()) throw LoadError("no port in " + s_.ports_file + " is available; build the serves first");
      return out;
    }
    for (const auto& name : requested) {
      const Port* port = ports_.find(name);
      if (!port) throw LoadError(std::string(option) + " " + name + ": no such port in " + s_.ports_file);
      if (!port->available()) {
        throw LoadError(std::string(option) + " " + name + ": cannot execute '" + port->command.front() + "'");
      }
      out.push_back(name);
    }
    return out;
  }

  std::string repro(const CellResult& r) const {
    std::string out = shell_quote(self_) + " run --scenario " + r.scenario + " --writer " + shell_quote(r.writer) +
                      " --reader " + shell_quote(r.reader);
    for (const auto& arg : s_.explicit_args) out += " " + shell_quote(arg);
    return out;
  }

  std::pair<std::vector<CellResult>, RunInfo> run_cells(const std::vector<CellSpec>& cells,
                                                        const std::vector<std::string>& writers,
                                                        const std::vector<std::string>& readers,
                                                        const ExpectedFailures* expected) {
    RunInfo info;
    info.started_at = now_iso();
    info.writers = writers;
    info.readers = readers;
    info.strict = s_.strict;
    info.command_line = command_line_;
    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    const bool single = cells.size() == 1;
    Tally running;
    MatrixOptions matrix;
    matrix.jobs = s_.jobs;
    matrix.fail_fast = s_.fail_fast;
    matrix.finish = [&](CellResult& r) {
      if (expected) expected->apply(r);
      r.repro = repro(r);
    };
    matrix.on_result = [&](const CellResult& r, std::size_t done, std::size_t total) {
      running.add(r.outcome);
      if (tty && !single) std::printf("\r\033[K");
      if (r.outcome != Outcome::passed || s_.verbose || single) {
        std::printf("%-6s conformance.%s (%.0f ms)%s%s\n", outcome_name(r.outcome), r.cell_name().c_str(),
                    r.duration_ms, r.message.empty() ? "" : ": ", r.message.substr(0, 2000).c_str());
      }
      if (s_.verbose || (single && r.outcome != Outcome::passed)) std::printf("%s\n", r.log.c_str());
      if (tty && !single) {
        std::printf("[%zu/%zu] %d passed, %d failed, %d skipped, %d xfail  (last: %s)", done, total, running.passed,
                    running.failed + running.unexpected_passes, running.skipped, running.expected_failures,
                    r.cell_name().c_str());
      } else if (!single && (done % 50 == 0 || done == total)) {
        std::printf("[%zu/%zu] %d passed, %d failed, %d skipped, %d xfail\n", done, total, running.passed,
                    running.failed + running.unexpected_passes, running.skipped, running.expected_failures);
      }
      std::fflush(stdout);
    };
    const auto start = std::chrono::steady_clock::now();
    auto results = run_matrix(cells, RunnerOptions{}, matrix);
    info.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (tty && !single) std::printf("\n");
    return {std::move(results), std::move(info)};
  }

  int finish(const std::vector<CellResult>& results, const RunInfo& info) {
    const Tally t = tally(results);
    if (results.size() > 1) std::printf("\n%s", console_matrix(info, results).c_str());
    bool any = false;
    for (const auto& r : results) {
      if (!outcome_fails_run(r.outcome)) continue;
      if (!any) std::printf("\nFailures (repro commands):\n");
      any = true;
      std::printf("  %s [%s]: %s\n    %s\n", r.cell_name().c_str(), r.failed_step.c_str(),
                  r.message.substr(0, 300).c_str(), r.repro.c_str());
    }
    if (!s_.report_dir.empty()) {
      write_reports(s_.report_dir, info, results);
      std::printf("\nReport: %s/index.html (also junit.xml, results.json, matrix.md, logs/)\n", s_.report_dir.c_str());
    }
    std::printf("\n%s in %.1f s\n", report_summary(t).c_str(), info.duration_ms / 1000.0);
    if (t.failed + t.unexpected_passes > 0) return kExitFailures;
    if (results.size() == 1 && t.skipped == 1) return kExitSkipped;
    return kExitPass;
  }

  static std::string report_summary(const Tally& t) {
    std::string out = std::to_string(t.total()) + " cells: " + std::to_string(t.passed) + " passed, " +
                      std::to_string(t.failed) + " failed, " + std::to_string(t.skipped) + " skipped";
    if (t.expected_failures) out += ", " + std::to_string(t.expected_failures) + " expected failures";
    if (t.unexpected_passes) out += ", " + std::to_string(t.unexpected_passes) + " unexpected passes";
    return out;
  }

 public:
  std::string command_line_;

 private:
  Settings s_;
  std::string self_;
  std::vector<Scenario> catalog_;
  RuleCatalog rules_;
  PortRegistry ports_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && (std::string(argv[1]) == "soak" || std::string(argv[1]) == "fuzz")) {
    std::string line;
    for (int i = 0; i < argc; ++i) line += (i ? " " : "") + shell_quote(argv[i]);
    const zbh::SubcommandContext context{ZBH_DEFAULT_SOURCE_DIR, ZBH_DEFAULT_BUILD_DIR, line};
    return std::string(argv[1]) == "soak" ? zbh::soak_command(argc - 1, argv + 1, context)
                                          : zbh::fuzz_command(argc - 1, argv + 1, context);
  }
  cxxopts::Options options("zerobuffer-harness",
                           "ZeroBuffer conformance harness.\n\n"
                           "  zerobuffer-harness list     [--scenario GLOB] [--tier T]\n"
                           "  zerobuffer-harness run      [--scenario GLOB] [--writer LANG] [--reader LANG] [--tier T]\n"
                           "                              [--report DIR] [-j N] [--ports FILE] [--strict]\n"
                           "                              [--port NAME=COMMAND ...]\n"
                           "  zerobuffer-harness certify  --port NAME=COMMAND [--report DIR] [-j N]\n"
                           "  zerobuffer-harness smoke    --port NAME=COMMAND\n"
                           "  zerobuffer-harness rules    [--markdown] [--check-docs DIR | --update-docs DIR]\n"
                           "  zerobuffer-harness soak     --writer W --reader R [--kills N] [--seconds S] [--seed S]\n"
                           "  zerobuffer-harness fuzz     --ports P,Q | --port NAME=COMMAND [--iterations N] [--seed S]\n\n"
                           "Exit codes: 0 all passed, 1 failures, 2 usage or load error, 77 the one cell run was "
                           "skipped.");
  // clang-format off
  options.add_options()
      ("command", "list, run, certify, smoke or rules", cxxopts::value<std::string>())
      ("scenario", "scenario id or glob (comma-separated list)", cxxopts::value<std::string>())
      ("writer", "writer port(s), comma-separated (default: every available port)", cxxopts::value<std::string>())
      ("reader", "reader port(s), comma-separated (default: every available port)", cxxopts::value<std::string>())
      ("tier", "required, extended or all", cxxopts::value<std::string>()->default_value("all"))
      ("report", "write junit.xml, results.json, matrix.md, index.html and logs/ here", cxxopts::value<std::string>())
      ("j,jobs", "cells run in parallel", cxxopts::value<int>()->default_value("1"))
      ("strict", "ignore the expected-failure lists")
      ("port", "a port NAME=COMMAND ([a-z0-9_]+ names); certify: the port under test (once); run: added to the "
               "registry (repeatable)", cxxopts::value<std::string>())
      ("markdown", "rules: print the coverage as the Markdown table of docs/scenarios.md")
      ("check-docs", "rules: check rules.json and the table of DIR/scenarios.md against the docs in DIR",
       cxxopts::value<std::string>())
      ("update-docs", "rules: regenerate rules.json and the table of DIR/scenarios.md from the docs in DIR",
       cxxopts::value<std::string>())
      ("fail-fast", "start no further cell after the first failure")
      ("ports", "ports registry (default: <scenarios>/ports.json)", cxxopts::value<std::string>())
      ("scenarios", "scenario directory (default: <source>/scenarios)", cxxopts::value<std::string>())
      ("expected", "expected-failure directory (default: <scenarios>/expected)", cxxopts::value<std::string>())
      ("build-dir", "value of ${build} in ports.json", cxxopts::value<std::string>())
      ("source-dir", "value of ${source} in ports.json", cxxopts::value<std::string>())
      ("v,verbose", "print the log of every cell")
      ("h,help", "show this help");
  // clang-format on
  options.parse_positional({"command"});
  options.positional_help("list|run|certify|smoke|rules");

  Settings settings;
  std::string command;
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + shell_quote(argv[i]);
  try {
    auto args = options.parse(argc, argv);
    if (args.count("help") || !args.count("command")) {
      std::cout << options.help() << "\n";
      return args.count("help") ? kExitPass : kExitUsage;
    }
    command = args["command"].as<std::string>();
    auto take = [&](const char* key, std::string& into, bool repro) {
      if (!args.count(key)) return;
      into = args[key].as<std::string>();
      if (repro) {
        settings.explicit_args.push_back(std::string("--") + key);
        settings.explicit_args.push_back(into);
      }
    };
    take("source-dir", settings.source_dir, true);
    take("build-dir", settings.build_dir, true);
    take("scenarios", settings.scenarios_dir, true);
    take("ports", settings.ports_file, true);
    take("expected", settings.expected_dir, true);
    take("report", settings.report_dir, false);
    for (const auto& kv : args.arguments()) {
      if (kv.key() != "port") continue;
      settings.port_options.push_back(kv.value());
      settings.explicit_args.push_back("--port");
      settings.explicit_args.push_back(kv.value());
    }
    take("check-docs", settings.check_docs, false);
    take("update-docs", settings.update_docs, false);
    settings.markdown = args.count("markdown") > 0;
    settings.tier = args["tier"].as<std::string>();
    if (args.count("scenario")) settings.scenario_globs = split_list(args["scenario"].as<std::string>());
    if (args.count("writer")) settings.writers = split_list(args["writer"].as<std::string>());
    if (args.count("reader")) settings.readers = split_list(args["reader"].as<std::string>());
    settings.jobs = args["jobs"].as<int>();
    settings.strict = args.count("strict") > 0;
    settings.fail_fast = args.count("fail-fast") > 0;
    if (settings.strict) settings.explicit_args.push_back("--strict");
    settings.verbose = args.count("verbose") > 0;
    if (settings.tier != "all" && settings.tier != "required" && settings.tier != "extended") {
      throw cxxopts::exceptions::exception("--tier is required, extended or all");
    }
    if (settings.jobs < 1 || settings.jobs > 64) throw cxxopts::exceptions::exception("-j is 1..64");
    if ((command == "certify" || command == "smoke") && settings.port_options.size() != 1) {
      throw cxxopts::exceptions::exception(command + " needs exactly one --port NAME=COMMAND");
    }
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "zerobuffer-harness: " << e.what() << "\n(see zerobuffer-harness --help)\n";
    return kExitUsage;
  }

  try {
    if (command == "rules" && !settings.update_docs.empty()) {
      // Before the scenarios load: one of them may already cover a rule only the edited docs define.
      write_rules_json(settings.update_docs,
                       settings.scenarios_dir.empty() ? settings.source_dir + "/scenarios" : settings.scenarios_dir);
    }
    Harness harness(settings, self_path(argv[0]));
    harness.command_line_ = command_line;
    if (command == "list") return harness.list();
    if (command == "run") return harness.run();
    if (command == "certify") return harness.certify();
    if (command == "smoke") return harness.smoke();
    if (command == "rules") return harness.rules();
    std::cerr << "zerobuffer-harness: unknown command '" << command << "' (list, run, certify, smoke, rules)\n";
    return kExitUsage;
  } catch (const LoadError& e) {
    std::cerr << "zerobuffer-harness: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "zerobuffer-harness: " << e.what() << "\n";
    return kExitUsage;
  }
}
