// zerobuffer-harness: parses the command line and runs one subcommand (commands.hpp).
#include "build_config.hpp"
#include "commands.hpp"
#include "rules.hpp"
#include "subcommands.hpp"

#include <cxxopts.hpp>

#include <climits>
#include <iostream>
#include <sstream>
#include <unistd.h>

using zbh::shell_quote;

namespace {

using namespace zbh;

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
                           "                              [--record-replies DIR]\n"
                           "                              [--port NAME=COMMAND ...]\n"
                           "  zerobuffer-harness certify  --port NAME=COMMAND [--report DIR] [-j N] [--record-replies DIR]\n"
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
      ("record-replies", "write every request and reply line of each cell to DIR/<cell>.jsonl (for "
                         "tests/schema/validate_replies.py; certify validates them itself)",
       cxxopts::value<std::string>())
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
  settings.source_dir = ZBH_DEFAULT_SOURCE_DIR;
  settings.build_dir = ZBH_DEFAULT_BUILD_DIR;
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
    take("record-replies", settings.record_dir, false);
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
    settings.command_line = command_line;
    settings.self = self_path(argv[0]);
    Harness harness(settings);
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
