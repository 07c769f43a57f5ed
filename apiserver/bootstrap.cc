#include "apiserver/bootstrap.h"

#include "apiserver/service_ips.h"
#include "base/ipv4.h"

namespace ksim::apiserver {

base::Status BootstrapKubernetesService(Registry* registry,
                                        const ServiceRanges& ranges) {
  const ResourceInfo* svc = FindResource("", "v1", "services");
  Target t{svc, "default", "kubernetes", ""};
  if (registry->Get(t).ok()) return base::Status::Ok();
  auto cidr = base::ParseIpv4Cidr(ranges.cidr);
  if (!cidr) return base::BadRequest("invalid service CIDR " + ranges.cidr);
  uint32_t net = cidr->Network();
  base::Json obj = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata",
       {{"name", "kubernetes"},
        {"labels", {{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
      {"spec",
       {{"type", "ClusterIP"},
        {"clusterIP", base::FormatIpv4(net + 1)},
        {"ports",
         {{{"name", "https"},
           {"port", 443},
           {"protocol", "TCP"},
           {"targetPort", 6443}}}}}}};
  WriteOptions o;
  o.field_manager = "kube-apiserver";
  auto created = registry->Create(t, obj.dump(), o);
  if (!created.ok() && created.status().code() != base::Code::kAlreadyExists) {
    return created.status();
  }
  return base::Status::Ok();
}

}  // namespace ksim::apiserver
