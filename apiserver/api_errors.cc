#include "apiserver/api_errors.h"

namespace ksim::apiserver {
namespace {

base::Details DetailsFor(const ResourceInfo& r, const std::string& name) {
  base::Details d;
  d.name = name;
  d.group = r.group;
  d.kind = r.resource;
  return d;
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

Status NewNotFound(const ResourceInfo& r, const std::string& name) {
  return Status(base::Code::kNotFound,
                r.QualifiedResource() + " " + Quoted(name) + " not found",
                DetailsFor(r, name));
}

Status NewNamespaceNotFound(const std::string& ns) {
  base::Details d;
  d.name = ns;
  d.kind = "namespaces";
  return Status(base::Code::kNotFound,
                "namespaces " + Quoted(ns) + " not found", d);
}

Status NewAlreadyExists(const ResourceInfo& r, const std::string& name) {
  return Status(base::Code::kAlreadyExists,
                r.QualifiedResource() + " " + Quoted(name) + " already exists",
                DetailsFor(r, name));
}

Status NewConflict(const ResourceInfo& r, const std::string& name,
                   const std::string& why) {
  return Status(base::Code::kConflict,
                "Operation cannot be fulfilled on " + r.QualifiedResource() +
                    " " + Quoted(name) + ": " + why,
                DetailsFor(r, name));
}

Status NewStaleConflict(const ResourceInfo& r, const std::string& name) {
  return NewConflict(r, name,
                     "the object has been modified; please apply your "
                     "changes to the latest version and try again");
}

Status NewForbidden(const ResourceInfo& r, const std::string& name,
                    const std::string& why) {
  std::string subject = r.QualifiedResource();
  if (!name.empty()) subject += " " + Quoted(name);
  return Status(base::Code::kForbidden, subject + " is forbidden: " + why,
                DetailsFor(r, name));
}

Status NewMethodNotSupported(const ResourceInfo& r, const std::string& verb) {
  base::Details d;
  d.group = r.group;
  d.kind = r.resource;
  return Status(base::Code::kMethodNotAllowed,
                verb + " is not supported on resources of kind " +
                    Quoted(r.QualifiedResource()),
                d);
}

base::Json StatusToJson(const Status& status) {
  base::Json j = {{"kind", "Status"},
                  {"apiVersion", "v1"},
                  {"metadata", base::Json::object()}};
  if (status.ok()) {
    j["status"] = "Success";
    j["code"] = 200;
    return j;
  }
  j["status"] = "Failure";
  j["message"] = status.message();
  j["reason"] = base::ReasonOf(status.code());
  j["code"] = base::HttpCodeOf(status.code());
  if (const base::Details* d = status.details()) {
    base::Json details = base::Json::object();
    if (!d->name.empty()) details["name"] = d->name;
    if (!d->group.empty()) details["group"] = d->group;
    if (!d->kind.empty()) details["kind"] = d->kind;
    if (!d->uid.empty()) details["uid"] = d->uid;
    if (!d->causes.empty()) {
      base::Json causes = base::Json::array();
      for (const auto& c : d->causes) {
        base::Json cause = base::Json::object();
        if (!c.reason.empty()) cause["reason"] = c.reason;
        if (!c.message.empty()) cause["message"] = c.message;
        if (!c.field.empty()) cause["field"] = c.field;
        causes.push_back(cause);
      }
      details["causes"] = causes;
    }
    if (d->retry_after_seconds > 0) {
      details["retryAfterSeconds"] = d->retry_after_seconds;
    }
    j["details"] = details;
  }
  return j;
}

base::Json SuccessStatus(const ResourceInfo& r, const std::string& name,
                         const std::string& uid) {
  base::Json details = {{"name", name}, {"kind", r.resource}};
  if (!r.group.empty()) details["group"] = r.group;
  if (!uid.empty()) details["uid"] = uid;
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", base::Json::object()},
          {"status", "Success"},
          {"details", details}};
}

}  // namespace ksim::apiserver
