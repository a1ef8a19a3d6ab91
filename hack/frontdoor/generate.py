#!/usr/bin/env python3
"""Writes the front-door corpora of model/testdata/frontdoor:

  invalid/  one manifest per file, each with one mistake (invalid.py);
  corpus/   manifests in the shapes real applications ship: several kinds
            per file, Lists, JSON, comments, YAML anchors, repeated keys,
            the fields charts set, removed API versions.

Names are unique per file, so that hack/controlplane/frontdoor.sh can apply
them one after the other to one real control plane. Deterministic: the
same files every run. Run it from anywhere; commit what it writes, then
capture the real API server's answers with frontdoor.sh.
"""
import copy
import json
import os
import random
import sys

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from invalid import CASES  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "model", "testdata", "frontdoor")


def labels(app, part=None):
    l = {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": app, "app.kubernetes.io/managed-by": "Helm",
         "helm.sh/chart": app.split("-")[0] + "-1.4.2"}
    if part:
        l["app.kubernetes.io/component"] = part
    return l


def selector(app):
    return {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": app}


def meta(name, ns=None, app=None, part=None, annotations=None):
    m = {"name": name}
    if ns:
        m["namespace"] = ns
    if app:
        m["labels"] = labels(app, part)
    if annotations:
        m["annotations"] = annotations
    return m


def container(name, image, port=8080, probes=True, resources=True, env=None, secure=True):
    c = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
         "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}]}
    if env:
        c["env"] = env
    if probes:
        c["readinessProbe"] = {"httpGet": {"path": "/healthz", "port": "http"}, "initialDelaySeconds": 5, "periodSeconds": 10}
        c["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": "http"}, "failureThreshold": 6}
    if resources:
        c["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
    if secure:
        c["securityContext"] = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}}
    return c


def podspec(app, containers, sa=None, extra=None):
    s = {"containers": containers}
    if sa:
        s["serviceAccountName"] = sa
    s["securityContext"] = {"seccompProfile": {"type": "RuntimeDefault"}, "fsGroup": 1000}
    s["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": selector(app)}}}]}}
    s["topologySpreadConstraints"] = [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                       "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": selector(app)}}]
    s["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": app, "effect": "NoSchedule"}]
    if extra:
        s.update(extra)
    return s


def webapp(app, ns):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(app + "-config", ns, app), "data": {"LOG_LEVEL": "info", "app.properties": "feature.x=true\n"}}
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(app, ns, app, "web"),
           "spec": {"replicas": 2, "revisionHistoryLimit": 5, "selector": {"matchLabels": selector(app)},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                    "template": {"metadata": {"labels": labels(app, "web"), "annotations": {"checksum/config": "3f2a9c"}},
                                 "spec": podspec(app, [container("web", "ghcr.io/acme/" + app + ":2.3.1",
                                                                 env=[{"name": "LOG_LEVEL", "valueFrom": {"configMapKeyRef": {"name": app + "-config", "key": "LOG_LEVEL"}}},
                                                                      {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}])],
                                                 extra={"volumes": [{"name": "config", "configMap": {"name": app + "-config"}}, {"name": "tmp", "emptyDir": {}}]})}}}
    c0 = dep["spec"]["template"]["spec"]["containers"][0]
    c0["volumeMounts"] = [{"name": "config", "mountPath": "/etc/app"}, {"name": "tmp", "mountPath": "/tmp"}]
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": meta(app, ns, app),
           "spec": {"type": "ClusterIP", "selector": selector(app), "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}}
    ing = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta(app, ns, app, annotations={"nginx.ingress.kubernetes.io/proxy-body-size": "8m"}),
           "spec": {"ingressClassName": "nginx", "tls": [{"hosts": [app + ".example.com"], "secretName": app + "-tls"}],
                    "rules": [{"host": app + ".example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": app, "port": {"name": "http"}}}}]}}]}}
    return [cm, dep, svc, ing]


def redis(app, ns):
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": meta(app + "-headless", ns, app),
           "spec": {"clusterIP": "None", "selector": selector(app), "ports": [{"name": "redis", "port": 6379, "targetPort": "redis"}]}}
    c = container("redis", "redis:7.2.4", port=6379, probes=False)
    c["ports"][0]["name"] = "redis"
    c["readinessProbe"] = {"exec": {"command": ["redis-cli", "ping"]}, "periodSeconds": 5, "timeoutSeconds": 2}
    c["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta(app, ns, app, "cache"),
           "spec": {"serviceName": app + "-headless", "replicas": 3, "podManagementPolicy": "OrderedReady",
                    "selector": {"matchLabels": selector(app)},
                    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Delete"},
                    "template": {"metadata": {"labels": labels(app, "cache")}, "spec": podspec(app, [c])},
                    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "8Gi"}}}}]}}
    return [svc, sts]


