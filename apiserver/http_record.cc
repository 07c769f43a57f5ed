#include "apiserver/http_record.h"

#include <vector>

#include "apiserver/object_codec.h"
#include "apiserver/resource_path.h"
#include "apiserver/resources.h"
#include "base/encoding.h"

namespace ksim::apiserver {
namespace {

using base::Json;

bool IsWrite(const std::string& m) {
  return m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
}

// Fields that change with the clock or the identity of a run, not with
// what was asked: dropped before two states are compared.
void Normalize(Json& obj) {
  if (auto m = obj.find("metadata"); m != obj.end() && m->is_object()) {
    for (const char* k : {"uid", "resourceVersion", "creationTimestamp",
                          "managedFields", "deletionTimestamp", "selfLink"}) {
      m->erase(k);
    }
    if (auto refs = m->find("ownerReferences");
        refs != m->end() && refs->is_array()) {
      for (Json& r : *refs) r.erase("uid");
    }
  }
  obj.erase("status");
  if (auto spec = obj.find("spec"); spec != obj.end() && spec->is_object()) {
    // Where the scheduler put a pod depends on timing, not on the requests.
    spec->erase("nodeName");
    // The service account token volume's random suffix, like a uid.
    auto token_names = [](Json* list) {
      if (!list || !list->is_array()) return;
      for (Json& v : *list) {
        std::string n = v.value("name", "");
        if (n.rfind("kube-api-access-", 0) == 0) v["name"] = "kube-api-access-";
      }
    };
    if (auto v = spec->find("volumes"); v != spec->end()) token_names(&*v);
    for (const char* k : {"containers", "initContainers"}) {
      auto cs = spec->find(k);
      if (cs == spec->end() || !cs->is_array()) continue;
      for (Json& c : *cs) {
        if (auto m = c.find("volumeMounts"); m != c.end()) token_names(&*m);
      }
    }
    if (auto t = spec->find("template"); t != spec->end() && t->is_object()) {
      Normalize(*t);
    }
  }
}

}  // namespace

base::StatusOr<std::unique_ptr<RequestLog>> RequestLog::Open(
    const std::string& path, const base::Clock* clock, uint64_t seed) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return base::Internal("cannot write the record file " + path);
  std::unique_ptr<RequestLog> log(new RequestLog(std::move(out), clock));
  log->out_ << Json{{"ksimRecord", 1},
                    {"seed", seed},
                    {"start", base::FormatRfc3339Micro(log->start_)}}
                   .dump()
            << "\n";
  log->out_.flush();
  return log;
}

RequestLog::RequestLog(std::ofstream out, const base::Clock* clock)
    : out_(std::move(out)), clock_(clock), start_(clock->Now()) {}

void RequestLog::Record(const httplib::Request& req,
                        const httplib::Response& res) {
  if (!IsWrite(req.method)) return;
  std::string prefix = PrefixOfPath(req.path);
  if (prefix.empty()) return;
  Json query = Json::object();
  for (const auto& [k, v] : req.params) query[k] = v;
  Json headers = Json::object();
  for (const char* h : {"Content-Type", "User-Agent", "Accept"}) {
    if (req.has_header(h)) headers[h] = req.get_header_value(h);
  }
  std::lock_guard<std::mutex> l(mu_);
  if (finished_) return;
  double t = std::chrono::duration<double>(clock_->Now() - start_).count();
  Json line = {{"t", t},         {"method", req.method}, {"path", req.path},
               {"query", query}, {"headers", headers},   {"code", res.status}};
  // kubectl sends protobuf: binary bodies are kept as base64.
  if (req.get_header_value("Content-Type").find("protobuf") !=
      std::string::npos) {
    line["bodyBase64"] = base::Base64Encode(req.body);
  } else {
    line["body"] = req.body;
  }
  out_ << line.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
  out_.flush();
  if (res.status < 400) prefixes_.insert(prefix);
}

void RequestLog::Finish(store::Store* store) {
  std::lock_guard<std::mutex> l(mu_);
  if (finished_) return;
  finished_ = true;
  out_ << Json{{"final", NormalizedState(store, prefixes_)}}.dump() << "\n";
  out_.flush();
}

std::string PrefixOfPath(const std::string& path) {
  ResourcePath r;
  return ParseResourcePath(path, &r) ? ResourcePrefix(*r.resource) : "";
}

Json NormalizedState(store::Store* store,
                     const std::set<std::string>& prefixes) {
  Json state = Json::object();
  for (const std::string& p : prefixes) {
    store::ListOptions o;
    o.prefix = p;
    auto l = store->List(o);
    if (!l.ok()) continue;
    for (const store::Object& obj : l->items) {
      auto j = base::ParseJson(*obj.value);
      if (!j.ok()) continue;
      Normalize(*j);
      state[obj.key] = std::move(*j);
    }
  }
  return state;
}

int ReplayRequest(const HttpContext& ctx, const Json& record) {
  httplib::Request req;
  req.method = record.value("method", "");
  req.path = record.value("path", "");
  req.target = req.path;
  req.body = record.value("body", "");
  if (record.contains("bodyBase64")) {
    req.body = base::Base64Decode(record.value("bodyBase64", "")).value_or("");
  }
  if (const Json* q = base::Find(record, {"query"}); q && q->is_object()) {
    for (const auto& [k, v] : q->items()) {
      req.params.emplace(k, v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  if (const Json* h = base::Find(record, {"headers"}); h && h->is_object()) {
    for (const auto& [k, v] : h->items()) {
      req.headers.emplace(k, v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  httplib::Response res;
  HandleResource(ctx, req.method, req, res);
  return res.status;
}

}  // namespace ksim::apiserver
