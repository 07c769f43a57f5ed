#include "controllers/service_ports.h"

namespace ksim::controllers {
namespace {

using base::Json;

// The named container port in `containers`, if one has `name` and `protocol`.
std::optional<int64_t> FindNamed(const Json* containers,
                                 const std::string& name,
                                 const std::string& protocol,
                                 bool sidecars_only) {
  if (containers == nullptr || !containers->is_array()) return std::nullopt;
  for (const Json& c : *containers) {
    if (sidecars_only && base::GetString(c, {"restartPolicy"}) != "Always") {
      continue;
    }
    const Json* ports = base::Find(c, {"ports"});
    if (ports == nullptr || !ports->is_array()) continue;
    for (const Json& p : *ports) {
      if (base::GetString(p, {"name"}) == name && PortProtocol(p) == protocol) {
        return base::GetInt(p, {"containerPort"});
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::string PortProtocol(const Json& port) {
  std::string protocol = base::GetString(port, {"protocol"});
  return protocol.empty() ? "TCP" : protocol;
}

std::optional<int64_t> FindPort(const Json& pod, const Json& service_port) {
  const Json* target = base::Find(service_port, {"targetPort"});
  // The API server defaults targetPort to port; be as lenient with objects
  // that skipped defaulting.
  if (target == nullptr || target->is_null()) {
    return base::GetInt(service_port, {"port"});
  }
  if (target->is_number_integer()) return target->get<int64_t>();
  if (!target->is_string()) return std::nullopt;
  const std::string name = target->get<std::string>();
  const std::string protocol = PortProtocol(service_port);
  if (auto n = FindNamed(base::Find(pod, {"spec", "containers"}), name,
                         protocol, false)) {
    return n;
  }
  return FindNamed(base::Find(pod, {"spec", "initContainers"}), name, protocol,
                   true);
}

Json EndpointPortFor(const Json& service_port, int64_t port) {
  Json p = {{"name", base::GetString(service_port, {"name"})},
            {"port", port},
            {"protocol", PortProtocol(service_port)}};
  const Json* app = base::Find(service_port, {"appProtocol"});
  if (app != nullptr && app->is_string()) p["appProtocol"] = *app;
  return p;
}

}  // namespace ksim::controllers