def postgres(app, ns):
    sec = {"apiVersion": "v1", "kind": "Secret", "metadata": meta(app + "-auth", ns, app), "type": "Opaque",
           "stringData": {"POSTGRES_PASSWORD": "change-me", "POSTGRES_USER": "app"}}
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta(app + "-data", ns, app),
           "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}}}}
    c = container("postgres", "postgres:16.2", port=5432, probes=False, secure=False)
    c["envFrom"] = [{"secretRef": {"name": app + "-auth"}}]
    c["volumeMounts"] = [{"name": "data", "mountPath": "/var/lib/postgresql/data"}]
    c["startupProbe"] = {"tcpSocket": {"port": 5432}, "failureThreshold": 30, "periodSeconds": 2}
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(app, ns, app, "db"),
           "spec": {"replicas": 1, "strategy": {"type": "Recreate"}, "selector": {"matchLabels": selector(app)},
                    "template": {"metadata": {"labels": labels(app, "db")},
                                 "spec": podspec(app, [c], extra={"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": app + "-data"}}]})}}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": meta(app, ns, app), "spec": {"selector": selector(app), "ports": [{"port": 5432, "targetPort": 5432}]}}
    return [sec, pvc, dep, svc]


def worker(app, ns):
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(app, ns, app, "worker"),
           "spec": {"replicas": 3, "selector": {"matchLabels": selector(app)}, "minReadySeconds": 10, "progressDeadlineSeconds": 300,
                    "template": {"metadata": {"labels": labels(app, "worker")},
                                 "spec": podspec(app, [container("worker", "ghcr.io/acme/" + app + ":1.0.0", probes=False)],
                                                 extra={"terminationGracePeriodSeconds": 60, "priorityClassName": ""})}}}
    del dep["spec"]["template"]["spec"]["priorityClassName"]
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta(app, ns, app),
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app}, "minReplicas": 3, "maxReplicas": 20,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
                    "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300, "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}]}}}}
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(app, ns, app),
           "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(app)}, "unhealthyPodEvictionPolicy": "AlwaysAllow"}}
    return [dep, hpa, pdb]


def cron(app, ns):
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(app, ns, app), "automountServiceAccountToken": False}
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(app, ns, app),
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "update"]},
                      {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "watch"]}]}
    rb = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(app, ns, app),
          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": app},
          "subjects": [{"kind": "ServiceAccount", "name": app, "namespace": ns or "default"}]}
    c = container("backup", "ghcr.io/acme/backup:5.1", probes=False)
    del c["ports"]
    c["args"] = ["--target", "s3://backups/" + app]
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(app, ns, app),
          "spec": {"schedule": "30 2 * * *", "timeZone": "Europe/Berlin", "concurrencyPolicy": "Forbid", "startingDeadlineSeconds": 600,
                   "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                   "jobTemplate": {"spec": {"backoffLimit": 2, "activeDeadlineSeconds": 3600, "ttlSecondsAfterFinished": 86400,
                                            "template": {"metadata": {"labels": labels(app)}, "spec": {"serviceAccountName": app, "restartPolicy": "OnFailure", "containers": [c]}}}}}}
    return [sa, role, rb, cj]


def batch(app, ns):
    c = container("shard", "ghcr.io/acme/reindex:3.0", probes=False)
    del c["ports"]
    c["env"] = [{"name": "SHARD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}}]
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(app, ns, app),
           "spec": {"completions": 8, "parallelism": 2, "completionMode": "Indexed", "backoffLimitPerIndex": 1, "maxFailedIndexes": 2,
                    "podFailurePolicy": {"rules": [{"action": "FailJob", "onExitCodes": {"containerName": "shard", "operator": "In", "values": [42]}},
                                                   {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]},
                    "template": {"metadata": {"labels": labels(app)}, "spec": {"restartPolicy": "Never", "containers": [c]}}}}
    return [job]


def agent(app, ns):
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(app, ns, app)}
    cr = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta(app, None, app),
          "rules": [{"apiGroups": [""], "resources": ["nodes", "nodes/metrics", "pods"], "verbs": ["get", "list", "watch"]},
                    {"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]}
    crb = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": meta(app, None, app),
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": app},
           "subjects": [{"kind": "ServiceAccount", "name": app, "namespace": ns or "default"}]}
    c = container("agent", "fluent/fluent-bit:3.0.4", port=2020, secure=False)
    c["volumeMounts"] = [{"name": "varlog", "mountPath": "/var/log", "readOnly": True}]
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta(app, ns, app, "agent"),
          "spec": {"selector": {"matchLabels": selector(app)}, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                   "template": {"metadata": {"labels": labels(app, "agent")},
                                "spec": {"serviceAccountName": app, "hostNetwork": True, "dnsPolicy": "ClusterFirstWithHostNet", "priorityClassName": "system-node-critical",
                                         "tolerations": [{"operator": "Exists"}], "containers": [c],
                                         "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log", "type": "Directory"}}]}}}}
    return [sa, cr, crb, ds]


