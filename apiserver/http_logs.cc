// GET pods/<name>/log: checks the container as kube-apiserver does, then
// forwards to the kubelet's PodLogs (kubectl logs, -f, --previous, --tail).
#include <string>

#include "apiserver/api_errors.h"
#include "apiserver/http_internal.h"

namespace ksim::apiserver {
namespace {

base::StatusOr<std::optional<int64_t>> OptionalInt(const httplib::Request& req,
                                                   const char* name) {
  std::string v = Param(req, name);
  if (v.empty()) return std::optional<int64_t>();
  try {
    size_t used = 0;
    int64_t n = std::stoll(v, &used);
    if (used == v.size()) return std::optional<int64_t>(n);
  } catch (...) {
  }
  return base::BadRequest("invalid value for " + std::string(name) + ": " + v);
}

base::StatusOr<LogRequest> ParseLogRequest(const httplib::Request& req,
                                           const std::string& container) {
  LogRequest lr;
  lr.container = container;
  lr.previous = BoolParam(req, "previous");
  lr.timestamps = BoolParam(req, "timestamps");
  KSIM_ASSIGN_OR_RETURN(lr.tail_lines, OptionalInt(req, "tailLines"));
  KSIM_ASSIGN_OR_RETURN(lr.limit_bytes, OptionalInt(req, "limitBytes"));
  return lr;
}

}  // namespace

void ServePodLog(const HttpContext& ctx, const Target& t,
                 const httplib::Request& req, httplib::Response& res) {
  Target pod = t;
  pod.subresource.clear();
  auto got = ctx.registry->Get(pod);
  if (!got.ok()) return WriteStatus(req, res, got.status());
  auto j = base::ParseJson(*got);
  if (!j.ok()) return WriteStatus(req, res, j.status());
  const base::Json* containers = base::Find(*j, {"spec", "containers"});
  std::string container = Param(req, "container");
  if (container.empty() && containers && containers->size() == 1) {
    container = (*containers)[0].value("name", "");
  }
  bool known = false;
  std::string names;
  if (containers) {
    for (const auto& c : *containers) {
      if (c.value("name", "") == container) known = true;
      names += (names.empty() ? "" : " ") + c.value("name", "");
    }
  }
  if (container.empty()) {
    return WriteStatus(
        req, res,
        base::BadRequest("a container name must be specified for pod " +
                         t.name + ", choose one of: [" + names + "]"));
  }
  if (!known) {
    return WriteStatus(req, res,
                       base::BadRequest("container " + container +
                                        " is not valid for pod " + t.name));
  }
  if (!ctx.pod_logs) {
    // No kubelet runs this pod's containers, so there is no log to serve;
    // kube-apiserver answers this way for a container that has not started.
    return WriteStatus(
        req, res,
        base::BadRequest("container \"" + container + "\" in pod \"" + t.name +
                         "\" is waiting to start: ContainerCreating"));
  }
  auto lr = ParseLogRequest(req, container);
  if (!lr.ok()) return WriteStatus(req, res, lr.status());
  std::string uid = base::GetString(*j, {"metadata", "uid"});
  auto text = ctx.pod_logs->Read(t.ns, t.name, uid, *lr);
  if (!text.ok()) return WriteStatus(req, res, text.status());
  if (!BoolParam(req, "follow")) {
    res.status = 200;
    res.set_content(*text, "text/plain");
    return;
  }
  PodLogs* logs = ctx.pod_logs;
  std::string ns = t.ns, name = t.name;
  LogRequest follow_req = *lr;
  res.set_chunked_content_provider(
      "text/plain",
      [logs, ns, name, uid, follow_req](size_t, httplib::DataSink& sink) {
        logs->Follow(ns, name, uid, follow_req, [&](std::string_view chunk) {
          return sink.is_writable() && sink.write(chunk.data(), chunk.size());
        });
        sink.done();
        return true;
      });
}

}  // namespace ksim::apiserver
