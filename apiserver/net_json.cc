#include "apiserver/net_json.h"

#include <string>
#include <utility>
#include <vector>

#include "base/encoding.h"

namespace ksim::apiserver {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// nlohmann/json refuses to serialise invalid UTF-8; its own check decides
// between "body" and "bodyBase64".
bool IsUtf8(const std::string& s) {
  try {
    (void)base::Json(s).dump();
    return true;
  } catch (const base::Json::exception&) {
    return false;
  }
}

void PutBody(const std::string& body, base::Json& j) {
  if (body.empty()) return;
  if (IsUtf8(body)) {
    j["body"] = body;
  } else {
    j["bodyBase64"] = base::Base64Encode(body);
  }
}

base::Json HeadersToJson(const Headers& headers) {
  base::Json out = base::Json::array();
  for (const auto& [name, value] : headers) out.push_back({name, value});
  return out;
}

base::Status Wrong(const std::string& field, const char* want) {
  return base::BadRequest("invalid " + field + ": expected " + want);
}

base::Status GetStringField(const base::Json& j, const char* name,
                            std::string* out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return base::Status::Ok();
  if (!it->is_string()) return Wrong(name, "a string");
  *out = it->get<std::string>();
  return base::Status::Ok();
}

template <typename T>
base::Status GetNumberField(const base::Json& j, const char* name, T* out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return base::Status::Ok();
  if (!it->is_number()) return Wrong(name, "a number");
  *out = it->get<T>();
  return base::Status::Ok();
}

// Headers as [["Name", "value"], ...], [{"name": ..., "value": ...}] or
// {"Name": "value" | ["value", ...]}.
base::Status GetHeaders(const base::Json& j, Headers* out) {
  auto it = j.find("headers");
  if (it == j.end() || it->is_null()) return base::Status::Ok();
  if (it->is_object()) {  // {"Name": "value" | ["value", ...]}
    for (const auto& [name, value] : it->items()) {
      for (const auto& v : value.is_array() ? value : base::Json{value}) {
        if (!v.is_string()) return Wrong("headers", "string values");
        out->emplace_back(name, v.get<std::string>());
      }
    }
    return base::Status::Ok();
  }
  if (!it->is_array()) return Wrong("headers", "a list");
  for (const auto& h : *it) {
    if (h.is_array() && h.size() == 2 && h[0].is_string() && h[1].is_string()) {
      out->emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
    } else if (h.is_object() && h.value("name", base::Json()).is_string() &&
               h.value("value", base::Json()).is_string()) {
      out->emplace_back(h["name"].get<std::string>(),
                        h["value"].get<std::string>());
    } else {
      return Wrong("headers", "[name, value] pairs");
    }
  }
  return base::Status::Ok();
}

base::Status GetBody(const base::Json& j, std::string* out) {
  KSIM_RETURN_IF_ERROR(GetStringField(j, "body", out));
  std::string b64;
  KSIM_RETURN_IF_ERROR(GetStringField(j, "bodyBase64", &b64));
  if (!b64.empty()) {
    auto decoded = base::Base64Decode(b64);
    if (!decoded) return Wrong("bodyBase64", "base64");
    *out = std::move(*decoded);
  }
  return base::Status::Ok();
}

}  // namespace

base::Json NetRequestToJson(const NetRequest& r) {
  base::Json j = {{"url", r.url}, {"method", r.method}};
  if (!r.source.empty()) j["source"] = r.source;
  if (!r.headers.empty()) j["headers"] = HeadersToJson(r.headers);
  PutBody(r.body, j);
  if (r.max_time_seconds > 0) j["maxTimeSeconds"] = r.max_time_seconds;
  if (r.connect_timeout_seconds > 0) {
    j["connectTimeoutSeconds"] = r.connect_timeout_seconds;
  }
  return j;
}

base::StatusOr<NetRequest> NetRequestFromJson(const base::Json& j) {
  if (!j.is_object()) return base::BadRequest("a request must be an object");
  NetRequest r;
  KSIM_RETURN_IF_ERROR(GetStringField(j, "source", &r.source));
  KSIM_RETURN_IF_ERROR(GetStringField(j, "url", &r.url));
  KSIM_RETURN_IF_ERROR(GetStringField(j, "method", &r.method));
  KSIM_RETURN_IF_ERROR(GetHeaders(j, &r.headers));
  KSIM_RETURN_IF_ERROR(GetBody(j, &r.body));
  KSIM_RETURN_IF_ERROR(
      GetNumberField(j, "maxTimeSeconds", &r.max_time_seconds));
  KSIM_RETURN_IF_ERROR(
      GetNumberField(j, "connectTimeoutSeconds", &r.connect_timeout_seconds));
  if (r.url.empty()) return base::BadRequest("url: Required value");
  if (r.method.empty()) r.method = "GET";
  if (r.max_time_seconds < 0 || r.connect_timeout_seconds < 0) {
    return base::BadRequest("timeouts must not be negative");
  }
  return r;
}

base::Json NetResponseToJson(const NetResponse& r) {
  base::Json j = {{"curlCode", r.curl_code},
                  {"httpVersion", r.http_version},
                  {"status", r.status},
                  {"headers", HeadersToJson(r.headers)},
                  {"elapsedSeconds", r.elapsed_seconds}};
  if (!r.error.empty()) j["error"] = r.error;
  if (!r.remote_ip.empty()) j["remoteIP"] = r.remote_ip;
  if (r.remote_port != 0) j["remotePort"] = r.remote_port;
  if (!r.endpoint.empty()) j["endpoint"] = r.endpoint;
  if (!r.reason.empty()) j["reason"] = r.reason;
  PutBody(r.body, j);
  return j;
}

base::StatusOr<NetResponse> NetResponseFromJson(const base::Json& j) {
  if (!j.is_object()) return base::BadRequest("a response must be an object");
  NetResponse r;
  KSIM_RETURN_IF_ERROR(GetNumberField(j, "curlCode", &r.curl_code));
  KSIM_RETURN_IF_ERROR(GetStringField(j, "error", &r.error));
  KSIM_RETURN_IF_ERROR(GetStringField(j, "remoteIP", &r.remote_ip));
  KSIM_RETURN_IF_ERROR(GetNumberField(j, "remotePort", &r.remote_port));
  KSIM_RETURN_IF_ERROR(GetStringField(j, "endpoint", &r.endpoint));
  KSIM_RETURN_IF_ERROR(GetStringField(j, "httpVersion", &r.http_version));
  KSIM_RETURN_IF_ERROR(GetNumberField(j, "status", &r.status));
  KSIM_RETURN_IF_ERROR(GetStringField(j, "reason", &r.reason));
  KSIM_RETURN_IF_ERROR(GetHeaders(j, &r.headers));
  KSIM_RETURN_IF_ERROR(GetBody(j, &r.body));
  KSIM_RETURN_IF_ERROR(GetNumberField(j, "elapsedSeconds", &r.elapsed_seconds));
  return r;
}

}  // namespace ksim::apiserver
