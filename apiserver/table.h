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

// What rows[].object holds (the includeObject query parameter).
enum class IncludeObject { kNone, kMetadata, kObject };

// columnDefinitions for the resource (all columns; priority 1 = wide only).
// Resources without a printer get Name and "Created At".
Json TableColumns(const ResourceInfo& resource);

// One row: {"cells": [...], "object": ...}. `now` computes AGE-like cells.
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
