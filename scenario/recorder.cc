#include "scenario/recorder.h"

#include <string_view>

namespace ksim::scenario {
namespace {

using base::Json;

constexpr std::string_view kPods = "/registry/pods/";
constexpr std::string_view kEndpoints = "/registry/endpoints/";
constexpr std::string_view kNodes = "/registry/nodes/";
constexpr size_t kDrainBatch = 4096;

bool HasPrefix(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

const char* TypeName(store::EventType t) {
  switch (t) {
    case store::EventType::kAdded: return "ADDED";
    case store::EventType::kModified: return "MODIFIED";
    case store::EventType::kDeleted: return "DELETED";
  }
  return "?";
}

int64_t ReadyAddresses(const std::string& value) {
  auto j = base::ParseJson(value);
  if (!j.ok()) return 0;
  int64_t n = 0;
  if (const Json* subsets = base::Find(*j, {"subsets"});
      subsets && subsets->is_array()) {
    for (const Json& s : *subsets) {
      if (const Json* a = base::Find(s, {"addresses"}); a && a->is_array()) {
        n += static_cast<int64_t>(a->size());
      }
    }
  }
  return n;
}

bool NodeIsReady(const std::string& value) {
  auto j = base::ParseJson(value);
  if (!j.ok()) return false;
  const Json* conds = base::Find(*j, {"status", "conditions"});
  if (!conds || !conds->is_array()) return false;
  for (const Json& c : *conds) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

}  // namespace

std::string SecondsText(base::Duration d) {
  int64_t ns = d.count();
  std::string sign = ns < 0 ? "-" : "";
  if (ns < 0) ns = -ns;
  std::string out = sign + std::to_string(ns / 1'000'000'000);
  int64_t frac = ns % 1'000'000'000;
  if (frac == 0) return out;
  std::string digits = std::to_string(frac);
  digits = std::string(9 - digits.size(), '0') + digits;
  while (digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

Recorder::Recorder(base::EventLoop* loop, store::Store* store,
                   base::Time start, std::ostream* trace)
    : loop_(loop),
      store_(store),
      start_(start),
      trace_(trace),
      drain_posted_(std::make_shared<std::atomic<bool>>(false)) {}

Recorder::~Recorder() {
  if (watcher_) watcher_->Stop();
}

base::Status Recorder::Start() {
  store::WatchOptions o;
  o.after_revision = 0;
  // The hook only posts: it runs on writers' threads (real time) or inside
  // the write on the loop (virtual time), where the recorder must not
  // re-enter the store.
  base::EventLoop* loop = loop_;
  std::shared_ptr<std::atomic<bool>> posted = drain_posted_;
  o.on_ready = [this, loop, posted] {
    if (posted->exchange(true)) return;
    loop->Post([this, posted] {
      posted->store(false);
      Drain();
    });
  };
  auto w = store_->Watch(std::move(o));
  if (!w.ok()) return w.status();
  watcher_ = std::move(w).value();
  return base::Status::Ok();
}

void Recorder::Drain() {
  if (!watcher_) return;
  std::vector<store::Event> events;
  bool any = false;
  while (true) {
    events.clear();
    bool alive = watcher_->Poll(&events, kDrainBatch);
    for (const auto& e : events) Apply(e);
    any |= !events.empty();
    if (!alive) {
      watch_status_ = watcher_->status();
      if (watch_status_.ok()) {
        watch_status_ = base::Internal("the store watch ended");
      }
      watcher_.reset();
      break;
    }
    if (events.size() < kDrainBatch) break;
  }
  if (any && on_change_) on_change_();
}

void Recorder::Apply(const store::Event& e) {
  const store::Object& o = e.object;
  revision_ = o.mod_revision;
  if (trace_) WriteTrace(e);
  const std::string& key = o.key;
  bool deleted = e.type == store::EventType::kDeleted;
  if (HasPrefix(key, kPods)) {
    std::string phase;
    if (!deleted && o.attrs) {
      auto it = o.attrs->fields.find("status.phase");
      phase = it == o.attrs->fields.end() || it->second.empty() ? "Pending"
                                                                 : it->second;
    }
    auto old = pod_phase_.find(key);
    if (old != pod_phase_.end()) {
      if (--phases_count_[old->second] == 0) phases_count_.erase(old->second);
      pod_phase_.erase(old);
    }
    if (!deleted) {
      pod_phase_[key] = phase;
      ++phases_count_[phase];
    }
  } else if (HasPrefix(key, kEndpoints)) {
    std::string svc = key.substr(kEndpoints.size());
    if (deleted) {
      endpoints_ready_.erase(svc);
    } else {
      endpoints_ready_[svc] = ReadyAddresses(*o.value);
    }
  } else if (HasPrefix(key, kNodes)) {
    std::string node = key.substr(kNodes.size());
    if (deleted) {
      node_ready_.erase(node);
    } else {
      node_ready_[node] = NodeIsReady(*o.value);
    }
  }
}

void Recorder::WriteTrace(const store::Event& e) {
  // Built by hand around the stored bytes, which are already the API
  // server's JSON: re-encoding every object would double the cost.
  std::string line = "{\"t\":" + SecondsText(Elapsed()) +
                     ",\"rev\":" + std::to_string(e.object.mod_revision) +
                     ",\"type\":\"" + TypeName(e.type) + "\",\"key\":" +
                     Json(e.object.key).dump() + ",\"object\":";
  // A deletion records the key and revision; its last state is the
  // previous line for that key.
  if (e.type == store::EventType::kDeleted || !e.object.value) {
    line += "null";
  } else {
    line += *e.object.value;
  }
  line += "}\n";
  *trace_ << line;
}

void Recorder::Line(const Json& fields) {
  if (!trace_) return;
  std::string line = "{\"t\":" + SecondsText(Elapsed());
  for (const auto& [k, v] : fields.items()) {
    line += "," + Json(k).dump() + ":" + v.dump();
  }
  *trace_ << line << "}\n";
}

void Recorder::StartSampling(base::Duration every) {
  sample_every_ = every;
  sampling_ = true;
  TakeSample();
  loop_->RunAfter(every, [this] {
    if (sampling_) StartSampling(sample_every_);
  });
}

void Recorder::TakeSample() {
  Drain();
  Sample s;
  s.t = Elapsed();
  s.revision = revision_;
  s.pods_by_phase = phases_count_;
  int64_t all = 0;
  for (const auto& [svc, n] : endpoints_ready_) {
    all += n;
    if (s.ready_endpoints.size() < kMaxChartedServices) {
      s.ready_endpoints[svc] = n;
    }
  }
  s.ready_endpoints["(all)"] = all;
  for (const auto& [node, ready] : node_ready_) {
    ++s.nodes;
    s.nodes_ready += ready;
  }
  samples_.push_back(std::move(s));
}

}  // namespace ksim::scenario
