#include "kubelet-sim/log_store.h"

#include <chrono>
#include <cstdio>

namespace ksim::kubelet {
namespace {

constexpr size_t kMaxInstanceBytes = 1 << 20;

std::string Key(const std::string& ns, const std::string& pod) {
  return ns + "/" + pod;
}

}  // namespace

std::string FormatRfc3339Nano(base::Time t) {
  std::string s = base::FormatRfc3339(t);  // "...:54Z"
  auto nanos = t.time_since_epoch().count() % 1000000000;
  if (nanos < 0) nanos += 1000000000;
  if (nanos == 0) return s;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(nanos));
  std::string f = frac;
  while (f.back() == '0') f.pop_back();
  return s.substr(0, s.size() - 1) + f + "Z";
}

ContainerLogStore::~ContainerLogStore() { Shutdown(); }

void ContainerLogStore::SetContainer(const std::string& ns,
                                     const std::string& pod,
                                     const std::string& uid,
                                     const std::string& container,
                                     const ContainerLogState& state) {
  std::lock_guard<std::mutex> lock(mu_);
  Pod& p = pods_[Key(ns, pod)];
  if (p.uid != uid) {
    uint64_t gen = p.generation + 1;
    p = Pod();
    p.uid = uid;
    p.generation = gen;
  }
  p.containers[container] = state;
  cv_.notify_all();
}

void ContainerLogStore::Append(const std::string& ns, const std::string& pod,
                               const std::string& container_id, base::Time when,
                               const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pods_.find(Key(ns, pod));
  if (it == pods_.end()) return;
  Instance& in = it->second.instances[container_id];
  in.lines.push_back({when, line});
  in.bytes += line.size() + 1;
  ++in.appended;
  while (in.bytes > kMaxInstanceBytes && in.lines.size() > 1) {
    in.bytes -= in.lines.front().text.size() + 1;
    in.lines.pop_front();
  }
  cv_.notify_all();
}

void ContainerLogStore::EndInstance(const std::string& ns,
                                    const std::string& pod,
                                    const std::string& container_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pods_.find(Key(ns, pod));
  if (it == pods_.end()) return;
  it->second.instances[container_id].ended = true;
  cv_.notify_all();
}

void ContainerLogStore::RemovePod(const std::string& ns, const std::string& pod,
                                  const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pods_.find(Key(ns, pod));
  if (it == pods_.end() || (!uid.empty() && it->second.uid != uid)) return;
  pods_.erase(it);
  cv_.notify_all();
}

void ContainerLogStore::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shut_down_ = true;
  cv_.notify_all();
}

base::StatusOr<std::string> ContainerLogStore::ResolveLocked(
    const std::string& ns, const std::string& pod, const std::string& uid,
    const apiserver::LogRequest& req) {
  auto it = pods_.find(Key(ns, pod));
  if (it == pods_.end() || (!uid.empty() && it->second.uid != uid)) {
    return base::NotFound("pod \"" + pod +
                          "\" cannot be found - no logs "
                          "available");
  }
  const std::string& c = req.container;
  auto cit = it->second.containers.find(c);
  if (cit == it->second.containers.end()) {
    return base::BadRequest("container \"" + c + "\" in pod \"" + pod +
                            "\" is not available");
  }
  const ContainerLogState& s = cit->second;
  using State = ContainerLogState::State;
  if (req.previous) {
    if (s.last_id.empty()) {
      return base::BadRequest("previous terminated container \"" + c +
                              "\" in pod \"" + pod + "\" not found");
    }
    return s.last_id;
  }
  if (s.state != State::kWaiting && !s.current_id.empty()) return s.current_id;
  if (!s.last_id.empty()) return s.last_id;
  if (s.state == State::kTerminated) {
    return base::BadRequest("container \"" + c + "\" in pod \"" + pod +
                            "\" is terminated");
  }
  if (s.waiting_reason == "ErrImagePull") {
    return base::BadRequest("container \"" + c + "\" in pod \"" + pod +
                            "\" is waiting to start: image can't be pulled");
  }
  if (s.waiting_reason == "ImagePullBackOff") {
    return base::BadRequest("container \"" + c + "\" in pod \"" + pod +
                            "\" is waiting to start: trying and failing to "
                            "pull image");
  }
  if (s.waiting_reason.empty()) {
    return base::BadRequest("container \"" + c + "\" in pod \"" + pod +
                            "\" is waiting to start - no logs yet");
  }
  return base::BadRequest("container \"" + c + "\" in pod \"" + pod +
                          "\" is waiting to start: " + s.waiting_reason);
}

