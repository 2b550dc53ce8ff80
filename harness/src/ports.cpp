#include "ports.hpp"

#include "loader.hpp"
#include "process.hpp"

#include <filesystem>
#include <fnmatch.h>
#include <fstream>
#include <sstream>

namespace zbh {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw LoadError(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string substitute(std::string text, const std::string& key, const std::string& value) {
  for (std::size_t pos; (pos = text.find(key)) != std::string::npos;) text.replace(pos, key.size(), value);
  return text;
}

std::string port_name_problem(const std::string& name) {
  return "port name '" + name + "' must be lower-case letters, digits and '_' ([a-z0-9_]+): cell names join " +
         "writer and reader with '-', so 'upstream-py' would make 'upstream-py-cpp' ambiguous";
}

}  // namespace

bool Port::available() const { return !command.empty() && is_executable(command.front()); }

PortRegistry PortRegistry::parse(const std::string& text, const std::string& file, const std::string& build_dir,
                                 const std::string& source_dir) {
  nlohmann::ordered_json document;
  try {
    document = nlohmann::ordered_json::parse(text);
  } catch (const std::exception& e) {
    throw LoadError(file + ": not valid JSON: " + e.what());
  }
  if (!document.is_object() || !document.contains("ports") || !document.at("ports").is_object()) {
    throw LoadError(file + ": expected an object with a 'ports' object");
  }
  PortRegistry registry;
  for (const auto& [name, entry] : document.at("ports").items()) {
    const std::string where = file + ": port '" + name + "': ";
    if (!is_port_name(name)) throw LoadError(file + ": " + port_name_problem(name));
    if (!entry.is_object() || !entry.contains("command") || !entry.at("command").is_array() ||
        entry.at("command").empty()) {
      throw LoadError(where + "needs a non-empty 'command' array (argv)");
    }
    for (const auto& [key, value] : entry.items()) {
      if (key != "command" && key != "description") throw LoadError(where + "unknown field '" + key + "'");
    }
    Port port;
    port.name = name;
    for (const auto& arg : entry.at("command")) {
      if (!arg.is_string()) throw LoadError(where + "command entries must be strings");
      port.command.push_back(
          substitute(substitute(arg.get<std::string>(), "${build}", build_dir), "${source}", source_dir));
    }
    port.description = entry.value("description", "");
    registry.ports.push_back(std::move(port));
  }
  return registry;
}

PortRegistry PortRegistry::load(const std::string& path, const std::string& build_dir, const std::string& source_dir) {
  return parse(read_file(path), path, build_dir, source_dir);
}

const Port* PortRegistry::find(const std::string& name) const {
  for (const auto& port : ports) {
    if (port.name == name) return &port;
  }
  return nullptr;
}

void PortRegistry::add_or_replace(Port port) {
  for (auto& existing : ports) {
    if (existing.name == port.name) {
      existing = std::move(port);
      return;
    }
  }
  ports.push_back(std::move(port));
}

std::vector<std::string> split_command_line(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
      else current += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(current);
      current.clear();
      in_word = false;
    } else {
      current += c;
      in_word = true;
    }
  }
  if (quote) throw LoadError("unterminated quote in command: " + text);
  if (in_word) out.push_back(current);
  return out;
}

bool is_port_name(const std::string& name) {
  return !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
}

Port parse_port_option(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw LoadError("--port expects NAME=COMMAND, got '" + text + "'");
  Port port;
  port.name = text.substr(0, eq);
  if (!is_port_name(port.name)) throw LoadError("--port: " + port_name_problem(port.name));
  port.command = split_command_line(text.substr(eq + 1));
  if (port.command.empty()) throw LoadError("--port " + port.name + ": empty command");
  port.description = "given on the command line";
  return port;
}

