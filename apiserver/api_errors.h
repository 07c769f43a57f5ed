// Constructors for the API errors kube-apiserver returns, with its exact
// wording (k8s.io/apimachinery/pkg/api/errors), and the Status wire object.
#ifndef KSIM_APISERVER_API_ERRORS_H_
#define KSIM_APISERVER_API_ERRORS_H_

#include <string>

#include "apiserver/resources.h"
#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

using base::Status;

// pods "x" not found
Status NewNotFound(const ResourceInfo& r, const std::string& name);
// The namespace of a request does not exist: namespaces "x" not found
Status NewNamespaceNotFound(const std::string& ns);
// services "webapp" already exists
Status NewAlreadyExists(const ResourceInfo& r, const std::string& name);
// Operation cannot be fulfilled on services "webapp": <why>
Status NewConflict(const ResourceInfo& r, const std::string& name,
                   const std::string& why);
// The usual optimistic-concurrency conflict.
Status NewStaleConflict(const ResourceInfo& r, const std::string& name);
// pods "x" is forbidden: <why>
Status NewForbidden(const ResourceInfo& r, const std::string& name,
                    const std::string& why);
// the server does not allow this method on the requested resource
Status NewMethodNotSupported(const ResourceInfo& r, const std::string& verb);

// The metav1.Status object for an error (or a Success status).
base::Json StatusToJson(const Status& status);
// {"kind":"Status",...,"status":"Success","details":{name,group,kind,uid}}
base::Json SuccessStatus(const ResourceInfo& r, const std::string& name,
                         const std::string& uid);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_API_ERRORS_H_
