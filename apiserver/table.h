// Server-side printing: meta.k8s.io/v1 Table objects with kube-apiserver's
// columns for every served resource (pkg/printers/internalversion), which is
// what `kubectl get` (plain, -o wide, -w) renders verbatim.
// Pure functions; thread-safe.
#ifndef KSIM_APISERVER_TABLE_H_
#define KSIM_APISERVER_TABLE_H_

#include <string>
#include <vector>

#include "apiserver/resources.h"
#include "base/clock.h"
#include "base/json.h"

namespace ksim::apiserver {

using base::Json;

// What rows[].object holds (the includeObject query parameter):
//   kMetadata  {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
//               "metadata":{...the object's full metadata...}} (the default)
//   kObject    the full object (kind and apiVersion filled in if missing)
//   kNone      null (an empty RawExtension, as kube-apiserver encodes it)
enum class IncludeObject { kNone, kMetadata, kObject };

// columnDefinitions for the resource (all columns; priority 1 = wide only).
// Resources without a printer get Name and "Created At".
Json TableColumns(const ResourceInfo& resource);

// One row: {"cells": [...], "object": ...}, plus "conditions" for pods that
// completed ({"type":"Completed","status":"True","reason":"Succeeded",...}).
// `now` computes AGE-like cells. Cells are strings, except the int64 columns
// kube fills with numbers (deployment Up-to-date/Available, replicaset
// counts, event Count, configmap/secret Data, serviceaccount Secrets).
Json TableRow(const ResourceInfo& resource, const Json& obj, base::Time now,
              IncludeObject include);

// A whole Table. `list_meta` is the list's metadata (resourceVersion,
// continue, remainingItemCount) copied into the Table's metadata.
// With with_columns false, columnDefinitions is null (watch events after the
// first, as kube-apiserver sends them).
Json BuildTable(const ResourceInfo& resource, const std::vector<Json>& objs,
                const Json& list_meta, base::Time now, IncludeObject include,
                bool with_columns = true);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_TABLE_H_
