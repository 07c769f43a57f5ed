#include "scenario/replay.h"

#include <atomic>
#include <fstream>
#include <set>

#include "apiserver/http_record.h"
#include "cluster/cluster.h"

namespace ksim::scenario {
namespace {

using base::Json;

struct Recording {
  uint64_t seed = 1;
  base::Time start{};
  std::vector<Json> requests;
  std::optional<Json> final_state;
};

base::StatusOr<Recording> Load(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return base::NotFound("cannot read " + file);
  Recording r;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    auto j = base::ParseJson(line);
    if (!j.ok() || !j->is_object()) {
      return base::BadRequest(file + ":" + std::to_string(n) +
                              ": not a JSON object");
    }
    if (n == 1) {
      if (!j->contains("ksimRecord")) {
        return base::BadRequest(file + ": not a ksim recording (ksim up "
                                       "--record FILE writes one)");
      }
      r.seed = j->value("seed", uint64_t{1});
      auto t = base::ParseRfc3339(j->value("start", ""));
      if (t) r.start = *t;
    } else if (j->contains("final")) {
      r.final_state = (*j)["final"];
    } else {
      r.requests.push_back(std::move(*j));
    }
  }
  return r;
}

}  // namespace

std::vector<std::string> CompareStates(const Json& want, const Json& got,
                                       size_t max) {
  std::vector<std::string> d;
  for (const auto& [k, v] : want.items()) {
    if (d.size() >= max) return d;
    if (!got.contains(k)) {
      d.push_back("missing " + k);
    } else if (got[k] != v) {
      std::string ops;
      for (const Json& op : Json::diff(v, got[k])) {
        if (!ops.empty()) ops += ", ";
        ops += op.value("op", "") + " " + op.value("path", "");
      }
      d.push_back(k + ": " + ops);
    }
  }
  for (const auto& [k, v] : got.items()) {
    if (d.size() >= max) return d;
    if (!want.contains(k)) d.push_back("extra " + k);
  }
  return d;
}

base::StatusOr<ReplayResult> Replay(const std::string& file,
                                    const ReplayOptions& options) {
  KSIM_ASSIGN_OR_RETURN(Recording rec, Load(file));
  cluster::ClusterOptions co;
  co.virtual_time = true;
  co.seed = options.seed.value_or(rec.seed);
  co.config = options.cluster;
  if (rec.start != base::Time{}) co.start_time = rec.start;
  KSIM_ASSIGN_OR_RETURN(auto c, cluster::Cluster::Create(co));
  KSIM_RETURN_IF_ERROR(c->Start());
  apiserver::ControlPlane* cp = c->control_plane();
  std::atomic<bool> stopping{false}, ready{true};
  apiserver::HttpContext ctx;
  ctx.registry = cp->registry();
  ctx.clock = &c->clock();
  ctx.rng = cp->rng();
  ctx.kube_version = "1.32";
  ctx.server_address = "127.0.0.1:6443";
  ctx.stopping = &stopping;
  ctx.ready = &ready;
  ctx.pod_logs = c->pod_logs();

  base::EventLoop* loop = c->loop();
  base::Time start = loop->Now();
  ReplayResult result;
  std::set<std::string> prefixes;
  for (const Json& r : rec.requests) {
    auto at = start + std::chrono::duration_cast<base::Duration>(
                          std::chrono::duration<double>(r.value("t", 0.0)));
    loop->RunUntil(at);
    int code = apiserver::ReplayRequest(ctx, r);
    ++result.requests;
    int want = r.value("code", 0);
    if (want < 400) {
      std::string p = apiserver::PrefixOfPath(r.value("path", ""));
      if (!p.empty()) prefixes.insert(p);
    }
    if (code != want) {
      result.code_mismatches.push_back(
          r.value("method", "") + " " + r.value("path", "") + ": " +
          std::to_string(code) + ", recorded " + std::to_string(want));
    }
  }
  loop->RunFor(options.settle);
  result.end = loop->Now() - start;
  result.final_state =
      apiserver::NormalizedState(cp->store(), prefixes);
  if (rec.final_state) {
    result.has_expected = true;
    result.differences = CompareStates(*rec.final_state, result.final_state, 20);
  }
  return result;
}

}  // namespace ksim::scenario
