// HTTP front: content negotiation and response writing.
#include <cctype>
#include <string>

#include "apiserver/api_errors.h"
#include "apiserver/http_internal.h"

namespace ksim::apiserver {
namespace {

// kube-apiserver compresses only large responses; below this, gzip costs more
// CPU than it saves on loopback.
constexpr size_t kGzipThreshold = 128 * 1024;

}  // namespace

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

bool BoolParam(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return false;
  std::string v = req.get_param_value(name);
  for (char& c : v) c = static_cast<char>(std::tolower(c));
  return v != "0" && v != "false";
}

Negotiated Negotiate(const httplib::Request& req) {
  Negotiated n;
  const std::string accept = req.get_header_value("Accept");
  // Media ranges in order of preference; the first we can serve wins.
  size_t pos = 0;
  while (pos <= accept.size()) {
    size_t comma = accept.find(',', pos);
    std::string range = accept.substr(
        pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? accept.size() + 1 : comma + 1;
    bool json = range.find("application/json") != std::string::npos;
    if (!json) {
      if (range.find("*/*") != std::string::npos) break;
      continue;
    }
    if (range.find("as=Table") != std::string::npos &&
        range.find("g=meta.k8s.io") != std::string::npos) {
      n.table = true;
    }
    break;
  }
  std::string include = Param(req, "includeObject");
  if (include == "None") n.include = IncludeObject::kNone;
  if (include == "Object") n.include = IncludeObject::kObject;
  return n;
}

void WriteBody(const httplib::Request& req, httplib::Response& res, int code,
               std::string body, const char* content_type) {
  if (body.size() < kGzipThreshold) {
    // cpp-httplib decides on compression after the handler from the
    // request's Accept-Encoding; the Request is ours to adjust (it is only
    // const in the handler signature).
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
  }
  res.status = code;
  res.set_content(std::move(body), content_type);
}

void WriteStatus(const httplib::Request& req, httplib::Response& res,
                 const base::Status& status) {
  WriteBody(req, res, base::HttpCodeOf(status.code()),
            StatusToJson(status).dump());
}

void AddWarnings(httplib::Response& res,
                 const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) {
    std::string escaped;
    for (char c : w) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += c;
    }
    res.set_header("Warning", "299 - \"" + escaped + "\"");
  }
}

}  // namespace ksim::apiserver