def netpol(app, ns):
    deny = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(app + "-default-deny", ns, app),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}
    allow = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(app + "-allow-web", ns, app),
             "spec": {"podSelector": {"matchLabels": selector(app)}, "policyTypes": ["Ingress"],
                      "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
                                            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.96.0.0/12"]}}],
                                   "ports": [{"protocol": "TCP", "port": 8080}]}]}}
    return [deny, allow]


def quota(app, ns):
    q = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta(app + "-compute", ns, app),
         "spec": {"hard": {"requests.cpu": "8", "requests.memory": "16Gi", "limits.memory": "32Gi", "pods": "50", "count/deployments.apps": "20"}}}
    lr = {"apiVersion": "v1", "kind": "LimitRange", "metadata": meta(app + "-defaults", ns, app),
          "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"}, "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                               "max": {"cpu": "4", "memory": "8Gi"}}]}}
    return [q, lr]


def priority(app, ns):
    pc = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": meta(app + "-critical", None, app),
          "value": 100000, "globalDefault": False, "preemptionPolicy": "PreemptLowerPriority", "description": "Customer-facing workloads."}
    dep = webapp(app, ns)[1]
    dep["spec"]["template"]["spec"]["priorityClassName"] = app + "-critical"
    return [pc, dep]


def storage(app, ns):
    sc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta(app + "-fast", None, app,
                                                                                       annotations={"storageclass.kubernetes.io/is-default-class": "false"}),
          "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3", "iops": "6000"}, "reclaimPolicy": "Delete",
          "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": True}
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta(app + "-scratch", ns, app),
           "spec": {"storageClassName": app + "-fast", "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "100Gi"}}}}
    pv = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": meta(app + "-nfs", None, app),
          "spec": {"capacity": {"storage": "500Gi"}, "accessModes": ["ReadWriteMany"], "persistentVolumeReclaimPolicy": "Retain",
                   "nfs": {"server": "nfs.internal", "path": "/exports/" + app}, "mountOptions": ["nfsvers=4.1"]}}
    return [sc, pvc, pv]


def legacy(app, ns):
    rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": meta(app, ns, app),
          "spec": {"replicas": 2, "selector": {"app": app}, "template": {"metadata": {"labels": {"app": app}},
                                                                        "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}}}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": meta(app, ns, app), "spec": {"selector": {"app": app}, "ports": [{"port": 80}]}}
    ext = {"apiVersion": "v1", "kind": "Service", "metadata": meta(app + "-external", ns, app), "spec": {"ports": [{"port": 5432}]}}
    ep = {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta(app + "-external", ns, app),
          "subsets": [{"addresses": [{"ip": "192.0.2.10"}], "ports": [{"port": 5432}]}]}
    return [rc, svc, ext, ep]


def operator(app, ns):
    plural = app.replace("-", "") + "s"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": plural + ".acme.io"},
           "spec": {"group": "acme.io", "scope": "Namespaced",
                    "names": {"kind": app.replace("-", "").capitalize(), "plural": plural, "singular": app.replace("-", ""), "shortNames": [app.replace("-", "")[:3] + app[-2:].replace("-", "")]},
                    "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                                  "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                      "spec": {"type": "object", "required": ["size"], "properties": {"size": {"type": "integer", "minimum": 1}, "image": {"type": "string"}}},
                                      "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}]}}
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(app + "-controller", ns, app)}
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(app + "-controller", ns, app, "controller"),
           "spec": {"replicas": 1, "selector": {"matchLabels": selector(app)},
                    "template": {"metadata": {"labels": labels(app, "controller")},
                                 "spec": podspec(app, [container("manager", "ghcr.io/acme/" + app + "-operator:0.9.0", port=9443)], sa=app + "-controller")}}}
    return [crd, sa, dep]


