#include "cluster/cluster_config.h"

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "base/yaml_json.h"

namespace ksim::cluster {
namespace {

using base::Json;
using base::Status;
using base::StatusOr;

Status UnknownKeys(const Json& obj, const std::set<std::string>& known,
                   const std::string& where) {
  for (const auto& [k, v] : obj.items()) {
    if (!known.count(k)) {
      return base::BadRequest("cluster config: unknown field \"" + where + k +
                              "\"");
    }
  }
  return Status::Ok();
}

// A scalar as a string: YAML gives numbers for `cpu: 4`.
StatusOr<std::string> ScalarString(const Json& v, const std::string& key) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) {
    std::ostringstream os;
    os << v.get<double>();
    return os.str();
  }
  return base::BadRequest("cluster config: " + key + " must be a string");
}

StatusOr<NodeSpec> ParseNode(const Json& n, const std::string& where) {
  KSIM_RETURN_IF_ERROR(
      UnknownKeys(n,
                  {"name", "namePrefix", "count", "controlPlane", "cpu",
                   "memory", "pods", "ephemeralStorage", "labels", "taints"},
                  where));
  NodeSpec spec;
  if (n.contains("controlPlane")) {
    if (!n["controlPlane"].is_boolean()) {
      return base::BadRequest("cluster config: " + where +
                              "controlPlane must be true or false");
    }
    spec.control_plane = n["controlPlane"].get<bool>();
  }
  if (n.contains("cpu")) {
    KSIM_ASSIGN_OR_RETURN(spec.cpu, ScalarString(n["cpu"], where + "cpu"));
  }
  if (n.contains("memory")) {
    KSIM_ASSIGN_OR_RETURN(spec.memory,
                          ScalarString(n["memory"], where + "memory"));
  }
  if (n.contains("ephemeralStorage")) {
    KSIM_ASSIGN_OR_RETURN(
        spec.ephemeral_storage,
        ScalarString(n["ephemeralStorage"], where + "ephemeralStorage"));
  }
  if (n.contains("pods")) {
    if (!n["pods"].is_number_integer() || n["pods"].get<int64_t>() < 0) {
      return base::BadRequest("cluster config: " + where +
                              "pods must be a non-negative integer");
    }
    spec.pods = n["pods"].get<int>();
  }
  if (n.contains("labels")) {
    if (!n["labels"].is_object()) {
      return base::BadRequest("cluster config: " + where +
                              "labels must be a map");
    }
    for (const auto& [k, v] : n["labels"].items()) {
      KSIM_ASSIGN_OR_RETURN(spec.labels[k],
                            ScalarString(v, where + "labels." + k));
    }
  }
  if (n.contains("taints")) {
    if (!n["taints"].is_array()) {
      return base::BadRequest("cluster config: " + where +
                              "taints must be a list");
    }
    for (const auto& t : n["taints"]) {
      if (!t.is_object() || !t.contains("key") || !t.contains("effect")) {
        return base::BadRequest("cluster config: " + where +
                                "taints need a key and an effect");
      }
      spec.taints.push_back(t);
    }
  }
  return spec;
}

Status ParseNodes(const Json& nodes, ClusterConfig* c) {
  if (!nodes.is_array()) {
    return base::BadRequest("cluster config: nodes must be a list");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Json& n = nodes[i];
    std::string where = "nodes[" + std::to_string(i) + "].";
    if (!n.is_object()) {
      return base::BadRequest("cluster config: " + where + " must be a map");
    }
    KSIM_ASSIGN_OR_RETURN(NodeSpec spec, ParseNode(n, where));
    std::vector<std::string> node_names;
    if (n.contains("name")) {
      node_names.push_back(n["name"].get<std::string>());
    } else if (n.contains("namePrefix")) {
      int64_t count = n.value("count", int64_t{1});
      if (count < 1 || count > 100000) {
        return base::BadRequest("cluster config: " + where +
                                "count must be between 1 and 100000");
      }
      for (int64_t k = 1; k <= count; ++k) {
        node_names.push_back(n["namePrefix"].get<std::string>() +
                             std::to_string(k));
      }
    } else {
      return base::BadRequest("cluster config: " + where +
                              "needs a name or a namePrefix");
    }
    for (auto& name : node_names) {
      if (!names.insert(name).second) {
        return base::BadRequest("cluster config: duplicate node name \"" +
                                name + "\"");
      }
      spec.name = name;
      c->nodes.push_back(spec);
    }
  }
  return Status::Ok();
}

