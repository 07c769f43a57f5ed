#include "scenario/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ksim::scenario {
namespace {

constexpr double kWidth = 900, kHeight = 280;
constexpr double kLeft = 60, kRight = 180, kTop = 30, kBottom = 40;
constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                   "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                   "#bcbd22", "#17becf", "#393b79", "#637939"};

std::string Fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// A round step giving about `n` ticks over [0, max].
double NiceStep(double max, int n) {
  if (max <= 0) return 1;
  double raw = max / n;
  double mag = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * mag) return m * mag;
  }
  return 10 * mag;
}

std::string TimeLabel(double s) {
  if (s >= 3600 && std::fmod(s, 60) == 0) {
    return Label(std::floor(s / 3600)) + "h" + Label(std::fmod(s / 60, 60)) + "m";
  }
  if (s >= 60 && std::fmod(s, 60) == 0) return Label(s / 60) + "m";
  return Label(s) + "s";
}

}  // namespace

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string SvgLineChart(const std::string& title, const std::string& unit,
                         const std::vector<ChartSeries>& series,
                         const std::vector<ChartMarker>& markers,
                         double t_end) {
  double y_max = 0;
  for (const auto& s : series) {
    for (const auto& [t, v] : s.points) y_max = std::max(y_max, v);
  }
  double y_step = NiceStep(y_max, 4);
  y_max = std::max(y_step, std::ceil(y_max / y_step) * y_step);
  double t_step = NiceStep(t_end, 8);
  t_end = std::max(t_end, 1e-9);
  double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  auto X = [&](double t) { return kLeft + pw * std::clamp(t / t_end, 0.0, 1.0); };
  auto Y = [&](double v) { return kTop + ph * (1 - v / y_max); };

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    Fmt(kWidth) + "\" height=\"" + Fmt(kHeight) +
                    "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  svg += "<text x=\"" + Fmt(kLeft) + "\" y=\"18\" font-size=\"14\" "
         "font-weight=\"bold\">" + HtmlEscape(title) + "</text>\n";
  for (double v = 0; v <= y_max + 1e-9; v += y_step) {
    svg += "<line x1=\"" + Fmt(kLeft) + "\" x2=\"" + Fmt(kLeft + pw) +
           "\" y1=\"" + Fmt(Y(v)) + "\" y2=\"" + Fmt(Y(v)) +
           "\" stroke=\"#ddd\"/><text x=\"" + Fmt(kLeft - 6) + "\" y=\"" +
           Fmt(Y(v) + 4) + "\" text-anchor=\"end\">" + Label(v) +
           "</text>\n";
  }
  for (double t = 0; t <= t_end + 1e-9; t += t_step) {
    svg += "<line x1=\"" + Fmt(X(t)) + "\" x2=\"" + Fmt(X(t)) + "\" y1=\"" +
           Fmt(kTop + ph) + "\" y2=\"" + Fmt(kTop + ph + 4) +
           "\" stroke=\"#333\"/><text x=\"" + Fmt(X(t)) + "\" y=\"" +
           Fmt(kTop + ph + 16) + "\" text-anchor=\"middle\">" +
           TimeLabel(t) + "</text>\n";
  }
  svg += "<text x=\"" + Fmt(kLeft + pw / 2) + "\" y=\"" + Fmt(kHeight - 4) +
         "\" text-anchor=\"middle\">virtual time</text>\n";
  svg += "<text x=\"12\" y=\"" + Fmt(kTop + ph / 2) +
         "\" transform=\"rotate(-90 12 " + Fmt(kTop + ph / 2) +
         ")\" text-anchor=\"middle\">" + HtmlEscape(unit) + "</text>\n";
  svg += "<rect x=\"" + Fmt(kLeft) + "\" y=\"" + Fmt(kTop) + "\" width=\"" +
         Fmt(pw) + "\" height=\"" + Fmt(ph) +
         "\" fill=\"none\" stroke=\"#333\"/>\n";
  for (const auto& m : markers) {
    svg += "<line x1=\"" + Fmt(X(m.t)) + "\" x2=\"" + Fmt(X(m.t)) +
           "\" y1=\"" + Fmt(kTop) + "\" y2=\"" + Fmt(kTop + ph) +
           "\" stroke=\"#999\" stroke-dasharray=\"3,3\"><title>" +
           HtmlEscape(m.label) + " at " + TimeLabel(m.t) +
           "</title></line>\n";
  }
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    const char* color = kColors[i % std::size(kColors)];
    std::string pts;
    double prev_y = 0;
    bool first = true;
    for (const auto& [t, v] : s.points) {
      // Steps: the value holds until the next sample.
      if (!first) pts += Fmt(X(t)) + "," + Fmt(prev_y) + " ";
      pts += Fmt(X(t)) + "," + Fmt(Y(v)) + " ";
      prev_y = Y(v);
      first = false;
    }
    svg += "<polyline fill=\"none\" stroke=\"" + std::string(color) +
           "\" stroke-width=\"1.5\" points=\"" + pts + "\"><title>" +
           HtmlEscape(s.name) + "</title></polyline>\n";
    double ly = kTop + 12 + 15 * static_cast<double>(i);
    svg += "<rect x=\"" + Fmt(kLeft + pw + 12) + "\" y=\"" + Fmt(ly - 8) +
           "\" width=\"10\" height=\"10\" fill=\"" + color + "\"/><text x=\"" +
           Fmt(kLeft + pw + 26) + "\" y=\"" + Fmt(ly + 1) + "\">" +
           HtmlEscape(s.name) + "</text>\n";
  }
  return svg + "</svg>\n";
}

}  // namespace ksim::scenario
