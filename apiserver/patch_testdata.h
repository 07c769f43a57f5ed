// Small schemas in Kubernetes' OpenAPI v3 form for the patch, strategic
// merge and server-side apply tests (shaped like the real Service and
// Deployment: the same x-kubernetes-* extensions on the same fields).
#ifndef KSIM_APISERVER_PATCH_TESTDATA_H_
#define KSIM_APISERVER_PATCH_TESTDATA_H_

namespace ksim::apiserver::testdata {

inline constexpr char kPatchSchemas[] = R"yaml(
t.Service:
  type: object
  x-kubernetes-group-version-kind:
  - {group: "", version: v1, kind: Service}
  properties:
    apiVersion: {type: string}
    kind: {type: string}
    metadata:
      default: {}
      allOf: [{$ref: "#/components/schemas/t.ObjectMeta"}]
    spec:
      default: {}
      allOf: [{$ref: "#/components/schemas/t.ServiceSpec"}]
    status:
      default: {}
      type: object
      properties:
        loadBalancer: {type: object, properties: {ip: {type: string}}}
t.ObjectMeta:
  type: object
  properties:
    name: {type: string}
    namespace: {type: string}
    uid: {type: string}
    resourceVersion: {type: string}
    generation: {type: integer}
    creationTimestamp: {type: string, format: date-time}
    labels:
      type: object
      additionalProperties: {type: string, default: ""}
    annotations:
      type: object
      additionalProperties: {type: string, default: ""}
    finalizers:
      type: array
      items: {type: string, default: ""}
      x-kubernetes-list-type: set
      x-kubernetes-patch-strategy: merge
    managedFields:
      type: array
      items: {type: object, x-kubernetes-preserve-unknown-fields: true}
t.ServiceSpec:
  type: object
  properties:
    type: {type: string}
    clusterIP: {type: string}
    selector:
      type: object
      additionalProperties: {type: string, default: ""}
      x-kubernetes-map-type: atomic
    externalIPs:
      type: array
      items: {type: string, default: ""}
    ports:
      type: array
      items:
        default: {}
        allOf: [{$ref: "#/components/schemas/t.ServicePort"}]
      x-kubernetes-list-map-keys: [port, protocol]
      x-kubernetes-list-type: map
      x-kubernetes-patch-merge-key: port
      x-kubernetes-patch-strategy: merge
t.ServicePort:
  type: object
  required: [port]
  properties:
    name: {type: string}
    port: {type: integer, format: int32, default: 0}
    protocol: {type: string, default: TCP}
    targetPort: {x-kubernetes-int-or-string: true}
t.Deployment:
  type: object
  x-kubernetes-group-version-kind:
  - {group: apps, version: v1, kind: Deployment}
  properties:
    apiVersion: {type: string}
    kind: {type: string}
    metadata:
      default: {}
      allOf: [{$ref: "#/components/schemas/t.ObjectMeta"}]
    spec:
      default: {}
      allOf: [{$ref: "#/components/schemas/t.DeploymentSpec"}]
    status:
      default: {}
      type: object
      properties:
        replicas: {type: integer}
t.DeploymentSpec:
  type: object
  required: [selector, template]
  properties:
    replicas: {type: integer, format: int32}
    selector:
      allOf: [{$ref: "#/components/schemas/t.LabelSelector"}]
    strategy:
      default: {}
      allOf: [{$ref: "#/components/schemas/t.DeploymentStrategy"}]
      x-kubernetes-patch-strategy: retainKeys
    template:
      default: {}
      allOf: [{$ref: "#/components/schemas/t.PodTemplateSpec"}]
t.LabelSelector:
  type: object
  x-kubernetes-map-type: atomic
  properties:
    matchLabels:
      type: object
      additionalProperties: {type: string, default: ""}
t.DeploymentStrategy:
  type: object
  properties:
    type: {type: string}
    rollingUpdate:
      type: object
      properties:
        maxSurge: {x-kubernetes-int-or-string: true}
        maxUnavailable: {x-kubernetes-int-or-string: true}
t.PodTemplateSpec:
  type: object
  properties:
    metadata:
      default: {}
      allOf: [{$ref: "#/components/schemas/t.ObjectMeta"}]
    spec:
      default: {}
      allOf: [{$ref: "#/components/schemas/t.PodSpec"}]
t.PodSpec:
  type: object
  required: [containers]
  properties:
    containers:
      type: array
      items:
        default: {}
        allOf: [{$ref: "#/components/schemas/t.Container"}]
      x-kubernetes-list-map-keys: [name]
      x-kubernetes-list-type: map
      x-kubernetes-patch-merge-key: name
      x-kubernetes-patch-strategy: merge
    volumes:
      type: array
      items:
        default: {}
        allOf: [{$ref: "#/components/schemas/t.Volume"}]
      x-kubernetes-list-map-keys: [name]
      x-kubernetes-list-type: map
      x-kubernetes-patch-merge-key: name
      x-kubernetes-patch-strategy: merge,retainKeys
    nodeSelector:
      type: object
      additionalProperties: {type: string, default: ""}
      x-kubernetes-map-type: atomic
    restartPolicy: {type: string}
t.Container:
  type: object
  required: [name]
  properties:
    name: {type: string, default: ""}
    image: {type: string}
    args:
      type: array
      items: {type: string, default: ""}
      x-kubernetes-list-type: atomic
    ports:
      type: array
      items:
        default: {}
        allOf: [{$ref: "#/components/schemas/t.ContainerPort"}]
      x-kubernetes-list-map-keys: [containerPort, protocol]
      x-kubernetes-list-type: map
      x-kubernetes-patch-merge-key: containerPort
      x-kubernetes-patch-strategy: merge
    env:
      type: array
      items:
        default: {}
        allOf: [{$ref: "#/components/schemas/t.EnvVar"}]
      x-kubernetes-list-map-keys: [name]
      x-kubernetes-list-type: map
      x-kubernetes-patch-merge-key: name
      x-kubernetes-patch-strategy: merge
    resources:
      default: {}
      type: object
      properties:
        limits:
          type: object
          additionalProperties: {x-kubernetes-int-or-string: true}
t.ContainerPort:
  type: object
  required: [containerPort]
  properties:
    name: {type: string}
    containerPort: {type: integer, format: int32, default: 0}
    protocol: {type: string, default: TCP}
t.EnvVar:
  type: object
  required: [name]
  properties:
    name: {type: string, default: ""}
    value: {type: string}
t.Volume:
  type: object
  required: [name]
  properties:
    name: {type: string, default: ""}
    emptyDir: {type: object, properties: {medium: {type: string}}}
    configMap: {type: object, properties: {name: {type: string}}}
)yaml";

}  // namespace ksim::apiserver::testdata

#endif  // KSIM_APISERVER_PATCH_TESTDATA_H_
