// What a scenario run writes with --report DIR: summary.json (the result
// as data) and report.html (one self-contained page: inline SVG charts over
// virtual time — pods by phase, ready endpoints per Service, Ready nodes,
// requests and failures per second, latency — the assertions and the
// steps; no script, no network). The trace (trace.jsonl) is written while
// the run goes, by the Recorder.
//
// Thread-safety: pure functions of their arguments.
#ifndef KSIM_SCENARIO_REPORT_H_
#define KSIM_SCENARIO_REPORT_H_

#include <string>

#include "base/json.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace ksim::scenario {

base::Json SummaryJson(const Scenario& s, const RunResult& r);
std::string ReportHtml(const Scenario& s, const RunResult& r);

// The one-line verdict printed on the terminal ("PASS ..." or "FAIL at
// t=...: ... (reproduce: ksim scenario run FILE --seed N)").
std::string Verdict(const Scenario& s, const RunResult& r);

}  // namespace ksim::scenario

#endif  // KSIM_SCENARIO_REPORT_H_
