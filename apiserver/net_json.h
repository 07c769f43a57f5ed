// The wire form of NetRequest and NetResponse in the ksim API
// (POST /ksim/v1/exchange, docs/ksim-api.md), shared by the server side
// (http_ksim.cc) and `ksim curl` (cli/curl.cc).
//
//   NetRequest:  {"source": "pod/default/web-1", "url": "http://webapp/",
//                 "method": "GET", "headers": [["Accept", "*/*"]],
//                 "body": "...", "maxTimeSeconds": 5,
//                 "connectTimeoutSeconds": 2}
//   NetResponse: {"curlCode": 0, "error": "", "remoteIP": "10.96.0.12",
//                 "remotePort": 8080, "endpoint": "10.244.1.5:8080",
//                 "httpVersion": "HTTP/1.1", "status": 200, "reason": "OK",
//                 "headers": [["Server", "Apache-Coyote/1.1"]],
//                 "body": "...", "elapsedSeconds": 0.002}
//
// Request headers may also be {"name": ..., "value": ...} objects or one
// {"Name": "value" | ["value", ...]} map. A body that is not valid UTF-8 travels as "bodyBase64" instead of
// "body" (JSON strings carry text only). Fields left out take the
// NetRequest defaults; unknown fields are ignored.
//
// Thread-safety: pure functions.
#ifndef KSIM_APISERVER_NET_JSON_H_
#define KSIM_APISERVER_NET_JSON_H_

#include "apiserver/net_gateway.h"
#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

base::Json NetRequestToJson(const NetRequest& r);
// BadRequest naming the offending field when the JSON has the wrong shape
// or no "url".
base::StatusOr<NetRequest> NetRequestFromJson(const base::Json& j);

base::Json NetResponseToJson(const NetResponse& r);
base::StatusOr<NetResponse> NetResponseFromJson(const base::Json& j);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_NET_JSON_H_
