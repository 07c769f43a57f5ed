// Parsing of a scenario file: the top level, the cluster and the steps.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "scenario/parse_internal.h"

namespace ksim::scenario {
namespace {

using base::Json;
using base::Status;
using base::StatusOr;
using internal::ParseCheck;
using internal::ParseRef;

namespace fs = std::filesystem;

constexpr const char* kActions[] = {
    "apply", "delete",  "scale",    "patch",   "wait",    "assert", "fault",
    "heal",  "nodeDown", "nodeUp",  "killPod", "traffic", "run"};

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::NotFound("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class Parser {
 public:
  Parser(const std::string& file) : e_(file) {
    dir_ = fs::path(file).parent_path().string();
  }
  StatusOr<Scenario> Parse(std::string_view yaml);

 private:
  Status ParseTop(const YAML::Node& root, Scenario* s);
  Status CheckNames(const Scenario& s);
  Status ParseStep(const YAML::Node& n, Step* step);
  Status ParseAction(const std::string& key, const YAML::Node& v, Step* step);
  Status ParseWrite(const std::string& key, const YAML::Node& v, Step* step);
  Status ParseTraffic(const YAML::Node& v, TrafficSpec* t);

  YamlErrors e_;
  std::string dir_;
};

StatusOr<Scenario> Parser::Parse(std::string_view yaml) {
  KSIM_ASSIGN_OR_RETURN(auto docs,
                        LoadYamlDocuments(std::string(yaml), e_.file()));
  if (docs.size() != 1 || !docs[0].IsMap()) {
    return base::BadRequest(e_.file() +
                            ": a scenario is one YAML document, a map");
  }
  Scenario s;
  s.file = e_.file();
  KSIM_RETURN_IF_ERROR(ParseTop(docs[0], &s));
  return s;
}

Status Parser::ParseTop(const YAML::Node& root, Scenario* s) {
  KSIM_RETURN_IF_ERROR(e_.CheckKeys(
      root,
      {"name", "description", "seed", "cluster", "poll", "sample", "steps"},
      "the scenario"));
  if (root["name"]) {
    KSIM_ASSIGN_OR_RETURN(s->name, e_.String(root["name"], "name"));
  }
  if (root["description"]) {
    KSIM_ASSIGN_OR_RETURN(s->description,
                          e_.String(root["description"], "description"));
  }
  if (root["seed"]) {
    KSIM_ASSIGN_OR_RETURN(int64_t seed, e_.Int(root["seed"], "seed"));
    s->seed = static_cast<uint64_t>(seed);
  }
  if (root["poll"]) {
    KSIM_ASSIGN_OR_RETURN(s->poll, e_.Duration(root["poll"], "poll"));
  }
  if (root["sample"]) {
    KSIM_ASSIGN_OR_RETURN(s->sample, e_.Duration(root["sample"], "sample"));
    if (s->sample <= Duration::zero()) {
      return e_.At(root["sample"], "sample must be positive");
    }
  }
  if (const YAML::Node c = root["cluster"]) {
    if (!c.IsMap()) return e_.At(c, "cluster must be a map");
    auto config = cluster::ParseClusterConfig(YAML::Dump(c));
    if (!config.ok()) return e_.At(c, config.status().message());
    s->cluster = std::move(config).value();
  }
  const YAML::Node steps = root["steps"];
  if (!steps || !steps.IsSequence() || steps.size() == 0) {
    return e_.At(steps ? steps : root, "steps must be a non-empty list");
  }
  for (const auto& n : steps) {
    Step step;
    KSIM_RETURN_IF_ERROR(ParseStep(n, &step));
    s->steps.push_back(std::move(step));
  }
  return CheckNames(*s);
}

// Step names are unique; heal names an earlier fault or nodeDown step;
// traffic names are unique; elapsed checks name steps that exist.
Status Parser::CheckNames(const Scenario& s) {
  std::map<std::string, const Step*> steps;
  std::set<std::string> traffic;
  auto error = [&](const Step& st, const std::string& m) {
    return base::BadRequest(e_.file() + ":" + std::to_string(st.line) +
                            ": " + m);
  };
  for (const Step& st : s.steps) {
    if (!st.name.empty() && !steps.emplace(st.name, &st).second) {
      return error(st, "another step is named \"" + st.name + "\"");
    }
  }
  std::set<std::string> seen;
  for (const Step& st : s.steps) {
    if (st.kind == Step::Kind::kHeal) {
      auto it = steps.find(st.heal);
      if (it == steps.end() || !seen.count(st.heal) ||
          (it->second->kind != Step::Kind::kFault &&
           it->second->kind != Step::Kind::kNodeDown)) {
        return error(st, "heal names no earlier fault or nodeDown step \"" +
                             st.heal + "\"");
      }
    }
    if (st.kind == Step::Kind::kTraffic &&
        !traffic.insert(st.traffic.name).second) {
      return error(st, "another traffic is named \"" + st.traffic.name + "\"");
    }
    for (const Check& c : st.checks) {
      if (c.kind != Check::Kind::kElapsed) continue;
      for (const auto& n : {c.from_step, c.to_step}) {
        if (!steps.count(n)) {
          return base::BadRequest(e_.file() + ":" + std::to_string(c.line) +
                                  ": elapsed names no step \"" + n + "\"");
        }
      }
    }
    if (st.kind == Step::Kind::kAssert) {
      for (const Check& c : st.checks) {
        if (c.kind == Check::Kind::kTraffic && !traffic.count(c.traffic)) {
          return base::BadRequest(e_.file() + ":" + std::to_string(c.line) +
                                  ": no earlier traffic is named \"" +
                                  c.traffic + "\"");
        }
      }
    }
    if (!st.name.empty()) seen.insert(st.name);
  }
  return Status::Ok();
}

Status Parser::ParseStep(const YAML::Node& n, Step* step) {
  if (!n.IsMap()) return e_.At(n, "a step must be a map");
  step->line = LineOf(n);
  std::string action;
  for (const auto& kv : n) {
    std::string key = kv.first.Scalar();
    if (key == "name") {
      KSIM_ASSIGN_OR_RETURN(step->name, e_.String(kv.second, "name"));
    } else if (key == "at") {
      KSIM_ASSIGN_OR_RETURN(Duration at, e_.Duration(kv.second, "at"));
      step->at = at;
    } else if (key == "after") {
      KSIM_ASSIGN_OR_RETURN(step->after, e_.Duration(kv.second, "after"));
    } else if (std::find(std::begin(kActions), std::end(kActions), key) !=
               std::end(kActions)) {
      if (!action.empty()) {
        return e_.At(kv.first, "a step has one action; this one has " +
                                   action + " and " + key);
      }
      action = key;
      KSIM_RETURN_IF_ERROR(ParseAction(key, kv.second, step));
    } else {
      return e_.At(kv.first,
                   "unknown field \"" + key +
                       "\" in a step (actions: apply, delete, scale, patch, "
                       "wait, assert, fault, heal, nodeDown, nodeUp, killPod, "
                       "traffic, run)");
    }
  }
  if (action.empty()) return e_.At(n, "the step has no action");
  if (step->at && n["after"]) {
    return e_.At(n["after"], "a step has either at or after, not both");
  }
  return Status::Ok();
}

Status Parser::ParseAction(const std::string& key, const YAML::Node& v,
                           Step* step) {
  if (key == "apply") {
    step->kind = Step::Kind::kApply;
    return internal::ParseApply(e_, dir_, v, step);
  }
  if (key == "delete" || key == "scale" || key == "patch" ||
      key == "killPod") {
    return ParseWrite(key, v, step);
  }
  if (key == "wait") {
    step->kind = Step::Kind::kWait;
    if (!v.IsMap()) return e_.At(v, "wait must be a map of checks");
    for (const auto& kv : v) {
      std::string k = kv.first.Scalar();
      if (k == "timeout") {
        KSIM_ASSIGN_OR_RETURN(step->timeout, e_.Duration(kv.second, k));
      } else if (k == "poll") {
        KSIM_ASSIGN_OR_RETURN(Duration p, e_.Duration(kv.second, k));
        step->poll = p;
      } else {
        if (!internal::IsCheckKey(k)) {
          return e_.At(kv.first, "unknown check \"" + k + "\" in wait");
        }
        YAML::Node check(YAML::NodeType::Map);
        check.force_insert(kv.first, kv.second);
        KSIM_ASSIGN_OR_RETURN(Check c, ParseCheck(e_, check, true));
        step->checks.push_back(std::move(c));
      }
    }
    if (step->checks.empty()) return e_.At(v, "wait needs a check");
    return Status::Ok();
  }
  if (key == "assert") {
    step->kind = Step::Kind::kAssert;
    if (v.IsMap()) {
      KSIM_ASSIGN_OR_RETURN(Check c, ParseCheck(e_, v, false));
      step->checks.push_back(std::move(c));
      return Status::Ok();
    }
    if (!v.IsSequence() || v.size() == 0) {
      return e_.At(v, "assert must be a check or a list of checks");
    }
    for (const auto& c : v) {
      KSIM_ASSIGN_OR_RETURN(Check check, ParseCheck(e_, c, false));
      step->checks.push_back(std::move(check));
    }
    return Status::Ok();
  }
  if (key == "fault") {
    step->kind = Step::Kind::kFault;
    if (!v.IsMap() || !v["kind"]) {
      return e_.At(v, "fault must be a map with a kind (NodeDown, "
                      "Partition, Latency, Loss)");
    }
    step->fault = YamlToJson(v);
    return Status::Ok();
  }
  if (key == "heal") {
    step->kind = Step::Kind::kHeal;
    KSIM_ASSIGN_OR_RETURN(step->heal, e_.String(v, "heal"));
    return Status::Ok();
  }
  if (key == "nodeDown" || key == "nodeUp") {
    step->kind = key == "nodeDown" ? Step::Kind::kNodeDown
                                   : Step::Kind::kNodeUp;
    KSIM_ASSIGN_OR_RETURN(step->node, e_.String(v, key));
    return Status::Ok();
  }
  if (key == "traffic") {
    step->kind = Step::Kind::kTraffic;
    return ParseTraffic(v, &step->traffic);
  }
  step->kind = Step::Kind::kRun;  // run: 30s
  KSIM_ASSIGN_OR_RETURN(step->run, e_.Duration(v, "run"));
  return Status::Ok();
}

Status Parser::ParseWrite(const std::string& key, const YAML::Node& v,
                          Step* step) {
  if (key == "delete") {
    step->kind = Step::Kind::kDelete;
    KSIM_RETURN_IF_ERROR(e_.CheckKeys(
        v,
        {"kind", "apiVersion", "name", "namespace", "selector",
         "fieldSelector", "grace"},
        "delete"));
    KSIM_ASSIGN_OR_RETURN(step->target, ParseRef(e_, v, "", true));
    if (v["grace"]) {
      KSIM_ASSIGN_OR_RETURN(int64_t g, e_.Int(v["grace"], "grace"));
      step->grace_seconds = g;
    }
  } else if (key == "scale") {
    step->kind = Step::Kind::kScale;
    KSIM_RETURN_IF_ERROR(e_.CheckKeys(
        v, {"kind", "apiVersion", "name", "namespace", "replicas"}, "scale"));
    KSIM_ASSIGN_OR_RETURN(step->target, ParseRef(e_, v, "Deployment", true));
    if (!v["replicas"]) return e_.At(v, "scale needs replicas");
    KSIM_ASSIGN_OR_RETURN(step->replicas, e_.Int(v["replicas"], "replicas"));
  } else if (key == "patch") {
    step->kind = Step::Kind::kPatch;
    KSIM_RETURN_IF_ERROR(e_.CheckKeys(
        v, {"kind", "apiVersion", "name", "namespace", "type", "patch"},
        "patch"));
    KSIM_ASSIGN_OR_RETURN(step->target, ParseRef(e_, v, "", true));
    if (step->target.name.empty()) return e_.At(v, "patch needs a name");
    if (!v["patch"]) return e_.At(v, "patch needs a patch");
    step->patch = YamlToJson(v["patch"]);
    std::string type = "strategic";
    if (v["type"]) {
      KSIM_ASSIGN_OR_RETURN(type, e_.String(v["type"], "type"));
    }
    if (type == "strategic") {
      step->patch_type = client::PatchType::kStrategicMerge;
    } else if (type == "merge") {
      step->patch_type = client::PatchType::kMerge;
    } else if (type == "json") {
      step->patch_type = client::PatchType::kJson;
    } else {
      return e_.At(v["type"], "type is strategic, merge or json");
    }
  } else {  // killPod
    step->kind = Step::Kind::kKillPod;
    KSIM_RETURN_IF_ERROR(e_.CheckKeys(
        v, {"name", "namespace", "selector", "fieldSelector", "count"},
        "killPod"));
    KSIM_ASSIGN_OR_RETURN(step->target, ParseRef(e_, v, "Pod", true));
    if (v["count"]) {
      KSIM_ASSIGN_OR_RETURN(step->count, e_.Int(v["count"], "count"));
    }
  }
  return Status::Ok();
}

Status Parser::ParseTraffic(const YAML::Node& v, TrafficSpec* t) {
  KSIM_RETURN_IF_ERROR(e_.CheckKeys(
      v, {"name", "url", "from", "method", "rate", "duration", "timeout"},
      "traffic"));
  if (!v["name"] || !v["url"]) return e_.At(v, "traffic needs name and url");
  KSIM_ASSIGN_OR_RETURN(t->name, e_.String(v["name"], "name"));
  KSIM_ASSIGN_OR_RETURN(t->url, e_.String(v["url"], "url"));
  if (v["from"]) {
    KSIM_ASSIGN_OR_RETURN(t->source, e_.String(v["from"], "from"));
  }
  if (v["method"]) {
    KSIM_ASSIGN_OR_RETURN(t->method, e_.String(v["method"], "method"));
  }
  if (v["rate"]) {
    KSIM_ASSIGN_OR_RETURN(t->rate, e_.Number(v["rate"], "rate"));
    if (t->rate <= 0 || t->rate > 100000) {
      return e_.At(v["rate"], "rate must be in (0, 100000] requests/s");
    }
  }
  if (v["duration"]) {
    KSIM_ASSIGN_OR_RETURN(t->duration, e_.Duration(v["duration"], "duration"));
  }
  if (v["timeout"]) {
    KSIM_ASSIGN_OR_RETURN(t->timeout, e_.Duration(v["timeout"], "timeout"));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Scenario> ParseScenario(std::string_view yaml,
                                 const std::string& file) {
  Parser p(file);
  return p.Parse(yaml);
}

StatusOr<Scenario> LoadScenario(const std::string& path) {
  KSIM_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseScenario(text, path);
}

}  // namespace ksim::scenario
