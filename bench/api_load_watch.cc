// ksim_api_bench: watch event latency with many open watch streams, and the
// latency of ordinary GETs while they are open.
//
// A writer patches a few pods at a steady rate, stamping each patch with the
// steady-clock time it was sent (annotation bench.ksim.io/sent). Every
// watcher holds its own connection with a watch on the namespace's pods and
// records, for each event, now - sent: commit + fan-out + delivery.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

#include "bench/api_load.h"

namespace ksim::bench {
namespace {

constexpr int kPods = 10;  // the writer cycles through these
constexpr char kStamp[] = "\"bench.ksim.io/sent\":";

struct Watcher {
  std::unique_ptr<httplib::Client> client;
  std::string buffer;  // an incomplete line
  LatencySample latency;
  std::thread thread;
  std::atomic<bool> done{false};
};

struct Shared {
  std::atomic<int> established{0};
  std::atomic<int> failed{0};
  std::atomic<int> ended_early{0};
  std::atomic<int64_t> events{0};
  std::atomic<bool> stopping{false};
};

// Handles the complete lines in w->buffer (one watch event per line).
void ConsumeLines(Watcher* w, Shared* s) {
  size_t begin = 0, end;
  while ((end = w->buffer.find('\n', begin)) != std::string::npos) {
    const char* line = w->buffer.data() + begin;
    size_t len = end - begin;
    std::string_view view(line, len);
    size_t at = view.find(kStamp);
    if (at != std::string_view::npos &&
        view.find("\"type\":\"MODIFIED\"") != std::string_view::npos) {
      const char* p = line + at + std::strlen(kStamp);
      while (*p == ' ' || *p == '"') ++p;
      int64_t sent = std::strtoll(p, nullptr, 10);
      w->latency.Add(NowNs() - sent);
      s->events.fetch_add(1, std::memory_order_relaxed);
    }
    begin = end + 1;
  }
  w->buffer.erase(0, begin);
}

void WatchLoop(const std::string& path, Watcher* w, Shared* s) {
  auto res = w->client->Get(
      path, httplib::Headers{{"Accept", "application/json"}},
      [s](const httplib::Response& r) {
        if (r.status != 200 || s->stopping.load()) return false;
        s->established.fetch_add(1);
        return true;
      },
      [w, s](const char* data, size_t len) {
        w->buffer.append(data, len);
        ConsumeLines(w, s);
        return true;
      });
  w->done = true;
  if (s->stopping.load()) return;
  if (!res || res->status != 200) {
    ReportFailure("watch " + path, res);
    s->failed.fetch_add(1);
  } else {
    s->ended_early.fetch_add(1);
  }
}

// Ends every watch. A stop() that lands before its client has connected
// does nothing, so it is repeated until each watcher has returned.
void StopAll(std::vector<Watcher>* watchers, Shared* s) {
  s->stopping = true;
  auto deadline = SteadyClock::now() + std::chrono::seconds(30);
  bool all_done = false;
  while (!all_done && SteadyClock::now() < deadline) {
    all_done = true;
    for (Watcher& w : *watchers) {
      if (w.done.load()) continue;
      all_done = false;
      w.client->stop();
    }
    if (!all_done) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!all_done) {
    std::fprintf(stderr, "some watch streams did not stop within 30 s\n");
  }
}

// GETs one pod every 10 ms until `until`; `keep_alive` false opens a new
// connection per request (a new connection needs a new server thread, which
// is what many open watches could starve).
PhaseResult Probe(const Context& ctx, const std::string& path, bool keep_alive,
                  SteadyClock::time_point until, const std::string& name,
                  const std::string& key) {
  auto c = NewClient(ctx.url, 30);
  c->set_keep_alive(keep_alive);
  PhaseResult r;
  r.name = name;
  r.key = key;
  r.clients = 1;
  Meter meter(-1);
  while (SteadyClock::now() < until) {
    int64_t start = NowNs();
    auto res = c->Get(path);
    r.latency.Add(NowNs() - start);
    if (res && res->status == 200) {
      ++r.ops;
    } else {
      ReportFailure("GET " + path, res);
      ++r.errors;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  meter.Finish(&r);
  r.server_cpu = -1;  // shared with the other threads of the phase
  r.client_cpu = 0;
  return r;
}

// Patches the pods at `rate` per second for `seconds`, on a fixed schedule
// (a late patch does not cause a burst to catch up).
PhaseResult Write(const Context& ctx, const std::string& ns, double rate,
                  double seconds) {
  auto c = NewClient(ctx.url, 30);
  PhaseResult r;
  r.name = "patch pod (watch writer)";
  r.key = "watch_writer";
  r.clients = 1;
  auto period = std::chrono::duration_cast<SteadyClock::duration>(
      std::chrono::duration<double>(1.0 / rate));
  auto next = SteadyClock::now();
  auto until = next + std::chrono::duration_cast<SteadyClock::duration>(
                          std::chrono::duration<double>(seconds));
  Meter meter(-1);
  for (int64_t i = 0; SteadyClock::now() < until; ++i) {
    std::this_thread::sleep_until(next);
    next = std::max(next + period, SteadyClock::now());
    std::string path =
        "/api/v1/namespaces/" + ns + "/pods/w-" + std::to_string(i % kPods);
    int64_t start = NowNs();
    std::string patch = "{\"metadata\":{\"annotations\":{" +
                        std::string(kStamp) + "\"" + std::to_string(start) +
                        "\"}}}";
    auto res = c->Patch(path, patch, "application/merge-patch+json");
    r.latency.Add(NowNs() - start);
    if (res && res->status == 200) {
      ++r.ops;
    } else {
      ReportFailure("PATCH " + path, res);
      ++r.errors;
    }
  }
  meter.Finish(&r);
  r.server_cpu = -1;
  r.client_cpu = 0;
  return r;
}

// Creates the namespace and its pods; returns the list's resourceVersion,
// or "" on failure.
std::string Prepare(const Context& ctx, const std::string& ns) {
  auto admin = NewClient(ctx.url);
  if (!CreateNamespace(*admin, ns)) return "";
  PodTemplate pod(ns);
  std::string path = "/api/v1/namespaces/" + ns + "/pods";
  for (int i = 0; i < kPods; ++i) {
    auto res = admin->Post(path, pod.Body("w-" + std::to_string(i)),
                           "application/json");
    if (!res || res->status != 201) {
      ReportFailure("POST " + path, res);
      return "";
    }
  }
  auto list = admin->Get(path);
  if (!list || list->status != 200) return "";
  auto j = nlohmann::json::parse(list->body, nullptr, false);
  if (j.is_discarded()) return "";
  return j["metadata"].value("resourceVersion", "");
}

// Starts one thread per watcher and waits (at most 120 s) until every watch
// is established or has failed; returns the seconds that took.
double OpenWatchers(const Context& ctx, const std::string& path,
                    std::vector<Watcher>* watchers, Shared* shared) {
  auto start = SteadyClock::now();
  int read_timeout = static_cast<int>(ctx.options.watch_duration) + 180;
  for (Watcher& w : *watchers) {
    w.client = NewClient(ctx.url, read_timeout);
    w.thread = std::thread(WatchLoop, path, &w, shared);
  }
  int n = static_cast<int>(watchers->size());
  while (shared->established.load() + shared->failed.load() < n &&
         SteadyClock::now() < start + std::chrono::seconds(120)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// What runs while the watches are open: the writer and two GET probes.
struct WhileWatching {
  PhaseResult writer, probe_keep_alive, probe_new_conn;
};

WhileWatching WriteAndProbe(const Context& ctx, const std::string& ns,
                            const std::string& pod0) {
  const Options& o = ctx.options;
  auto until =
      SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                               std::chrono::duration<double>(o.watch_duration));
  WhileWatching w;
  std::thread p1([&] {
    w.probe_keep_alive = Probe(ctx, pod0, true, until,
                               "get pod (watchers open)", "get_during_watch");
  });
  std::thread p2([&] {
    w.probe_new_conn =
        Probe(ctx, pod0, false, until, "get pod, new conn (watchers open)",
              "get_new_conn_during_watch");
  });
  w.writer = Write(ctx, ns, o.watch_rate, o.watch_duration);
  p1.join();
  p2.join();
  return w;
}

}  // namespace

bool RunWatch(const Context& ctx, std::vector<PhaseResult>* out) {
  const Options& o = ctx.options;
  std::string ns = "bench-" + ctx.run_id + "-watch";
  std::string rv = Prepare(ctx, ns);
  if (rv.empty()) return false;
  std::string pod0 = "/api/v1/namespaces/" + ns + "/pods/w-0";
  auto base_until = SteadyClock::now() + std::chrono::seconds(3);
  out->push_back(
      Probe(ctx, pod0, true, base_until, "get pod (no watchers)", "get_idle"));

  Shared shared;
  std::vector<Watcher> watchers(o.watchers);
  std::string path = "/api/v1/namespaces/" + ns +
                     "/pods?watch=true&resourceVersion=" + rv +
                     "&timeoutSeconds=" +
                     std::to_string(static_cast<int>(o.watch_duration) + 600);
  double setup = OpenWatchers(ctx, path, &watchers, &shared);
  int established = shared.established.load();
  int server_threads = ProcessThreads(ctx.server_pid);

  PhaseResult events;
  events.name = "watch event latency";
  events.key = "watch";
  events.clients = established;
  Meter meter(ctx.server_pid);
  WhileWatching during = WriteAndProbe(ctx, ns, pod0);
  // Let the last events arrive: every established watcher should see every
  // successful write.
  int64_t expected = during.writer.ops * established;
  auto grace = SteadyClock::now() + std::chrono::seconds(10);
  while (shared.events.load() < expected && SteadyClock::now() < grace) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  meter.Finish(&events);
  StopAll(&watchers, &shared);
  for (Watcher& w : watchers) {
    w.thread.join();
    events.latency.Merge(w.latency);
  }
  events.ops = shared.events.load();
  events.errors = std::max<int64_t>(0, expected - events.ops) +
                  shared.failed.load() + shared.ended_early.load() +
                  (o.watchers - established);
  events.extra = {{"watchers", o.watchers},
                  {"established", established},
                  {"setup_seconds", setup},
                  {"writes", during.writer.ops},
                  {"write_rate", o.watch_rate},
                  {"expected_events", expected},
                  {"failed_watches", shared.failed.load()},
                  {"ended_early", shared.ended_early.load()},
                  {"server_threads", server_threads}};
  out->push_back(std::move(events));
  out->push_back(std::move(during.writer));
  out->push_back(std::move(during.probe_keep_alive));
  out->push_back(std::move(during.probe_new_conn));
  return true;
}

}  // namespace ksim::bench
