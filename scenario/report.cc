#include "scenario/report.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "scenario/svg_chart.h"

namespace ksim::scenario {
namespace {

using base::Json;

double Seconds(base::Duration d) {
  return std::chrono::duration<double>(d).count();
}

Json StatsJson(const TrafficStats& s) {
  return {{"requests", s.requests},
          {"failures", s.failures},
          {"successRatio", s.success_ratio},
          {"p50", FormatDuration(s.p50)},
          {"p90", FormatDuration(s.p90)},
          {"p99", FormatDuration(s.p99)},
          {"max", FormatDuration(s.max)}};
}

std::vector<ChartMarker> Markers(const Scenario& s, const RunResult& r) {
  std::vector<ChartMarker> m;
  for (size_t i = 0; i < s.steps.size() && i < r.steps.size(); ++i) {
    const Step& st = s.steps[i];
    if (!r.steps[i].started || st.kind == Step::Kind::kAssert ||
        st.kind == Step::Kind::kWait || st.kind == Step::Kind::kRun) {
      continue;
    }
    m.push_back({Seconds(r.steps[i].start), st.Describe()});
  }
  return m;
}

// Series keyed by name from the samples.
template <typename F>
std::vector<ChartSeries> FromSamples(const RunResult& r, F values) {
  std::map<std::string, ChartSeries> by_name;
  std::set<std::string> names;
  for (const Sample& s : r.samples) {
    for (const auto& [k, v] : values(s)) names.insert(k);
  }
  for (const Sample& s : r.samples) {
    auto vals = values(s);
    for (const auto& n : names) {
      auto it = vals.find(n);
      by_name[n].name = n;
      by_name[n].points.push_back(
          {Seconds(s.t), it == vals.end() ? 0.0 : static_cast<double>(it->second)});
    }
  }
  std::vector<ChartSeries> out;
  for (auto& [k, v] : by_name) out.push_back(std::move(v));
  return out;
}

// Requests, failures (per second) and latency percentiles (ms), in one
// second buckets of sending time.
void TrafficSeries(const RunResult& r, std::vector<ChartSeries>* rate,
                   std::vector<ChartSeries>* latency) {
  for (const auto& [name, outcomes] : r.traffic) {
    std::map<int64_t, std::vector<Outcome>> buckets;
    for (const Outcome& o : outcomes) {
      buckets[static_cast<int64_t>(std::floor(Seconds(o.sent)))].push_back(o);
    }
    ChartSeries req{name + " requests/s", {}}, fail{name + " failures/s", {}};
    ChartSeries p50{name + " p50", {}}, p99{name + " p99", {}};
    for (const auto& [sec, list] : buckets) {
      TrafficStats s = Summarize(list);
      double t = static_cast<double>(sec);
      req.points.push_back({t, static_cast<double>(s.requests)});
      fail.points.push_back({t, static_cast<double>(s.failures)});
      p50.points.push_back({t, Seconds(s.p50) * 1000});
      p99.points.push_back({t, Seconds(s.p99) * 1000});
    }
    rate->push_back(std::move(req));
    rate->push_back(std::move(fail));
    latency->push_back(std::move(p50));
    latency->push_back(std::move(p99));
  }
}

}  // namespace

Json SummaryJson(const Scenario& s, const RunResult& r) {
  Json j = {{"scenario", s.name},
            {"file", s.file},
            {"seed", r.seed},
            {"passed", r.passed},
            {"virtualSeconds", Seconds(r.end)},
            {"finalRevision", r.final_revision},
            {"podsByPhase", r.final_pods_by_phase}};
  if (!r.passed) {
    j["failure"] = r.failure;
    j["failureTime"] = FormatDuration(r.failure_time);
  }
  Json steps = Json::array();
  for (size_t i = 0; i < s.steps.size() && i < r.steps.size(); ++i) {
    Json st = {{"line", s.steps[i].line},
               {"kind", StepKindName(s.steps[i].kind)},
               {"description", s.steps[i].Describe()},
               {"started", r.steps[i].started}};
    if (!s.steps[i].name.empty()) st["name"] = s.steps[i].name;
    if (r.steps[i].started) st["start"] = Seconds(r.steps[i].start);
    if (r.steps[i].ended) st["end"] = Seconds(r.steps[i].end);
    if (!r.steps[i].error.empty()) st["error"] = r.steps[i].error;
    steps.push_back(std::move(st));
  }
  j["steps"] = std::move(steps);
  Json checks = Json::array();
  for (const CheckRecord& c : r.checks) {
    checks.push_back({{"line", c.check->line},
                      {"check", c.check->text},
                      {"ok", c.ok},
                      {"observed", c.observed},
                      {"t", Seconds(c.t)}});
  }
  j["assertions"] = std::move(checks);
  Json traffic = Json::object();
  for (const auto& [name, outcomes] : r.traffic) {
    traffic[name] = StatsJson(Summarize(outcomes));
  }
  j["traffic"] = std::move(traffic);
  return j;
}

std::string Verdict(const Scenario& s, const RunResult& r) {
  if (r.passed) {
    return "PASS " + s.file + ": " + std::to_string(r.checks.size()) +
           " assertions held over " + FormatDuration(r.end) +
           " of virtual time (seed " + std::to_string(r.seed) + ")";
  }
  return "FAIL " + s.file + " at t=" + FormatDuration(r.failure_time) + ": " +
         r.failure + "\n  reproduce: ksim scenario run " + s.file +
         " --seed " + std::to_string(r.seed);
}

std::string ReportHtml(const Scenario& s, const RunResult& r) {
  std::string title = s.name.empty() ? s.file : s.name;
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>ksim scenario: " + HtmlEscape(title) + "</title>\n<style>"
      "body{font-family:sans-serif;margin:24px;max-width:960px}"
      "table{border-collapse:collapse;margin:8px 0 20px}"
      "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;"
      "font-size:13px}.ok{color:#2a7d2a}.bad{color:#c62828;font-weight:bold}"
      ".banner{padding:10px;border-radius:4px;color:#fff}"
      "</style></head><body>\n";
  h += "<h1>" + HtmlEscape(title) + "</h1>\n";
  if (!s.description.empty()) h += "<p>" + HtmlEscape(s.description) + "</p>\n";
  h += std::string("<p class=\"banner\" style=\"background:") +
       (r.passed ? "#2a7d2a" : "#c62828") + "\">" + HtmlEscape(Verdict(s, r)) +
       "</p>\n";
  h += "<p>Seed " + std::to_string(r.seed) + " &middot; " +
       FormatDuration(r.end) + " of virtual time &middot; final revision " +
       std::to_string(r.final_revision) + "</p>\n";

  h += "<h2>Assertions</h2><table><tr><th>line</th><th>at</th><th>check</th>"
       "<th>observed</th><th></th></tr>\n";
  for (const CheckRecord& c : r.checks) {
    h += "<tr><td>" + std::to_string(c.check->line) + "</td><td>" +
         FormatDuration(c.t) + "</td><td>" + HtmlEscape(c.check->text) +
         "</td><td>" + HtmlEscape(c.observed) + "</td><td class=\"" +
         (c.ok ? "ok\">held" : "bad\">FAILED") + "</td></tr>\n";
  }
  h += "</table>\n";

  auto markers = Markers(s, r);
  double t_end = Seconds(r.end);
  h += "<h2>Charts</h2>\n";
  h += SvgLineChart("Pods by phase", "pods",
                    FromSamples(r, [](const Sample& x) { return x.pods_by_phase; }),
                    markers, t_end);
  h += SvgLineChart(
      "Ready endpoints per Service", "ready addresses",
      FromSamples(r, [](const Sample& x) { return x.ready_endpoints; }),
      markers, t_end);
  h += SvgLineChart("Nodes", "nodes",
                    FromSamples(r,
                                [](const Sample& x) {
                                  return std::map<std::string, int64_t>{
                                      {"Ready", x.nodes_ready},
                                      {"not Ready", x.nodes - x.nodes_ready}};
                                }),
                    markers, t_end);
  std::vector<ChartSeries> rate, latency;
  TrafficSeries(r, &rate, &latency);
  if (!rate.empty()) {
    h += SvgLineChart("Requests and failures per second", "per second", rate,
                      markers, t_end);
    h += SvgLineChart("Latency (by second sent)", "ms", latency, markers,
                      t_end);
  }

  h += "<h2>Steps</h2><table><tr><th>line</th><th>start</th><th>end</th>"
       "<th>step</th><th>error</th></tr>\n";
  for (size_t i = 0; i < s.steps.size() && i < r.steps.size(); ++i) {
    const StepRecord& st = r.steps[i];
    h += "<tr><td>" + std::to_string(s.steps[i].line) + "</td><td>" +
         (st.started ? FormatDuration(st.start) : "-") + "</td><td>" +
         (st.ended ? FormatDuration(st.end) : "-") + "</td><td>" +
         HtmlEscape(s.steps[i].Describe()) + "</td><td class=\"bad\">" +
         HtmlEscape(st.error) + "</td></tr>\n";
  }
  h += "</table>\n";
  if (!r.traffic.empty()) {
    h += "<h2>Traffic</h2><table><tr><th>name</th><th>requests</th>"
         "<th>failures</th><th>success</th><th>p50</th><th>p99</th>"
         "<th>max</th></tr>\n";
    for (const auto& [name, outcomes] : r.traffic) {
      TrafficStats t = Summarize(outcomes);
      char ratio[32];
      std::snprintf(ratio, sizeof ratio, "%.4f", t.success_ratio);
      h += "<tr><td>" + HtmlEscape(name) + "</td><td>" +
           std::to_string(t.requests) + "</td><td>" +
           std::to_string(t.failures) + "</td><td>" + ratio + "</td><td>" +
           FormatDuration(t.p50) + "</td><td>" + FormatDuration(t.p99) +
           "</td><td>" + FormatDuration(t.max) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  return h + "</body></html>\n";
}

}  // namespace ksim::scenario
