// ksim_api_bench: create and get throughput, and list latency.
#include <cstdio>
#include <mutex>
#include <random>

#include "bench/api_load.h"

namespace ksim::bench {
namespace {

std::string PodsPath(const std::string& ns) {
  return "/api/v1/namespaces/" + ns + "/pods";
}

// What kubectl get sends (1.27+): a v1 Table, else v1beta1, else JSON.
const char kTableAccept[] =
    "application/json;as=Table;v=v1;g=meta.k8s.io,"
    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

// Creates pods named prefix-<ticket> with `clients` workers; the names
// created are appended to `names`.
PhaseResult CreatePods(const Context& ctx, const std::string& ns,
                       const std::string& prefix, int clients, double seconds,
                       int64_t max_ops, std::vector<std::string>* names) {
  PodTemplate pod(ns);
  std::string path = PodsPath(ns);
  std::mutex mu;
  PhaseResult r;
  r.name = "create pod";
  r.key = "create_c" + std::to_string(clients);
  RunClients(
      ctx.url, clients, seconds, max_ops, ctx.server_pid,
      [&](int, int64_t ticket, httplib::Client& c) {
        std::string name = prefix + "-" + std::to_string(ticket);
        auto res = c.Post(path, pod.Body(name), "application/json");
        if (!res || res->status != 201) {
          ReportFailure("POST " + path, res);
          return false;
        }
        std::lock_guard<std::mutex> l(mu);
        names->push_back(name);
        return true;
      },
      &r);
  r.extra["request_bytes"] = pod.Body(prefix + "-0").size();
  return r;
}

PhaseResult GetPods(const Context& ctx, const std::string& ns,
                    const std::vector<std::string>& names, int clients) {
  std::string path = PodsPath(ns) + "/";
  std::vector<std::minstd_rand> rngs;
  for (int w = 0; w < clients; ++w) rngs.emplace_back(w + 1);
  PhaseResult r;
  r.name = "get pod";
  r.key = "get_c" + std::to_string(clients);
  RunClients(
      ctx.url, clients, ctx.options.duration, ctx.options.max_ops,
      ctx.server_pid,
      [&](int w, int64_t, httplib::Client& c) {
        const std::string& name = names[rngs[w]() % names.size()];
        auto res = c.Get(path + name);
        if (!res || res->status != 200) {
          ReportFailure("GET " + path + name, res);
          return false;
        }
        return true;
      },
      &r);
  r.extra["objects"] = names.size();
  return r;
}

// Number of items (JSON) or rows (Table) in a list answer, -1 if it is not
// the expected kind.
int64_t CountItems(const std::string& body, bool table) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return -1;
  if (table) {
    if (j.value("kind", "") != "Table" || !j["rows"].is_array()) return -1;
    return static_cast<int64_t>(j["rows"].size());
  }
  if (j.value("kind", "") != "PodList" || !j["items"].is_array()) return -1;
  return static_cast<int64_t>(j["items"].size());
}

// `runs` full lists of namespace `ns` (no limit), one at a time.
PhaseResult ListPods(const Context& ctx, const std::string& ns, bool table,
                     int64_t expected) {
  auto c = NewClient(ctx.url, 120);
  httplib::Headers headers = {
      {"Accept", table ? kTableAccept : "application/json"}};
  PhaseResult r;
  r.name = table ? "list pods (Table)" : "list pods (JSON)";
  r.key = table ? "list_table" : "list_json";
  r.clients = 1;
  std::string path = PodsPath(ns);
  auto deadline = SteadyClock::now() + std::chrono::seconds(120);
  Meter meter(ctx.server_pid);
  for (int i = 0; i < ctx.options.list_runs && SteadyClock::now() < deadline;
       ++i) {
    int64_t start = NowNs();
    auto res = c->Get(path, headers);
    r.latency.Add(NowNs() - start);
    if (!res || res->status != 200) {
      ReportFailure("GET " + path, res);
      ++r.errors;
      continue;
    }
    ++r.ops;
    if (i == 0) {  // checked outside the timed request
      int64_t n = CountItems(res->body, table);
      r.extra["items"] = n;
      r.extra["response_bytes"] = res->body.size();
      if (n != expected) {
        std::fprintf(stderr, "list %s: %lld items, expected %lld\n",
                     r.name.c_str(), static_cast<long long>(n),
                     static_cast<long long>(expected));
        ++r.errors;
      }
    }
  }
  meter.Finish(&r);
  return r;
}

}  // namespace

bool RunCreateGet(const Context& ctx, bool creates, bool gets,
                  std::vector<PhaseResult>* out) {
  const Options& o = ctx.options;
  std::string ns = "bench-" + ctx.run_id + "-rw";
  auto admin = NewClient(ctx.url);
  if (!CreateNamespace(*admin, ns)) return false;
  std::vector<std::string> names;
  if (creates) {
    for (int clients : {1, o.clients}) {
      out->push_back(CreatePods(ctx, ns, "c" + std::to_string(clients), clients,
                                o.duration, o.max_ops, &names));
    }
  } else {  // the gets still need objects to read
    out->push_back(CreatePods(ctx, ns, "g", o.clients, 300, 1000, &names));
    out->back().name = "create pod (get setup)";
    out->back().key = "get_setup";
  }
  if (names.empty()) return false;
  auto got = admin->Get(PodsPath(ns) + "/" + names[0]);
  if (got && got->status == 200) {
    out->back().extra["stored_bytes"] = got->body.size();
  }
  for (int clients : {1, o.clients}) {
    if (gets) out->push_back(GetPods(ctx, ns, names, clients));
  }
  return true;
}

bool RunList(const Context& ctx, std::vector<PhaseResult>* out) {
  const Options& o = ctx.options;
  std::string ns = "bench-" + ctx.run_id + "-list";
  auto admin = NewClient(ctx.url);
  if (!CreateNamespace(*admin, ns)) return false;
  std::vector<std::string> names;
  // Filling the namespace is bounded by count, not by the phase duration.
  PhaseResult fill =
      CreatePods(ctx, ns, "l", o.clients, 300, o.list_pods, &names);
  fill.name = "create pod (list setup)";
  fill.key = "list_setup";
  out->push_back(fill);
  if (static_cast<int>(names.size()) != o.list_pods) {
    std::fprintf(stderr, "list setup created %zu of %d pods\n", names.size(),
                 o.list_pods);
    return false;
  }
  for (bool table : {false, true}) {
    out->push_back(ListPods(ctx, ns, table, o.list_pods));
  }
  return true;
}

}  // namespace ksim::bench