def webhook(app, ns):
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": meta(app + "-webhook", ns, app), "spec": {"selector": selector(app), "ports": [{"port": 443, "targetPort": 9443}]}}
    vwc = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration", "metadata": meta(app + "-policy", None, app),
           "webhooks": [{"name": "validate." + app + ".acme.io", "admissionReviewVersions": ["v1"], "sideEffects": "None", "failurePolicy": "Ignore", "timeoutSeconds": 5,
                         "clientConfig": {"service": {"namespace": ns or "default", "name": app + "-webhook", "path": "/validate", "port": 443}},
                         "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]}]},
                         "rules": [{"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["deployments"], "scope": "Namespaced"}]}]}
    return [svc, vwc]


def policy(app, ns):
    vap = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy", "metadata": {"name": app + "-team-label"},
           "spec": {"failurePolicy": "Fail", "matchConstraints": {"resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["deployments"]}]},
                    "validations": [{"expression": "has(object.metadata.labels) && 'team' in object.metadata.labels", "message": "every Deployment needs a team label", "reason": "Invalid"}]}}
    vapb = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": app + "-team-label"},
            "spec": {"policyName": app + "-team-label", "validationActions": ["Warn", "Audit"],
                     "matchResources": {"namespaceSelector": {"matchLabels": {"policy.acme.io/enforce": "true"}}}}}
    return [vap, vapb]


def ingressclass(app, ns):
    ic = {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": meta(app + "-nginx", None, app),
          "spec": {"controller": "k8s.io/ingress-nginx"}}
    ing = webapp(app, ns)[3]
    ing["spec"]["ingressClassName"] = app + "-nginx"
    return [ic, ing]


def metrics(app, ns):
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": meta(app, ns, app), "spec": {"selector": selector(app), "ports": [{"name": "https", "port": 443, "targetPort": "https"}]}}
    api = {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "v1beta1." + app + ".acme.io"},
           "spec": {"group": app + ".acme.io", "version": "v1beta1", "groupPriorityMinimum": 100, "versionPriority": 100, "insecureSkipTLSVerify": True,
                    "service": {"namespace": ns or "default", "name": app, "port": 443}}}
    return [svc, api]


def sidecar(app, ns):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta(app, None, app),
           "spec": {"initContainers": [{"name": "log-shipper", "image": "busybox:1.36", "restartPolicy": "Always", "command": ["sh", "-c", "tail -F /var/log/app.log"],
                                        "volumeMounts": [{"name": "logs", "mountPath": "/var/log"}]},
                                       {"name": "migrate", "image": "ghcr.io/acme/migrate:1.2", "args": ["up"]}],
                    "containers": [container("app", "ghcr.io/acme/" + app + ":4.0", secure=False)],
                    "volumes": [{"name": "logs", "emptyDir": {"sizeLimit": "1Gi"}}]}}
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "logs", "mountPath": "/var/log"}]
    return [pod]


