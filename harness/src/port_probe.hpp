// Talking to a port outside any cell: its hello (certify, smoke) and advice for the mistakes
// port authors usually make, keyed by what a failure message says.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ports.hpp"

namespace zbh {

using json = nlohmann::json;

struct HelloProbe {
  std::optional<json> result;  // the hello result, when one came back
  std::string problem;         // otherwise: what went wrong, with the serve's stderr
};

// Starts the port's serve, asks hello, closes its stdin and waits for it to exit.
HelloProbe probe_hello(const Port& port, std::chrono::milliseconds deadline);

// What is wrong with a hello result (empty when nothing is).
std::vector<std::string> hello_problems(const json& result);

// The capabilities a hello result announces.
std::vector<std::string> announced(const json& hello_result);

// One line of advice per usual mistake that `message` (a failure or probe problem) shows.
std::vector<std::string> advice_for(const std::string& message);

}  // namespace zbh
