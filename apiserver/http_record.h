// Recording the API's mutating requests (`ksim up --record FILE`) and
// playing them back (`ksim scenario replay FILE`).
//
// The file is JSON lines:
//   {"ksimRecord":1,"seed":N,"start":"<RFC 3339 micro>"}         first
//   {"t":<seconds since start>,"method":"POST","path":"/api/v1/...",
//    "query":{...},"headers":{"Content-Type":...,"User-Agent":...},
//    "body":"..." (or "bodyBase64" for protobuf),"code":201}    each request
//   {"final":{<key>:<object>, ...}}                                at Stop
// Requests are the POST, PUT, PATCH and DELETE calls on /api and /apis, in
// the order they were answered; "final" is the state of every resource the
// recording wrote, normalised by NormalizedState.
//
// Thread-safety: RequestLog::Record may be called from any thread.
#ifndef KSIM_APISERVER_HTTP_RECORD_H_
#define KSIM_APISERVER_HTTP_RECORD_H_

#include <httplib.h>

#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "apiserver/http_internal.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "store/store.h"

namespace ksim::apiserver {

class RequestLog {
 public:
  // Creates (truncates) `path`. REQUIRES: clock outlives the log.
  static base::StatusOr<std::unique_ptr<RequestLog>> Open(
      const std::string& path, const base::Clock* clock, uint64_t seed);

  // Appends the request if it is a write on the API (others are ignored).
  void Record(const httplib::Request& req, const httplib::Response& res);
  // Appends the "final" line from the store. Once; later Records are
  // dropped.
  void Finish(store::Store* store);

 private:
  RequestLog(std::ofstream out, const base::Clock* clock);

  std::mutex mu_;
  std::ofstream out_;
  const base::Clock* clock_;
  base::Time start_;
  // Store prefixes of the resources written ("/registry/deployments.apps/").
  std::set<std::string> prefixes_;
  bool finished_ = false;
};

// The objects under `prefixes`, by key, without what differs between two
// runs of the same requests on another clock: uid, resourceVersion,
// timestamps, managedFields, owner uids, and status.
base::Json NormalizedState(store::Store* store,
                           const std::set<std::string>& prefixes);

// The store prefix a write on `path` touches ("" when none).
std::string PrefixOfPath(const std::string& path);

// Plays one recorded request into the API as the HTTP front would serve
// it. Returns the HTTP status code.
int ReplayRequest(const HttpContext& ctx, const base::Json& record);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_HTTP_RECORD_H_
