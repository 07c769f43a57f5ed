// HTTP front: watch streams (chunked JSON events, Table events for
// `kubectl get -w`, bookmarks, timeouts) and pod logs.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "apiserver/api_errors.h"
#include "apiserver/http_internal.h"
#include "apiserver/object_codec.h"

namespace ksim::apiserver {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Wakes the streaming thread when the store has events for it. Shared with
// the store's on_ready callback, so it outlives whichever side ends first.
struct Signal {
  std::mutex mu;
  std::condition_variable cv;
  bool ready = false;

  void Notify() {
    {
      std::lock_guard<std::mutex> l(mu);
      ready = true;
    }
    cv.notify_one();
  }
  void WaitUntil(SteadyClock::time_point deadline) {
    std::unique_lock<std::mutex> l(mu);
    cv.wait_until(l, deadline, [this] { return ready; });
    ready = false;
  }
};

const char* TypeName(store::EventType t) {
  switch (t) {
    case store::EventType::kAdded: return "ADDED";
    case store::EventType::kModified: return "MODIFIED";
    case store::EventType::kDeleted: return "DELETED";
  }
  return "ERROR";
}

struct WatchStream {
  const HttpContext* ctx;
  Target target;
  Negotiated negotiated;
  std::unique_ptr<store::Watcher> watcher;
  std::vector<store::Event> pending;
  std::shared_ptr<Signal> signal;
  SteadyClock::time_point deadline;
  SteadyClock::time_point next_bookmark;
  SteadyClock::time_point last_write = SteadyClock::now();
  bool bookmarks = false;
  bool sent_columns = false;
  int64_t last_revision = 0;

  std::string Encode(const store::Event& e) {
    std::string object =
        WithResourceVersion(*e.object.value, e.object.mod_revision);
    if (negotiated.table) {
      auto j = base::ParseJson(object);
      if (j.ok()) {
        base::Json meta = {
            {"resourceVersion", std::to_string(e.object.mod_revision)}};
        object = BuildTable(*target.resource, {*j}, meta, ctx->clock->Now(),
                            negotiated.include, !sent_columns)
                     .dump();
        sent_columns = true;
      }
    }
    return std::string("{\"type\":\"") + TypeName(e.type) +
           "\",\"object\":" + object + "}\n";
  }

  std::string Bookmark() const {
    base::Json obj = {
        {"kind", target.resource->kind},
        {"apiVersion", target.resource->GroupVersion()},
        {"metadata", {{"resourceVersion", std::to_string(last_revision)}}}};
    return base::Json({{"type", "BOOKMARK"}, {"object", obj}}).dump() + "\n";
  }
};

std::string ErrorEvent(const base::Status& s) {
  return base::Json({{"type", "ERROR"}, {"object", StatusToJson(s)}}).dump() +
         "\n";
}

// One step of the stream: waits for events (at most a second, so shutdown
// and timeouts are noticed), writes them. Returns false to end the stream.
bool Pump(WatchStream& w, httplib::DataSink& sink) {
  if (w.ctx->stopping->load() || SteadyClock::now() >= w.deadline) {
    sink.done();
    return true;
  }
  if (w.pending.empty()) {
    auto wake = std::min(w.deadline, SteadyClock::now() +
                                         std::chrono::seconds(1));
    if (w.bookmarks) wake = std::min(wake, w.next_bookmark);
    w.signal->WaitUntil(wake);
  }
  bool open = w.watcher->Poll(&w.pending, 1000);
  std::string out;
  for (const auto& e : w.pending) {
    out += w.Encode(e);
    w.last_revision = e.object.mod_revision;
  }
  w.pending.clear();
  if (w.bookmarks && SteadyClock::now() >= w.next_bookmark) {
    w.last_revision = std::max(w.last_revision,
                               w.ctx->registry->store()->CurrentRevision());
    out += w.Bookmark();
    w.next_bookmark = SteadyClock::now() + std::chrono::minutes(1);
  }
  const auto now = SteadyClock::now();
  if (out.empty() && open && now - w.last_write >= std::chrono::seconds(3)) {
    // Silent for a few seconds: a bare newline (whitespace between events,
    // which every client's JSON stream decoder skips) is how a stream learns
    // that its client has gone — cpp-httplib exposes no socket to poll — so
    // the thread and socket are released promptly.
    out = "\n";
  }
  if (!out.empty()) {
    if (!sink.write(out.data(), out.size())) return false;
    w.last_write = now;
  }
  if (!open) {
    base::Status why = w.watcher->status();
    if (!why.ok()) {
      std::string err = ErrorEvent(why);
      sink.write(err.data(), err.size());
    }
    sink.done();
  }
  return true;
}

}  // namespace

void ServeWatch(const HttpContext& ctx, const Target& t, const ListQuery& q,
                const httplib::Request& req, httplib::Response& res) {
  auto w = std::make_shared<WatchStream>();
  w->ctx = &ctx;
  w->target = t;
  w->negotiated = Negotiate(req);
  w->signal = std::make_shared<Signal>();
  std::string timeout = Param(req, "timeoutSeconds");
  // kube-apiserver: timeoutSeconds, else a random 30-60 minutes.
  int64_t secs = timeout.empty()
                     ? 1800 + static_cast<int64_t>(ctx.rng->Uniform(1800))
                     : std::atoll(timeout.c_str());
  w->deadline = SteadyClock::now() + std::chrono::seconds(secs);
  w->bookmarks = BoolParam(req, "allowWatchBookmarks");
  w->next_bookmark = SteadyClock::now() + std::chrono::minutes(1);
  auto watcher = ctx.registry->Watch(
      t, q, [signal = w->signal] { signal->Notify(); }, &w->pending);
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
  res.status = 200;
  if (!watcher.ok()) {
    if (watcher.status().code() != base::Code::kExpired) {
      WriteStatus(req, res, watcher.status());
      return;
    }
    // A too-old resourceVersion is an ERROR event on a 200 stream.
    res.set_content(ErrorEvent(watcher.status()), "application/json");
    return;
  }
  w->watcher = std::move(watcher).value();
  w->last_revision = ctx.registry->store()->CurrentRevision();
  // Accept-Encoding was dropped above, so cpp-httplib sends every event
  // uncompressed and at once.
  res.set_chunked_content_provider(
      "application/json",
      [w](size_t, httplib::DataSink& sink) { return Pump(*w, sink); },
      [w](bool) { w->watcher->Stop(); });
}

}  // namespace ksim::apiserver
