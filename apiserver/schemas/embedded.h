// The schema files of apiserver/schemas/*.yaml, compiled into the binary by
// the build (apiserver/schemas/embed.cmake generates their definition).
// Thread-safety: constant data.
#ifndef KSIM_APISERVER_SCHEMAS_EMBEDDED_H_
#define KSIM_APISERVER_SCHEMAS_EMBEDDED_H_

#include <span>
#include <string_view>

namespace ksim::apiserver {

struct EmbeddedSchemaFile {
  std::string_view name;  // "apps.yaml"
  std::string_view yaml;  // the file's text
};

// Every schema file, sorted by name. The views stay valid for the program's
// lifetime.
std::span<const EmbeddedSchemaFile> EmbeddedSchemaFiles();

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_SCHEMAS_EMBEDDED_H_
