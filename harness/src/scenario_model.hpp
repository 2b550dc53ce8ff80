// The in-memory form of a scenario file: what the loader produces and the runner executes.
// docs/scenarios.md is the normative description of the JSON format.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace zbh {

using json = nlohmann::json;

// What a call or an await expects from the serve's answer.
struct Expectation {
  std::optional<json> result;             // subset match on the result object
  std::optional<std::string> error_kind;  // data.kind of a -32000 error
  std::optional<json> error_data;         // subset match on the error's data
  std::optional<double> within_ms;        // upper bound on the call's duration
  std::optional<double> at_least_ms;      // lower bound on the call's duration
  std::optional<json> reply;              // raw/send steps: subset match on the whole response

  bool expects_error() const { return error_kind.has_value(); }
};

enum class StepType {
  call,     // {"role", "call", "args"?, expectations, "async"?, "as"?}
  await,    // {"await": handle, expectations, "as"?}
  pending,  // {"pending": handle, "forMs"}
  action,   // {"do": start|kill|sleep|corrupt|fabricateStale|unlink|writeLockPid|createObject|setEnv|isolatePids|runAs, ...}
  check,    // {"check": oieb|bytes|frame|objectSize|noLeaks|present|mode|alive, ...}
  repeat,   // {"repeat": n, "steps": [...]}
  raw,      // {"role", "raw": line | "send": value, "expectReply": {...}}: the serve protocol itself
};

struct Step {
  StepType type = StepType::call;
  std::string where;  // "step 4" or "step 3.2" (inside a repeat), for messages
  json source;        // the step as written, for logs
  std::optional<int> deadline_ms;

  // call
  std::string role;
  std::string method;
  json args = json::object();
  std::string async_handle;  // non-empty: send without waiting
  std::string save_as;       // keep the result as ${save_as.key} for later steps

  // call / await / raw
  Expectation expect;

  // raw: the line as written ("raw", is_text) or a JSON value sent as one line ("send")
  json raw_line;
  bool raw_is_text = false;

  // await / pending
  std::string handle;
  int for_ms = 0;

  // action / check: the verb and its validated parameters (the step object itself)
  std::string verb;
  json params = json::object();

  // repeat
  int times = 0;
  std::vector<Step> body;
};

struct Scenario {
  std::string id;
  std::string title;
  std::string tier;  // "required" or "extended"
  std::vector<std::string> needs;
  std::vector<std::string> covers;  // rule ids of docs/protocol.md and docs/serve-protocol.md
  std::vector<std::string> roles;  // started (in parallel) before the first step
  std::vector<Step> steps;
  int timeout_ms = 0;      // budget for the whole test
  bool exclusive = false;  // uses literal buffer names: never run two at once
  std::string file;        // where it was loaded from
};

// Closed vocabularies shared by the loader, the runner and the docs.
namespace vocab {

// Serve methods and the argument keys each accepts.
const std::vector<std::pair<std::string, std::vector<std::string>>>& methods();
bool is_method(const std::string& name);
const std::vector<std::string>* method_args(const std::string& name);

const std::vector<std::string>& error_kinds();
bool is_error_kind(const std::string& kind);

// Capability -> the side ("reader" or "writer") whose serve must offer it.
const std::vector<std::pair<std::string, std::string>>& capabilities();
std::optional<std::string> capability_side(const std::string& capability);

// Role names: "reader", "writer", optionally followed by digits ("reader2").
bool is_role(const std::string& role);
// "reader" or "writer": which language of the pair runs the role.
std::string role_side(const std::string& role);

}  // namespace vocab

constexpr int kDefaultStepDeadlineMs = 10000;
constexpr int kDefaultRequiredTimeoutMs = 60000;
constexpr int kDefaultExtendedTimeoutMs = 240000;

}  // namespace zbh