Status ParseKubelet(const Json& k, KubeletDelays* d) {
  KSIM_RETURN_IF_ERROR(
      UnknownKeys(k, {"imagePullDelay", "startDelay"}, "kubelet."));
  if (k.contains("imagePullDelay")) {
    KSIM_ASSIGN_OR_RETURN(
        d->image_pull, ParseGoDuration(k["imagePullDelay"].get<std::string>()));
  }
  if (k.contains("startDelay")) {
    KSIM_ASSIGN_OR_RETURN(d->container_start,
                          ParseGoDuration(k["startDelay"].get<std::string>()));
  }
  return Status::Ok();
}

}  // namespace

ClusterConfig DefaultClusterConfig() {
  ClusterConfig c;
  NodeSpec master;
  master.name = "k8s-master";
  master.control_plane = true;
  c.nodes.push_back(master);
  for (const char* name : {"k8s-node-1", "k8s-node-2"}) {
    NodeSpec worker;
    worker.name = name;
    c.nodes.push_back(worker);
  }
  return c;
}

StatusOr<ClusterConfig> ParseClusterConfig(std::string_view yaml) {
  KSIM_ASSIGN_OR_RETURN(Json doc, base::ParseYaml(yaml));
  ClusterConfig c;
  if (doc.is_null()) return DefaultClusterConfig();
  if (!doc.is_object()) {
    return base::BadRequest("cluster config: the document must be a map");
  }
  KSIM_RETURN_IF_ERROR(
      UnknownKeys(doc,
                  {"podCIDR", "nodeCIDRMaskSize", "serviceCIDR",
                   "nodePortRange", "kubelet", "nodes"},
                  ""));
  try {
    if (doc.contains("podCIDR")) c.pod_cidr = doc["podCIDR"];
    if (doc.contains("nodeCIDRMaskSize")) {
      c.node_cidr_mask_size = doc["nodeCIDRMaskSize"];
    }
    if (doc.contains("serviceCIDR")) c.service_cidr = doc["serviceCIDR"];
    if (doc.contains("nodePortRange")) {
      std::string r = doc["nodePortRange"];
      size_t dash = r.find('-');
      if (dash == std::string::npos) {
        return base::BadRequest(
            "cluster config: nodePortRange must look like 30000-32767");
      }
      c.node_port_min = std::stoi(r.substr(0, dash));
      c.node_port_max = std::stoi(r.substr(dash + 1));
    }
    if (doc.contains("kubelet")) {
      KSIM_RETURN_IF_ERROR(ParseKubelet(doc["kubelet"], &c.kubelet));
    }
    if (doc.contains("nodes"))
      KSIM_RETURN_IF_ERROR(ParseNodes(doc["nodes"], &c));
  } catch (const std::exception& e) {
    return base::BadRequest(std::string("cluster config: ") + e.what());
  }
  if (c.nodes.empty()) c.nodes = DefaultClusterConfig().nodes;
  return c;
}

StatusOr<ClusterConfig> LoadClusterConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return base::NotFound("cannot read cluster config " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseClusterConfig(ss.str());
}

StatusOr<base::Duration> ParseGoDuration(std::string_view s) {
  using std::chrono::duration;
  if (s == "0") return base::Duration::zero();
  double total_ns = 0;
  size_t i = 0;
  if (s.empty()) return base::BadRequest("invalid duration \"\"");
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(s[i]) || s[i] == '.')) ++i;
    if (start == i) {
      return base::BadRequest("invalid duration \"" + std::string(s) + "\"");
    }
    double value = std::stod(std::string(s.substr(start, i - start)));
    size_t unit_start = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string_view unit = s.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "h") scale = 3600e9;
    if (unit == "m") scale = 60e9;
    if (unit == "s") scale = 1e9;
    if (unit == "ms") scale = 1e6;
    if (unit == "us") scale = 1e3;
    if (unit == "ns") scale = 1;
    if (scale == 0) {
      return base::BadRequest("invalid duration \"" + std::string(s) +
                              "\": unknown unit \"" + std::string(unit) + "\"");
    }
    total_ns += value * scale;
  }
  return base::Duration(static_cast<int64_t>(total_ns));
}

}  // namespace ksim::cluster
