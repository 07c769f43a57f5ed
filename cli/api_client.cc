#include "cli/api_client.h"

#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

namespace ksim::cli {
namespace {

// The named entry of a kubeconfig list (clusters, contexts), or an
// undefined node.
YAML::Node Named(const YAML::Node& list, const std::string& name) {
  if (!list || !list.IsSequence()) return YAML::Node(YAML::NodeType::Undefined);
  for (const YAML::Node& item : list) {
    if (item.IsMap() && item["name"] && item["name"].IsScalar() &&
        item["name"].Scalar() == name) {
      return item;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string Scalar(const YAML::Node& n) {
  return n && n.IsScalar() ? n.Scalar() : "";
}

base::Code CodeOfHttp(int status) {
  for (int c = static_cast<int>(base::Code::kBadRequest);
       c <= static_cast<int>(base::Code::kTimeout); ++c) {
    if (base::HttpCodeOf(static_cast<base::Code>(c)) == status) {
      return static_cast<base::Code>(c);
    }
  }
  return base::Code::kInternal;
}

}  // namespace

base::StatusOr<std::string> ServerFromKubeconfigs(
    const std::vector<std::string>& yaml_texts, const std::string& context) {
  std::vector<YAML::Node> docs;
  for (const std::string& text : yaml_texts) {
    try {
      YAML::Node doc = YAML::Load(text);
      if (doc.IsMap()) docs.push_back(doc);
    } catch (const YAML::Exception& e) {
      return base::BadRequest("the kubeconfig is not valid YAML: " +
                              std::string(e.what()));
    }
  }
  std::string name = context;
  for (const YAML::Node& d : docs) {
    if (!name.empty()) break;
    name = Scalar(d["current-context"]);
  }
  if (name.empty()) {
    return base::NotFound(
        "no current context in the kubeconfig (start a cluster with `ksim "
        "up`, or pass --context or --server)");
  }
  std::string cluster;
  bool found = false;
  for (const YAML::Node& d : docs) {
    YAML::Node c = Named(d["contexts"], name);
    if (c) {
      cluster = Scalar(c["context"]["cluster"]);
      found = true;
      break;
    }
  }
  if (!found) return base::NotFound("context \"" + name + "\" does not exist");
  for (const YAML::Node& d : docs) {
    YAML::Node c = Named(d["clusters"], cluster);
    if (c) {
      std::string server = Scalar(c["cluster"]["server"]);
      if (!server.empty()) return server;
    }
  }
  return base::NotFound("cluster \"" + cluster + "\" of context \"" + name +
                        "\" has no server");
}

base::StatusOr<std::string> ResolveServer(const ClusterFlags& flags,
                                          const std::string& kubeconfig_env,
                                          const std::string& home) {
  std::string server = flags.server;
  if (server.empty()) {
    std::vector<std::string> paths;
    if (!flags.kubeconfig.empty()) {
      paths.push_back(flags.kubeconfig);
    } else if (!kubeconfig_env.empty()) {
      std::stringstream ss(kubeconfig_env);
      std::string p;
      while (std::getline(ss, p, ':')) {
        if (!p.empty()) paths.push_back(p);
      }
    } else {
      paths.push_back(home + "/.kube/config");
    }
    std::vector<std::string> texts;
    for (const std::string& p : paths) {
      std::ifstream in(p);
      if (!in) {
        if (!flags.kubeconfig.empty()) {
          return base::NotFound("cannot read the kubeconfig " + p);
        }
        continue;
      }
      std::stringstream buf;
      buf << in.rdbuf();
      texts.push_back(buf.str());
    }
    KSIM_ASSIGN_OR_RETURN(server, ServerFromKubeconfigs(texts, flags.context));
  }
  if (server.find("://") == std::string::npos) server = "http://" + server;
  while (server.size() > 8 && server.back() == '/') server.pop_back();
  return server;
}

base::StatusOr<std::string> ResolveServer(const ClusterFlags& flags) {
  const char* env = std::getenv("KUBECONFIG");
  const char* home = std::getenv("HOME");
  return ResolveServer(flags, env ? env : "", home ? home : "");
}

base::StatusOr<base::Json> ApiClient::Call(const std::string& method,
                                           const std::string& path,
                                           const base::Json* body,
                                           double timeout_seconds) {
  if (server_.rfind("https://", 0) == 0) {
    return base::Status(
        base::Code::kServiceUnavailable,
        "the server " + server_ + " speaks TLS; ksim serves plain HTTP");
  }
  httplib::Client client(server_);
  auto secs = static_cast<time_t>(timeout_seconds);
  auto usecs = static_cast<time_t>((timeout_seconds - secs) * 1e6);
  client.set_read_timeout(secs, usecs);
  client.set_write_timeout(secs, usecs);
  client.set_connection_timeout(10, 0);
  std::string payload = body ? body->dump() : "";
  if (method != "GET" && method != "POST" && method != "DELETE") {
    return base::BadRequest("unsupported method " + method);
  }
  httplib::Result r = method == "GET"    ? client.Get(path.c_str())
                      : method == "POST" ? client.Post(path.c_str(), payload,
                                                       "application/json")
                                         : client.Delete(path.c_str());
  if (!r) {
    std::string why = r.error() == httplib::Error::Connection
                          ? " (is `ksim up` running?)"
                          : ": " + httplib::to_string(r.error());
    return base::Status(base::Code::kServiceUnavailable,
                        "cannot reach ksim at " + server_ + why);
  }
  auto parsed = base::ParseJson(r->body);
  if (r->status >= 200 && r->status < 300) {
    if (!parsed.ok()) {
      return base::Internal("the server answered " + path +
                            " with invalid JSON");
    }
    return parsed;
  }
  std::string message = parsed.ok() && parsed->is_object()
                            ? parsed->value("message", "")
                            : std::string();
  if (message.empty()) {
    message = "the server answered " + std::to_string(r->status) + " to " +
              method + " " + path;
  }
  return base::Status(CodeOfHttp(r->status), message);
}

}  // namespace ksim::cli