def bundle(app, ns):
    return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(app + "-nginx", ns, app), "data": {"nginx.conf": "events {}\nhttp { server { listen 8080; } }\n"}},
            {"apiVersion": "v1", "kind": "Secret", "metadata": meta(app + "-tls", ns, app), "type": "kubernetes.io/tls",
             "data": {"tls.crt": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t", "tls.key": "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"}},
            {"apiVersion": "v1", "kind": "Secret", "metadata": meta(app + "-pull", ns, app), "type": "kubernetes.io/dockerconfigjson",
             "stringData": {".dockerconfigjson": "{\"auths\":{\"ghcr.io\":{\"auth\":\"dXNlcjpwYXNz\"}}}"}}]


APPS = [webapp, redis, postgres, worker, cron, batch, agent, netpol, quota, priority, storage, legacy, operator, webhook, policy, ingressclass, metrics, sidecar, bundle]
NAMES = ["shop", "cart", "search", "billing", "auth", "catalog", "orders", "media", "notify", "ledger", "report", "gateway"]

# Removed versions: kubectl finds no mapping for them on v1.37.2.
REMOVED = {"Deployment": "extensions/v1beta1", "Ingress": "networking.k8s.io/v1beta1", "PodDisruptionBudget": "policy/v1beta1",
           "CronJob": "batch/v1beta1", "HorizontalPodAutoscaler": "autoscaling/v2beta2", "Role": "rbac.authorization.k8s.io/v1beta1",
           "PriorityClass": "scheduling.k8s.io/v1beta1", "StorageClass": "storage.k8s.io/v1beta1", "CustomResourceDefinition": "apiextensions.k8s.io/v1beta1",
           "NetworkPolicy": "extensions/v1beta1", "DaemonSet": "apps/v1beta2", "StatefulSet": "apps/v1beta1"}


class Dumper(yaml.SafeDumper):
    pass


def _str(dumper, s):
    style = "|" if "\n" in s else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


Dumper.add_representer(str, _str)


def to_yaml(o):
    return yaml.dump(o, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=1000)


def with_anchors(text):
    """Shares the instance labels through a YAML anchor, as charts' rendered output sometimes does."""
    lines, out, anchored = text.splitlines(), [], False
    i = 0
    while i < len(lines):
        line = lines[i]
        if not anchored and line.strip() == "labels:" and i + 1 < len(lines) and "app.kubernetes.io/name" in lines[i + 1]:
            out.append(line + " &labels")
            anchored = True
        elif anchored and line.strip() == "labels:" and i + 1 < len(lines) and "app.kubernetes.io/name" in lines[i + 1]:
            indent = len(lines[i + 1]) - len(lines[i + 1].lstrip())
            out.append(line + " *labels")
            i += 1
            while i < len(lines) and (len(lines[i]) - len(lines[i].lstrip())) >= indent and lines[i].strip():
                i += 1
            continue
        else:
            out.append(line)
        i += 1
    return "\n".join(out) + "\n"


def with_repeated_key(text):
    """A key written twice, as merges of hand-edited files leave them: the last one wins."""
    out = []
    done = False
    for line in text.splitlines():
        if not done and line.strip().startswith("replicas:"):
            out.append(line.split(":")[0] + ": 1")
            done = True
        out.append(line)
    return "\n".join(out) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def corpus():
    rng = random.Random(1372)
    n = 0
    for i in range(210):
        gen = APPS[i % len(APPS)]
        app = "%s-%d" % (NAMES[(i // len(APPS)) % len(NAMES)], i)
        shape = ["yaml", "yaml", "comments", "list", "json", "anchors", "repeated", "namespace"][i % 8]
        ns = None
        objs = gen(app, None)
        if shape == "namespace" and gen not in (sidecar,):
            ns = app
            objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {"team": "payments", "pod-security.kubernetes.io/warn": "restricted"}}}] + gen(app, ns)
        objs = copy.deepcopy(objs)
        if i % 7 == 3:  # a removed version where the file has a kind that had one
            for o in objs:
                if o["kind"] in REMOVED:
                    o["apiVersion"] = REMOVED[o["kind"]]
                    break
        # kubectl checks a List's items against the OpenAPI schema itself,
        # which podlife does not model: the misspelt fields go in documents.
        if i % 11 == 5 and shape not in ("list", "json"):  # a field a chart's values misspelt
            for o in objs:
                if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet"):
                    o["spec"]["template"]["spec"]["containers"][0]["imagePullPolicie"] = "Always"
                    break
                if o["kind"] == "Service":
                    o["spec"]["port"] = 80
                    break
        if i % 13 == 6:  # a value the API server refuses
            for o in objs:
                if o["kind"] == "Service":
                    o["spec"]["ports"][0]["protocol"] = "tcp"
                    break
                if o["kind"] in ("Deployment", "StatefulSet"):
                    o["spec"]["replicas"] = -1
                    break
        n += 1
        stem = "%03d-%s-%s" % (n, gen.__name__, shape)
        if shape == "json":
            if len(objs) == 1:
                text = json.dumps(objs[0], indent=2) + "\n"
            else:
                text = json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}, indent=2) + "\n"
            write(os.path.join(ROOT, "corpus", stem + ".json"), text)
            continue
        if shape == "list":
            text = "# kubectl get -o yaml style: one List of every object\n" + to_yaml({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": objs})
        else:
            docs = []
            for o in objs:
                d = to_yaml(o)
                if shape == "comments":
                    d = "# Source: %s/templates/%s.yaml\n" % (app.split("-")[0], o["kind"].lower()) + d
                docs.append(d)
            sep = "---\n"
            if shape == "anchors":  # an anchor lives within its document
                docs = [with_anchors(d) for d in docs]
            text = ("---\n" if shape == "comments" else "") + sep.join(docs)
            if shape == "repeated":
                text = with_repeated_key(text)
        write(os.path.join(ROOT, "corpus", stem + ".yaml"), text)
    return n


def invalid():
    for i, (name, o) in enumerate(CASES):
        write(os.path.join(ROOT, "invalid", "%03d-%s.yaml" % (i + 1, name)), to_yaml(o))
    return len(CASES)


if __name__ == "__main__":
    for d in ("corpus", "invalid"):
        p = os.path.join(ROOT, d)
        if os.path.isdir(p):
            for f in os.listdir(p):
                if not f.endswith(".want"):
                    os.remove(os.path.join(p, f))
    print("invalid:", invalid(), "corpus:", corpus())
