#include "scenario/scenario.h"

#include <cstdio>

namespace ksim::scenario {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

bool Bound::Holds(double v) const {
  if (equals && v != *equals) return false;
  if (min && v < *min) return false;
  if (max && v > *max) return false;
  return true;
}

std::string Bound::ToString() const {
  if (equals) return "== " + Num(*equals);
  if (min && max) return "in [" + Num(*min) + ", " + Num(*max) + "]";
  if (min) return ">= " + Num(*min);
  if (max) return "<= " + Num(*max);
  return "any";
}

const char* StepKindName(Step::Kind k) {
  switch (k) {
    case Step::Kind::kApply: return "apply";
    case Step::Kind::kDelete: return "delete";
    case Step::Kind::kScale: return "scale";
    case Step::Kind::kPatch: return "patch";
    case Step::Kind::kWait: return "wait";
    case Step::Kind::kAssert: return "assert";
    case Step::Kind::kFault: return "fault";
    case Step::Kind::kHeal: return "heal";
    case Step::Kind::kNodeDown: return "nodeDown";
    case Step::Kind::kNodeUp: return "nodeUp";
    case Step::Kind::kKillPod: return "killPod";
    case Step::Kind::kTraffic: return "traffic";
    case Step::Kind::kRun: return "run";
  }
  return "?";
}

std::string Step::Describe() const {
  std::string s = "line " + std::to_string(line) + ": " + StepKindName(kind);
  if (!name.empty()) s += " \"" + name + "\"";
  switch (kind) {
    case Kind::kApply:
      s += " (" + std::to_string(manifests.size()) + " manifest" +
           (manifests.size() == 1 ? ")" : "s)");
      break;
    case Kind::kDelete:
    case Kind::kScale:
    case Kind::kPatch:
    case Kind::kKillPod:
      s += " " + target.resource.resource + " " +
           (target.name.empty() ? "-l " + target.selector : target.name);
      break;
    case Kind::kNodeDown:
    case Kind::kNodeUp:
      s += " " + node;
      break;
    case Kind::kTraffic:
      s += " " + traffic.name + " " + traffic.url;
      break;
    case Kind::kWait:
      for (const auto& c : checks) s += " " + c.text;
      break;
    default:
      break;
  }
  return s;
}

std::string FormatDuration(Duration d) {
  int64_t ns = d.count();
  std::string sign = ns < 0 ? "-" : "";
  if (ns < 0) ns = -ns;
  if (ns == 0) return "0s";
  if (ns < 1'000'000'000) {
    return sign + Num(static_cast<double>(ns) / 1e6) + "ms";
  }
  int64_t h = ns / 3'600'000'000'000;
  int64_t m = ns / 60'000'000'000 % 60;
  double s = static_cast<double>(ns % 60'000'000'000) / 1e9;
  std::string out = sign;
  if (h) out += std::to_string(h) + "h";
  if (h || m) out += std::to_string(m) + "m";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", s);
  return out + buf + "s";
}

}  // namespace ksim::scenario
