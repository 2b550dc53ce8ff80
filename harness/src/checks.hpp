// The harness's judgements: a serve's answer against the step's expectations (result or error,
// its own verdict on what a reader reports, timing), and the shared-memory checks of `check`
// steps. Each throws StepFailure (cell_log.hpp) naming every deviation.
#pragma once

#include "matcher.hpp"
#include "read_verdict.hpp"
#include "scenario_model.hpp"
#include "serve_session.hpp"

#include <string>

namespace zbh {

// `value` with its placeholders resolved; an unresolvable one fails the step.
json resolved(const json& value, const Bindings& bindings);

// Checks `answer` to `method` (sent `measured_ms` before it came back) against step.expect.
// The answer's judged values (read_verdict.hpp) are added to it.
void check_answer(const Step& step, Answer& answer, double measured_ms, const std::string& method,
                  const PatternCheck& check, const Bindings& bindings);

// A shared-memory check step (every verb but `alive`, which asks a serve) on buffer `name`.
void check_shared_memory(const Step& step, const std::string& name, const std::string& lock_dir,
                         const Bindings& bindings);

}  // namespace zbh
