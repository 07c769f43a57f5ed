// OpenAPI documents built from the SchemaRegistry and the resources table:
//   GET /openapi/v3            -> {"paths": {"api/v1": {"serverRelativeURL":
//                                  "/openapi/v3/api/v1?hash=<HEX>"}, ...}}
//   GET /openapi/v3/api/v1, /openapi/v3/apis/<g>/<v>
//                              -> the group-version's paths and component
//                                 schemas (what kubectl explain reads and
//                                 where kubectl's field-validation probe finds
//                                 the fieldValidation parameter on PATCH).
//   GET /openapi/v2            -> protobuf (see OpenApiV2Protobuf).
// The documents are computed once and cached (they never change at run time).
// Thread-safety: safe for concurrent use.
#ifndef KSIM_APISERVER_OPENAPI_H_
#define KSIM_APISERVER_OPENAPI_H_

#include <optional>
#include <string>
#include <string_view>

namespace ksim::apiserver {

struct OpenApiDocument {
  std::string body;          // the serialized document
  std::string content_type;  // e.g. "application/json"
  std::string etag;          // a stable hash of body, quoted for ETag
};

// The /openapi/v3 discovery document.
const OpenApiDocument& OpenApiV3Root();
// The document of one group-version ("api/v1", "apis/apps/v1"); nullopt if
// the group-version is not served.
std::optional<OpenApiDocument> OpenApiV3ForPath(std::string_view gv_path);
// /openapi/v2 as kubectl 1.27/1.28 requires it (they fetch it eagerly on
// create/apply): Content-Type
// application/com.github.proto-openapi.spec.v2.v1.0+protobuf.
const OpenApiDocument& OpenApiV2Protobuf();

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_OPENAPI_H_