std::string ContainerLogStore::Render(const std::deque<Line>& lines,
                                      size_t from,
                                      const apiserver::LogRequest& req) {
  std::string out;
  for (size_t i = from; i < lines.size(); ++i) {
    if (req.timestamps) out += FormatRfc3339Nano(lines[i].when) + " ";
    out += lines[i].text;
    out += '\n';
  }
  return out;
}

base::StatusOr<std::string> ContainerLogStore::Read(
    const std::string& ns, const std::string& pod, const std::string& uid,
    const apiserver::LogRequest& req) {
  std::lock_guard<std::mutex> lock(mu_);
  auto id = ResolveLocked(ns, pod, uid, req);
  if (!id.ok()) return id.status();
  const Instance& in = pods_[Key(ns, pod)].instances[*id];
  size_t from = 0;
  if (req.tail_lines && *req.tail_lines >= 0 &&
      static_cast<size_t>(*req.tail_lines) < in.lines.size()) {
    from = in.lines.size() - static_cast<size_t>(*req.tail_lines);
  }
  std::string out = Render(in.lines, from, req);
  if (req.limit_bytes && *req.limit_bytes >= 0 &&
      static_cast<size_t>(*req.limit_bytes) < out.size()) {
    out.resize(static_cast<size_t>(*req.limit_bytes));
  }
  return out;
}

base::Status ContainerLogStore::Follow(
    const std::string& ns, const std::string& pod, const std::string& uid,
    const apiserver::LogRequest& req,
    const std::function<bool(std::string_view chunk)>& sink) {
  std::unique_lock<std::mutex> lock(mu_);
  auto id = ResolveLocked(ns, pod, uid, req);
  if (!id.ok()) return id.status();
  std::string key = Key(ns, pod);
  uint64_t generation = pods_[key].generation;
  // The first chunk is what Read returns; later lines stream as they come.
  int64_t budget = req.limit_bytes.value_or(-1);
  auto emit = [&](std::string chunk) {
    if (budget >= 0) {
      if (static_cast<int64_t>(chunk.size()) > budget) chunk.resize(budget);
      budget -= static_cast<int64_t>(chunk.size());
    }
    lock.unlock();
    bool ok = chunk.empty() || sink(chunk);
    lock.lock();
    return ok && budget != 0;
  };
  const Instance* in = &pods_[key].instances[*id];
  size_t from = 0;
  if (req.tail_lines && *req.tail_lines >= 0 &&
      static_cast<size_t>(*req.tail_lines) < in->lines.size()) {
    from = in->lines.size() - static_cast<size_t>(*req.tail_lines);
  }
  uint64_t seen = in->appended;
  if (!emit(Render(in->lines, from, req))) return base::Status();
  for (;;) {
    auto pit = pods_.find(key);
    if (shut_down_ || pit == pods_.end() ||
        pit->second.generation != generation) {
      return base::Status();
    }
    in = &pit->second.instances[*id];
    if (in->appended > seen) {
      // Lines dropped by the size cap are skipped, as after a rotation.
      size_t fresh = static_cast<size_t>(
          std::min<uint64_t>(in->appended - seen, in->lines.size()));
      seen = in->appended;
      if (!emit(Render(in->lines, in->lines.size() - fresh, req))) {
        return base::Status();
      }
      continue;
    }
    if (in->ended) return base::Status();
    cv_.wait(lock);
  }
}

}  // namespace ksim::kubelet
