// Loads and validates scenario files. Everything a runner could trip over later (an unknown
// method, role, field, error kind, capability, OIEB field, an await of a handle that was never
// started ...) is rejected here, with the file and scenario id, before anything runs.
#pragma once

#include "scenario_model.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace zbh {

class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One file's text. `file` is only used in messages and Scenario::file.
std::vector<Scenario> load_scenarios_from_text(const std::string& text, const std::string& file);

std::vector<Scenario> load_scenario_file(const std::string& path);

// Every *.json directly inside `dir` except ports.json, in name order. Duplicate ids across
// files are an error.
std::vector<Scenario> load_scenario_dir(const std::string& dir);

}  // namespace zbh
