// Building blocks of the /openapi/v3 operations; see openapi_parts.h.
#include "apiserver/openapi_parts.h"

#include <cctype>
#include <map>

namespace ksim::apiserver::openapi_parts {
namespace {

Json Content(std::string_view component, bool watchable) {
  Json schema = Ref(component);
  Json c = {{"application/json", {{"schema", schema}}},
            {"application/yaml", {{"schema", schema}}},
            {"application/vnd.kubernetes.protobuf", {{"schema", schema}}}};
  if (watchable) {
    c["application/json;stream=watch"] = {{"schema", schema}};
    c["application/vnd.kubernetes.protobuf;stream=watch"] = {
        {"schema", schema}};
  }
  return c;
}

}  // namespace

std::string Capitalize(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(out[0]));
  return out;
}

// "discovery.k8s.io", "v1" -> "DiscoveryV1" (operation ids); "" -> "CoreV1".
std::string GroupVersionId(std::string_view group, std::string_view version) {
  std::string_view first = group.substr(0, group.find('.'));
  return Capitalize(group.empty() ? "core" : first) + Capitalize(version);
}

std::string Tag(std::string_view group, std::string_view version) {
  std::string_view first = group.substr(0, group.find('.'));
  return std::string(group.empty() ? "core" : first) + "_" +
         std::string(version);
}

Json Ref(std::string_view component) {
  return {{"$ref", std::string(kRefPrefix) + std::string(component)}};
}

Json Param(std::string_view name, std::string_view type,
           std::string_view description, std::string_view in) {
  Json p = {{"name", name},
            {"in", in},
            {"description", description},
            {"schema", {{"type", type}, {"uniqueItems", true}}}};
  if (in == "path") p["required"] = true;
  return p;
}

Json QueryParams(std::initializer_list<std::string_view> names) {
  static const std::map<std::string_view, Json> kAll = {
      {"allowWatchBookmarks",
       Param("allowWatchBookmarks", "boolean",
             "Asks for BOOKMARK events in a watch; the server may ignore it.")},
      {"container", Param("container", "string",
                          "The container to return logs of; optional when the "
                          "pod has one container.")},
      {"continue", Param("continue", "string",
                         "The continue token of a previous limited list, to "
                         "fetch the next page.")},
      {"dryRun",
       Param(
           "dryRun", "string",
           "When All, the request is processed completely but not persisted.")},
      {"fieldManager", Param("fieldManager", "string",
                             "Name of the actor making the change, for field "
                             "ownership tracking.")},
      {"fieldSelector",
       Param("fieldSelector", "string",
             "Restricts the objects returned by their fields.")},
      {"fieldValidation",
       Param("fieldValidation", "string",
             "What to do with unknown or duplicate fields in the request body: "
             "Ignore, Warn (the default) or Strict.")},
      {"follow", Param("follow", "boolean", "Streams the log as it grows.")},
      {"force",
       Param("force", "boolean",
             "Takes ownership of conflicting fields in an apply request.")},
      {"gracePeriodSeconds",
       Param("gracePeriodSeconds", "integer",
             "Seconds before the object is deleted; 0 deletes at once.")},
      {"ignoreStoreReadErrorWithClusterBreakingPotential",
       Param("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean",
             "Deletes an object that cannot be decoded from storage.")},
      {"insecureSkipTLSVerifyBackend",
       Param("insecureSkipTLSVerifyBackend", "boolean",
             "Skips verifying the kubelet's certificate when fetching logs.")},
      {"labelSelector",
       Param("labelSelector", "string",
             "Restricts the objects returned by their labels.")},
      {"limit", Param("limit", "integer",
                      "Maximum number of items of a list response; the rest is "
                      "fetched with continue.")},
      {"limitBytes",
       Param("limitBytes", "integer", "Maximum number of log bytes returned.")},
      {"orphanDependents", Param("orphanDependents", "boolean",
                                 "Deprecated; use propagationPolicy.")},
      {"previous",
       Param("previous", "boolean",
             "Returns the log of the previous, terminated container.")},
      {"propagationPolicy", Param("propagationPolicy", "string",
                                  "How dependents are garbage collected: "
                                  "Orphan, Background or Foreground.")},
      {"resourceVersion", Param("resourceVersion", "string",
                                "Constrains which resource versions a list or "
                                "watch may be served from.")},
      {"resourceVersionMatch",
       Param("resourceVersionMatch", "string",
             "How resourceVersion applies to a list: Exact or NotOlderThan.")},
      {"sendInitialEvents",
       Param("sendInitialEvents", "boolean",
             "Starts a watch with synthetic events for the current state.")},
      {"sinceSeconds",
       Param("sinceSeconds", "integer",
             "Returns only log lines newer than this many seconds.")},
      {"stream", Param("stream", "string",
                       "Which log stream to return: All, Stdout or Stderr.")},
      {"tailLines",
       Param("tailLines", "integer",
             "Number of lines from the end of the log to return.")},
      {"timeoutSeconds",
       Param("timeoutSeconds", "integer",
             "Ends a list or watch call after this many seconds.")},
      {"timestamps",
       Param("timestamps", "boolean",
             "Prefixes every log line with an RFC 3339 timestamp.")},
      {"watch", Param("watch", "boolean",
                      "Streams changes to the described objects instead of "
                      "listing them.")},
  };
  Json out = Json::array();
  for (std::string_view n : names) out.push_back(kAll.at(n));
  return out;
}

Json ListParams() {
  return QueryParams({"allowWatchBookmarks", "continue", "fieldSelector",
                      "labelSelector", "limit", "resourceVersion",
                      "resourceVersionMatch", "sendInitialEvents",
                      "timeoutSeconds", "watch"});
}

Json WriteParams(bool patch) {
  return patch ? QueryParams(
                     {"dryRun", "fieldManager", "fieldValidation", "force"})
               : QueryParams({"dryRun", "fieldManager", "fieldValidation"});
}

Json Responses(std::initializer_list<std::pair<const char*, const char*>> codes,
               std::string_view component, bool watchable) {
  Json r = {{"401", {{"description", "Unauthorized"}}}};
  for (const auto& [code, text] : codes) {
    r[code] = {{"description", text},
               {"content", Content(component, watchable)}};
  }
  return r;
}

Json Body(std::string_view component, bool required) {
  Json body = {{"content", {{"*/*", {{"schema", Ref(component)}}}}}};
  if (required) body["required"] = true;
  return body;
}

Json PatchBody() {
  Json schema = Ref("io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
  Json content = Json::object();
  for (const char* type :
       {"application/apply-patch+yaml", "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json"}) {
    content[type] = {{"schema", schema}};
  }
  return {{"content", content}, {"required", true}};
}

}  // namespace ksim::apiserver::openapi_parts
