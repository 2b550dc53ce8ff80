#include "subcommands.hpp"

#include "loader.hpp"
#include "port_fuzz.hpp"
#include "ports.hpp"
#include "soak.hpp"

#include <cxxopts.hpp>

#include <iostream>
#include <sstream>

namespace zbh {
namespace {

constexpr int kExitUsage = 2;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The registry with every --port NAME=COMMAND added.
PortRegistry load_ports(const cxxopts::ParseResult& args, const SubcommandContext& context) {
  const std::string source = args.count("source-dir") ? args["source-dir"].as<std::string>() : context.source_dir;
  const std::string build = args.count("build-dir") ? args["build-dir"].as<std::string>() : context.build_dir;
  const std::string file =
      args.count("ports-file") ? args["ports-file"].as<std::string>() : source + "/scenarios/ports.json";
  PortRegistry registry = PortRegistry::load(file, build, source);
  for (const auto& kv : args.arguments()) {
    if (kv.key() == "port") registry.add_or_replace(parse_port_option(kv.value()));
  }
  return registry;
}

Port find_port(const PortRegistry& registry, const std::string& name) {
  const Port* port = registry.find(name);
  if (port == nullptr) throw UsageError("no port '" + name + "' (ports.json or --port NAME=COMMAND)");
  if (!port->available()) throw UsageError("port '" + name + "' is not available (not built?)");
  return *port;
}

void add_location_options(cxxopts::Options& options) {
  // clang-format off
  options.add_options()
      ("port", "add or replace a port NAME=COMMAND (repeatable)", cxxopts::value<std::string>())
      ("ports-file", "ports registry (default: <source>/scenarios/ports.json)", cxxopts::value<std::string>())
      ("build-dir", "value of ${build} in ports.json", cxxopts::value<std::string>())
      ("source-dir", "value of ${source} in ports.json", cxxopts::value<std::string>())
      ("seed", "seed of the random choices", cxxopts::value<std::uint64_t>()->default_value("1"))
      ("v,verbose", "a line per kill / per iteration")
      ("h,help", "show this help");
  // clang-format on
}

template <class Body>
int guarded(const cxxopts::Options& options, Body body) {
  try {
    return body();
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "zerobuffer-harness: " << e.what() << "\n" << options.help() << "\n";
  } catch (const UsageError& e) {
    std::cerr << "zerobuffer-harness: " << e.what() << "\n";
  } catch (const LoadError& e) {
    std::cerr << "zerobuffer-harness: " << e.what() << "\n";
  }
  return kExitUsage;
}

}  // namespace

int soak_command(int argc, char** argv, const SubcommandContext& context) {
  cxxopts::Options options("zerobuffer-harness soak",
                           "Kill -9 soak: a writer serve streams to a reader serve; one of them is SIGKILLed at "
                           "random moments and restarted, again and again.\n\n"
                           "  zerobuffer-harness soak --writer W --reader R [--kills N] [--seconds S] [--seed S]\n\n"
                           "Stops after N kills or S seconds, whichever comes first. Exit 0 when every check held.");
  add_location_options(options);
  // clang-format off
  options.add_options()
      ("writer", "writer port", cxxopts::value<std::string>())
      ("reader", "reader port", cxxopts::value<std::string>())
      ("kills", "number of kills", cxxopts::value<std::uint64_t>()->default_value("50"))
      ("seconds", "time budget (0: none)", cxxopts::value<double>()->default_value("0"));
  // clang-format on
  return guarded(options, [&] {
    auto args = options.parse(argc, argv);
    if (args.count("help")) {
      std::cout << options.help() << "\n";
      return 0;
    }
    if (!args.count("writer") || !args.count("reader")) throw UsageError("soak needs --writer and --reader");
    const PortRegistry registry = load_ports(args, context);
    SoakOptions soak;
    soak.writer = find_port(registry, args["writer"].as<std::string>());
    soak.reader = find_port(registry, args["reader"].as<std::string>());
    soak.kills = args["kills"].as<std::uint64_t>();
    soak.seconds = args["seconds"].as<double>();
    soak.seed = args["seed"].as<std::uint64_t>();
    soak.verbose = args.count("verbose") > 0;
    soak.command_line = context.command_line;
    if (soak.seconds < 0) throw UsageError("--seconds must not be negative");
    return run_soak(soak);
  });
}

int fuzz_command(int argc, char** argv, const SubcommandContext& context) {
  cxxopts::Options options("zerobuffer-harness fuzz",
                           "Fuzz ports through their serves: corrupt the shared memory of a buffer between the port "
                           "and a C++ peer at random steps; every answer must be a result or a library error of the "
                           "closed list, in time, and nothing may leak.\n\n"
                           "  zerobuffer-harness fuzz --ports cpp,csharp,python | --port NAME=COMMAND\n"
                           "                          [--iterations N] [--seed S] [--from I] [--side reader|writer|both]");
  add_location_options(options);
  // clang-format off
  options.add_options()
      ("ports", "ports under test, comma-separated (besides every --port)", cxxopts::value<std::string>())
      ("peer", "the other side's port", cxxopts::value<std::string>()->default_value("cpp"))
      ("iterations", "iterations per port and side", cxxopts::value<std::uint64_t>()->default_value("200"))
      ("from", "first iteration (to rerun a failure)", cxxopts::value<std::uint64_t>()->default_value("0"))
      ("side", "the port as reader, writer or both", cxxopts::value<std::string>()->default_value("both"));
  // clang-format on
  return guarded(options, [&] {
    auto args = options.parse(argc, argv);
    if (args.count("help")) {
      std::cout << options.help() << "\n";
      return 0;
    }
    const PortRegistry registry = load_ports(args, context);
    PortFuzzOptions fuzz;
    std::vector<std::string> names;
    if (args.count("ports")) {
      std::stringstream list(args["ports"].as<std::string>());
      for (std::string name; std::getline(list, name, ',');) {
        if (!name.empty()) names.push_back(name);
      }
    }
    for (const auto& kv : args.arguments()) {
      if (kv.key() == "port") names.push_back(parse_port_option(kv.value()).name);
    }
    if (names.empty()) throw UsageError("fuzz needs --ports or --port");
    for (const auto& name : names) fuzz.ports.push_back(find_port(registry, name));
    fuzz.peer = find_port(registry, args["peer"].as<std::string>());
    fuzz.iterations = args["iterations"].as<std::uint64_t>();
    fuzz.first = args["from"].as<std::uint64_t>();
    fuzz.seed = args["seed"].as<std::uint64_t>();
    fuzz.side = args["side"].as<std::string>();
    fuzz.verbose = args.count("verbose") > 0;
    fuzz.command_line = context.command_line;
    if (fuzz.side != "reader" && fuzz.side != "writer" && fuzz.side != "both") {
      throw UsageError("--side is reader, writer or both");
    }
    return run_port_fuzz(fuzz);
  });
}

}  // namespace zbh
