// Internals of the HTTP front shared by its http_*.cc files.
#ifndef KSIM_APISERVER_HTTP_INTERNAL_H_
#define KSIM_APISERVER_HTTP_INTERNAL_H_

#include <httplib.h>

#include <atomic>
#include <string>

#include "apiserver/pod_logs.h"
#include "apiserver/registry.h"
#include "apiserver/table.h"
#include "base/clock.h"
#include "base/rng.h"

namespace ksim::apiserver {

struct HttpContext {
  Registry* registry = nullptr;
  const base::Clock* clock = nullptr;
  base::Rng* rng = nullptr;
  std::string kube_version;    // "1.32"
  std::string server_address;  // "127.0.0.1:6443"
  std::atomic<bool>* stopping = nullptr;
  std::atomic<bool>* ready = nullptr;
  PodLogs* pod_logs = nullptr;  // null: no kubelet serves logs
};

// How the client wants objects: plain JSON, or a meta.k8s.io Table.
struct Negotiated {
  bool table = false;
  IncludeObject include = IncludeObject::kMetadata;
};
Negotiated Negotiate(const httplib::Request& req);

void WriteBody(const httplib::Request& req, httplib::Response& res, int code,
               std::string body,
               const char* content_type = "application/json");
void WriteStatus(const httplib::Request& req, httplib::Response& res,
                 const base::Status& status);
void AddWarnings(httplib::Response& res,
                 const std::vector<std::string>& warnings);

// /version, /healthz, /livez, /readyz, discovery and OpenAPI. Returns false
// when the path is none of those.
bool HandleMeta(const HttpContext& ctx, const httplib::Request& req,
                httplib::Response& res);
// /api/v1/... and /apis/<g>/<v>/... for every verb.
void HandleResource(const HttpContext& ctx, const std::string& method,
                    const httplib::Request& req, httplib::Response& res);
// A watch (…?watch=true): streams events until the timeout.
void ServeWatch(const HttpContext& ctx, const Target& t, const ListQuery& q,
                const httplib::Request& req, httplib::Response& res);
// GET pods/<name>/log
void ServePodLog(const HttpContext& ctx, const Target& t,
                 const httplib::Request& req, httplib::Response& res);

// A query parameter, or "" when absent.
std::string Param(const httplib::Request& req, const char* name);
// A boolean query parameter as kube-apiserver converts it: present and not
// "0" or "false" (any case) means true.
bool BoolParam(const httplib::Request& req, const char* name);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_HTTP_INTERNAL_H_
