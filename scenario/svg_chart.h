// A small line chart in inline SVG for report.html: step lines over
// virtual time, axes with round ticks, a legend, and markers at step times.
//
// Thread-safety: pure functions.
#ifndef KSIM_SCENARIO_SVG_CHART_H_
#define KSIM_SCENARIO_SVG_CHART_H_

#include <string>
#include <utility>
#include <vector>

namespace ksim::scenario {

struct ChartSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (seconds, value)
};

struct ChartMarker {
  double t = 0;       // seconds
  std::string label;  // "nodeDown k8s-node-1"
};

std::string SvgLineChart(const std::string& title, const std::string& unit,
                         const std::vector<ChartSeries>& series,
                         const std::vector<ChartMarker>& markers,
                         double t_end);

// &, <, >, " escaped for HTML text and attributes.
std::string HtmlEscape(const std::string& s);

}  // namespace ksim::scenario

#endif  // KSIM_SCENARIO_SVG_CHART_H_