bool glob_match(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

ExpectedFailures ExpectedFailures::parse(const std::string& text, const std::string& port, const std::string& file,
                                         const std::vector<Scenario>& catalog) {
  json document;
  try {
    document = json::parse(text);
  } catch (const std::exception& e) {
    throw LoadError(file + ": not valid JSON: " + e.what());
  }
  if (!document.is_object() || !document.contains("expectedFailures") || !document.at("expectedFailures").is_array()) {
    throw LoadError(file + ": expected an object with an 'expectedFailures' array");
  }
  for (const auto& [key, value] : document.items()) {
    if (key != "port" && key != "expectedFailures" && key != "comment" && key != "$schema") {
      throw LoadError(file + ": unknown field '" + key + "'");
    }
  }
  if (document.contains("port") && document.at("port") != port) {
    throw LoadError(file + ": 'port' says " + document.at("port").dump() + " but the file is for '" + port + "'");
  }
  ExpectedFailures out;
  int index = 0;
  for (const auto& item : document.at("expectedFailures")) {
    ++index;
    const std::string where = file + ": entry " + std::to_string(index) + ": ";
    if (!item.is_object()) throw LoadError(where + "must be an object");
    for (const auto& [key, value] : item.items()) {
      if (key != "scenario" && key != "as" && key != "peer" && key != "reason") {
        throw LoadError(where + "unknown field '" + key + "' (allowed: scenario, as, peer, reason)");
      }
    }
    ExpectedFailure entry;
    entry.port = port;
    if (!item.contains("scenario") || !item.at("scenario").is_string()) throw LoadError(where + "needs 'scenario'");
    if (!item.contains("reason") || !item.at("reason").is_string() || item.at("reason").get<std::string>().empty()) {
      throw LoadError(where + "needs a 'reason': every known failure says why");
    }
    entry.scenario = item.at("scenario");
    entry.reason = item.at("reason");
    entry.as = item.value("as", "either");
    entry.peer = item.value("peer", "*");
    if (entry.as != "writer" && entry.as != "reader" && entry.as != "either") {
      throw LoadError(where + "'as' is writer, reader or either");
    }
    bool matches_any = false;
    for (const auto& scenario : catalog) matches_any = matches_any || glob_match(entry.scenario, scenario.id);
    if (!matches_any) {
      throw LoadError(where + "stale entry: no scenario matches '" + entry.scenario + "'; remove it");
    }
    out.entries_.push_back(std::move(entry));
  }
  return out;
}

ExpectedFailures ExpectedFailures::load(const std::string& dir, const PortRegistry& ports,
                                        const std::vector<Scenario>& catalog) {
  namespace fs = std::filesystem;
  ExpectedFailures all;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return all;
  for (const auto& file : fs::directory_iterator(dir)) {
    if (file.path().extension() != ".json") continue;
    const std::string port = file.path().stem().string();
    if (!ports.find(port)) {
      throw LoadError(file.path().string() + ": stale file: no port '" + port + "' in the ports registry");
    }
    auto part = parse(read_file(file.path().string()), port, file.path().string(), catalog);
    all.entries_.insert(all.entries_.end(), part.entries_.begin(), part.entries_.end());
  }
  return all;
}

const ExpectedFailure* ExpectedFailures::find(const std::string& scenario, const std::string& writer,
                                              const std::string& reader) const {
  for (const auto& entry : entries_) {
    if (!glob_match(entry.scenario, scenario)) continue;
    const bool as_writer = entry.port == writer && (entry.peer == "*" || entry.peer == reader);
    const bool as_reader = entry.port == reader && (entry.peer == "*" || entry.peer == writer);
    if ((entry.as != "reader" && as_writer) || (entry.as != "writer" && as_reader)) return &entry;
  }
  return nullptr;
}

void ExpectedFailures::apply(CellResult& result) const {
  if (result.outcome != Outcome::passed && result.outcome != Outcome::failed) return;
  const ExpectedFailure* entry = find(result.scenario, result.writer, result.reader);
  if (!entry) return;
  const std::string source = "scenarios/expected/" + entry->port + ".json";
  if (result.outcome == Outcome::failed) {
    result.outcome = Outcome::expected_failure;
    result.message = "expected failure (" + source + ": " + entry->reason + "): " + result.message;
  } else {
    result.outcome = Outcome::unexpected_pass;
    result.message = "unexpected pass: " + source + " lists this cell (" + entry->reason +
                     "), but it passed; remove or narrow the entry";
  }
}

}  // namespace zbh
