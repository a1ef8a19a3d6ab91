"""Invalid manifests, one per file, across the kinds kube-apiserver serves:
each is a valid object with one mistake people make. generate.py writes them."""
import copy


def pod(name="web", **spec):
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
         "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80, "name": "http"}]}]}}
    p["spec"].update(spec)
    return p


def template(labels=None):
    labels = labels or {"app": "web"}
    return {"metadata": {"labels": dict(labels)},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}}


def deployment(name="web"):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": template()}}


def statefulset(name="db"):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
            "spec": {"serviceName": name, "replicas": 3, "selector": {"matchLabels": {"app": "db"}}, "template": template({"app": "db"})}}


def daemonset(name="agent"):
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": template({"app": "agent"})}}


def job(name="migrate"):
    t = template({"job": name})
    t["spec"]["restartPolicy"] = "Never"
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"backoffLimit": 4, "template": t}}


def cronjob(name="backup"):
    j = job(name)["spec"]
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": j}}}


def service(name="web", **spec):
    s = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
         "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}
    s["spec"].update(spec)
    return s


def obj(api, kind, name, **rest):
    o = {"apiVersion": api, "kind": kind, "metadata": {"name": name}}
    o.update(rest)
    return o


def mutate(base, fn):
    o = copy.deepcopy(base)
    fn(o)
    return o


def c0(o):
    """the first container of a pod or of a template"""
    spec = o["spec"]
    if "template" in spec:
        spec = spec["template"]["spec"]
    if "jobTemplate" in spec:
        spec = spec["jobTemplate"]["spec"]["template"]["spec"]
    return spec["containers"][0]


def setp(path, value):
    def fn(o):
        cur = o
        for k in path[:-1]:
            cur = cur[k]
        cur[path[-1]] = value
    return fn


CASES = [
    # Pods
    ("pod-label-with-space", mutate(pod(), setp(["metadata", "labels"], {"app": "my app"}))),
    ("pod-restart-policy-sometimes", pod(restartPolicy="Sometimes")),
    ("pod-toleration-exists-with-value", pod(tolerations=[{"key": "gpu", "operator": "Exists", "value": "true", "effect": "NoSchedule"}])),
    ("pod-duplicate-port-names", mutate(pod(), lambda o: c0(o).update(ports=[{"containerPort": 80, "name": "http"}, {"containerPort": 8080, "name": "http"}]))),
    ("pod-protocol-lowercase", mutate(pod(), lambda o: c0(o)["ports"][0].update(protocol="tcp"))),
    ("pod-container-port-70000", mutate(pod(), lambda o: c0(o)["ports"][0].update(containerPort=70000))),
    ("pod-probe-without-handler", mutate(pod(), lambda o: c0(o).update(readinessProbe={"periodSeconds": 5}))),
    ("pod-name-uppercase", pod(name="Web")),
    ("pod-name-underscore", pod(name="web_1")),
    ("pod-empty-image", mutate(pod(), lambda o: c0(o).update(image=""))),
    ("pod-image-with-spaces", mutate(pod(), lambda o: c0(o).update(image=" nginx:1.27 "))),
    ("pod-no-containers", pod(containers=[])),
    ("pod-duplicate-container-names", pod(containers=[{"name": "app", "image": "nginx"}, {"name": "app", "image": "busybox"}])),
    ("pod-container-name-uppercase", mutate(pod(), lambda o: c0(o).update(name="App"))),
    ("pod-negative-grace-period", pod(terminationGracePeriodSeconds=-5)),
    ("pod-dns-policy-unknown", pod(dnsPolicy="ClusterLast")),
    ("pod-volume-mount-missing-volume", mutate(pod(), lambda o: c0(o).update(volumeMounts=[{"name": "data", "mountPath": "/data"}]))),
    ("pod-duplicate-volume-names", pod(volumes=[{"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}}])),
    ("pod-volume-without-source", pod(volumes=[{"name": "data"}])),
    ("pod-request-above-limit", mutate(pod(), lambda o: c0(o).update(resources={"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}))),
    ("pod-env-name-with-space", mutate(pod(), lambda o: c0(o).update(env=[{"name": "MY VAR", "value": "1"}]))),
    ("pod-env-value-and-valuefrom", mutate(pod(), lambda o: c0(o).update(env=[{"name": "A", "value": "1", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]))),
    ("pod-host-port-out-of-range", mutate(pod(), lambda o: c0(o)["ports"][0].update(hostPort=99999))),
    ("pod-node-selector-bad-key", pod(nodeSelector={"disk type": "ssd"})),
    ("pod-image-pull-policy-sometimes", mutate(pod(), lambda o: c0(o).update(imagePullPolicy="Sometimes"))),
    ("pod-negative-run-as-user", mutate(pod(), lambda o: c0(o).update(securityContext={"runAsUser": -1}))),
    ("pod-mount-path-empty", mutate(pod(volumes=[{"name": "data", "emptyDir": {}}]), lambda o: c0(o).update(volumeMounts=[{"name": "data", "mountPath": ""}]))),
    ("pod-liveness-success-threshold-2", mutate(pod(), lambda o: c0(o).update(livenessProbe={"httpGet": {"path": "/", "port": 80}, "successThreshold": 2}))),
    ("pod-probe-two-handlers", mutate(pod(), lambda o: c0(o).update(readinessProbe={"httpGet": {"path": "/", "port": 80}, "tcpSocket": {"port": 80}}))),
    ("pod-annotation-key-invalid", mutate(pod(), setp(["metadata", "annotations"], {"bad key/with/slashes": "x"}))),
    ("pod-hostname-invalid", pod(hostname="Web_Host")),
    ("pod-affinity-bad-operator", pod(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "Equals", "values": ["a"]}]}]}}})),
    ("pod-toleration-bad-effect", pod(tolerations=[{"key": "gpu", "operator": "Equal", "value": "x", "effect": "NoRun"}])),
    ("pod-spread-max-skew-zero", pod(topologySpreadConstraints=[{"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}])),
    ("pod-init-container-no-image", pod(initContainers=[{"name": "init", "image": ""}])),
    ("pod-priority-class-and-priority", pod(priority=1000)),
    ("pod-cpu-request-negative", mutate(pod(), lambda o: c0(o).update(resources={"requests": {"cpu": "-1"}}))),
    ("pod-missing-name", mutate(pod(), lambda o: o["metadata"].pop("name"))),
    ("pod-unknown-field", mutate(pod(), lambda o: c0(o).update(imagePullPolice="Always"))),
    ("pod-bad-quantity", mutate(pod(), lambda o: c0(o).update(resources={"requests": {"memory": "2gigs"}}))),
    ("pod-replicas-field", mutate(pod(), lambda o: o["spec"].update(replicas=3))),
    ("pod-port-as-string", mutate(pod(), lambda o: c0(o)["ports"][0].update(containerPort="eighty"))),
    ("pod-missing-namespace", mutate(pod(), setp(["metadata", "namespace"], "nowhere"))),
    # Deployments
    ("deployment-selector-mismatch", mutate(deployment(), setp(["spec", "selector"], {"matchLabels": {"app": "api"}}))),
    ("deployment-negative-replicas", mutate(deployment(), setp(["spec", "replicas"], -1))),
    ("deployment-surge-and-unavailable-zero", mutate(deployment(), setp(["spec", "strategy"], {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}))),
    ("deployment-strategy-type-unknown", mutate(deployment(), setp(["spec", "strategy"], {"type": "BlueGreen"}))),
    ("deployment-missing-selector", mutate(deployment(), lambda o: o["spec"].pop("selector"))),
    ("deployment-recreate-with-rolling-params", mutate(deployment(), setp(["spec", "strategy"], {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}))),
    ("deployment-progress-deadline-below-min-ready", mutate(deployment(), lambda o: o["spec"].update(minReadySeconds=30, progressDeadlineSeconds=10))),
    ("deployment-max-unavailable-over-100", mutate(deployment(), setp(["spec", "strategy"], {"rollingUpdate": {"maxUnavailable": "150%"}}))),
    ("deployment-template-restart-never", mutate(deployment(), setp(["spec", "template", "spec", "restartPolicy"], "Never"))),
    ("deployment-empty-selector", mutate(deployment(), setp(["spec", "selector"], {}))),
    ("deployment-extensions-v1beta1", mutate(deployment(), setp(["apiVersion"], "extensions/v1beta1"))),
    ("deployment-apps-v1beta2", mutate(deployment(), setp(["apiVersion"], "apps/v1beta2"))),
    # StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers
    ("statefulset-selector-mismatch", mutate(statefulset(), setp(["spec", "selector"], {"matchLabels": {"app": "cache"}}))),
    ("statefulset-pod-management-unknown", mutate(statefulset(), setp(["spec", "podManagementPolicy"], "Random"))),
    ("statefulset-negative-replicas", mutate(statefulset(), setp(["spec", "replicas"], -3))),
    ("statefulset-claim-template-no-storage", mutate(statefulset(), setp(["spec", "volumeClaimTemplates"], [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]))),
    ("daemonset-selector-mismatch", mutate(daemonset(), setp(["spec", "selector"], {"matchLabels": {"app": "other"}}))),
    ("daemonset-update-strategy-unknown", mutate(daemonset(), setp(["spec", "updateStrategy"], {"type": "Surge"}))),
    ("replicaset-selector-mismatch", obj("apps/v1", "ReplicaSet", "web-rs", spec={"replicas": 1, "selector": {"matchLabels": {"app": "x"}}, "template": template()})),
    ("replicationcontroller-selector-mismatch", obj("v1", "ReplicationController", "web-rc", spec={"replicas": 1, "selector": {"app": "x"}, "template": template()})),
    # Jobs and CronJobs
    ("job-restart-policy-always", mutate(job(), setp(["spec", "template", "spec", "restartPolicy"], "Always"))),
    ("job-negative-backoff-limit", mutate(job(), setp(["spec", "backoffLimit"], -1))),
    ("job-negative-parallelism", mutate(job(), setp(["spec", "parallelism"], -2))),
    ("job-completion-mode-unknown", mutate(job(), setp(["spec", "completionMode"], "Sequential"))),
    ("job-indexed-without-completions", mutate(job(), setp(["spec", "completionMode"], "Indexed"))),
    ("job-active-deadline-zero", mutate(job(), setp(["spec", "activeDeadlineSeconds"], 0))),
    ("cronjob-bad-schedule", mutate(cronjob(), setp(["spec", "schedule"], "every day at 3"))),
    ("cronjob-concurrency-unknown", mutate(cronjob(), setp(["spec", "concurrencyPolicy"], "Sometimes"))),
    ("cronjob-negative-history", mutate(cronjob(), setp(["spec", "successfulJobsHistoryLimit"], -1))),
    ("cronjob-bad-timezone", mutate(cronjob(), setp(["spec", "timeZone"], "Mars/Olympus"))),
    ("cronjob-batch-v1beta1", mutate(cronjob(), setp(["apiVersion"], "batch/v1beta1"))),
    # Services
    ("service-without-ports", service(ports=[])),
    ("service-port-zero", service(ports=[{"name": "http", "port": 0}])),
    ("service-type-unknown", service(type="Internal")),
    ("service-node-port-out-of-range", service(type="NodePort", ports=[{"name": "http", "port": 80, "nodePort": 80}])),
    ("service-duplicate-port-names", service(ports=[{"name": "http", "port": 80}, {"name": "http", "port": 8080}])),
    ("service-two-ports-unnamed", service(ports=[{"port": 80}, {"port": 443}])),
    ("service-cluster-ip-invalid", service(clusterIP="10.96.0.300")),
    ("service-external-name-missing", service(type="ExternalName", selector=None, ports=None)),
    ("service-session-affinity-unknown", service(sessionAffinity="Sticky")),
    ("service-target-port-name-too-long", service(ports=[{"name": "http", "port": 80, "targetPort": "a-very-long-port-name"}])),
    ("service-protocol-lowercase", service(ports=[{"name": "http", "port": 80, "protocol": "udp"}])),
    # Config and identity
    ("configmap-bad-key", obj("v1", "ConfigMap", "settings", data={"my key": "x"})),
    ("configmap-key-in-data-and-binarydata", obj("v1", "ConfigMap", "settings", data={"a": "x"}, binaryData={"a": "eA=="})),
    ("secret-bad-key", obj("v1", "Secret", "creds", stringData={"pass word": "x"})),
    ("secret-tls-without-cert", obj("v1", "Secret", "tls", type="kubernetes.io/tls", stringData={"tls.key": "x"})),
    ("secret-dockerconfigjson-without-key", obj("v1", "Secret", "pull", type="kubernetes.io/dockerconfigjson", stringData={"config": "{}"})),
    ("namespace-uppercase", obj("v1", "Namespace", "Team-A")),
    ("namespace-too-long", obj("v1", "Namespace", "a" * 64)),
    ("serviceaccount-bad-name", obj("v1", "ServiceAccount", "robot_1")),
    # Policy, quota, limits, scheduling
    ("pdb-min-and-max", obj("policy/v1", "PodDisruptionBudget", "web", spec={"minAvailable": 1, "maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}})),
    ("pdb-negative-min-available", obj("policy/v1", "PodDisruptionBudget", "web", spec={"minAvailable": -1, "selector": {"matchLabels": {"app": "web"}}})),
    ("pdb-policy-v1beta1", obj("policy/v1beta1", "PodDisruptionBudget", "web", spec={"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}})),
    ("pdb-unhealthy-policy-unknown", obj("policy/v1", "PodDisruptionBudget", "web", spec={"minAvailable": 1, "unhealthyPodEvictionPolicy": "Never", "selector": {"matchLabels": {"app": "web"}}})),
    ("resourcequota-bad-resource", obj("v1", "ResourceQuota", "q", spec={"hard": {"cpu cores": "4"}})),
    ("resourcequota-negative", obj("v1", "ResourceQuota", "q", spec={"hard": {"pods": "-1"}})),
    ("limitrange-min-above-max", obj("v1", "LimitRange", "l", spec={"limits": [{"type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1"}}]})),
    ("limitrange-type-unknown", obj("v1", "LimitRange", "l", spec={"limits": [{"type": "Node", "max": {"cpu": "1"}}]})),
    ("priorityclass-value-too-high", obj("scheduling.k8s.io/v1", "PriorityClass", "ultra", value=2000000000)),
    ("priorityclass-system-prefix", obj("scheduling.k8s.io/v1", "PriorityClass", "system-mine", value=1000)),
    ("priorityclass-preemption-unknown", obj("scheduling.k8s.io/v1", "PriorityClass", "batch-low", value=10, preemptionPolicy="Sometimes")),
    ("hpa-min-replicas-zero", obj("autoscaling/v2", "HorizontalPodAutoscaler", "web", spec={"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 0, "maxReplicas": 5})),
    ("hpa-max-below-min", obj("autoscaling/v2", "HorizontalPodAutoscaler", "web", spec={"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 5, "maxReplicas": 2})),
    ("hpa-metric-without-target", obj("autoscaling/v2", "HorizontalPodAutoscaler", "web", spec={"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5, "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}]})),
    ("hpa-autoscaling-v2beta2", obj("autoscaling/v2beta2", "HorizontalPodAutoscaler", "web", spec={"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5})),
    # Networking
    ("ingress-path-type-unknown", obj("networking.k8s.io/v1", "Ingress", "web", spec={"rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/", "pathType": "Regex", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]})),
    ("ingress-path-without-slash", obj("networking.k8s.io/v1", "Ingress", "web", spec={"rules": [{"http": {"paths": [{"path": "api", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]})),
    ("ingress-no-backend", obj("networking.k8s.io/v1", "Ingress", "web", spec={})),
    ("ingress-host-with-port", obj("networking.k8s.io/v1", "Ingress", "web", spec={"rules": [{"host": "shop.example.com:443", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]})),
    ("ingress-v1beta1", obj("networking.k8s.io/v1beta1", "Ingress", "web", spec={"backend": {"serviceName": "web", "servicePort": 80}})),
    ("ingressclass-bad-controller", obj("networking.k8s.io/v1", "IngressClass", "nginx", spec={"controller": "nginx"})),
    ("networkpolicy-bad-cidr", obj("networking.k8s.io/v1", "NetworkPolicy", "deny", spec={"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}]})),
    ("networkpolicy-bad-protocol", obj("networking.k8s.io/v1", "NetworkPolicy", "deny", spec={"podSelector": {}, "ingress": [{"ports": [{"protocol": "ICMP", "port": 80}]}]})),
    ("networkpolicy-policy-type-unknown", obj("networking.k8s.io/v1", "NetworkPolicy", "deny", spec={"podSelector": {}, "policyTypes": ["Both"]})),
    ("endpointslice-address-type-unknown", obj("discovery.k8s.io/v1", "EndpointSlice", "web-1", addressType="IP", endpoints=[])),
    ("endpoints-bad-ip", obj("v1", "Endpoints", "legacy", subsets=[{"addresses": [{"ip": "10.0.0.256"}], "ports": [{"port": 80}]}])),
    # RBAC
    ("role-rule-without-verbs", obj("rbac.authorization.k8s.io/v1", "Role", "reader", rules=[{"apiGroups": [""], "resources": ["pods"], "verbs": []}])),
    ("clusterrole-nonresource-with-resources", obj("rbac.authorization.k8s.io/v1", "ClusterRole", "odd-reader", rules=[{"apiGroups": [""], "resources": ["pods"], "nonResourceURLs": ["/healthz"], "verbs": ["get"]}])),
    ("rolebinding-roleref-kind-unknown", obj("rbac.authorization.k8s.io/v1", "RoleBinding", "read", roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Policy", "name": "reader"}, subjects=[{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"}])),
    ("rolebinding-subject-kind-unknown", obj("rbac.authorization.k8s.io/v1", "RoleBinding", "read", roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}, subjects=[{"kind": "Robot", "name": "r2"}])),
    ("clusterrolebinding-sa-without-namespace", obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "read-all", roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, subjects=[{"kind": "ServiceAccount", "name": "ci"}])),
    # Storage
    ("pv-without-capacity", obj("v1", "PersistentVolume", "pv-nocap", spec={"accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/data"}})),
    ("pv-without-source", obj("v1", "PersistentVolume", "pv-nosrc", spec={"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"]})),
    ("pv-access-mode-unknown", obj("v1", "PersistentVolume", "pv-mode", spec={"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteSometimes"], "hostPath": {"path": "/data"}})),
    ("pvc-without-access-modes", obj("v1", "PersistentVolumeClaim", "data", spec={"resources": {"requests": {"storage": "1Gi"}}})),
    ("pvc-without-storage-request", obj("v1", "PersistentVolumeClaim", "data", spec={"accessModes": ["ReadWriteOnce"]})),
    ("storageclass-reclaim-recycle", obj("storage.k8s.io/v1", "StorageClass", "fast-recycle", provisioner="ebs.csi.aws.com", reclaimPolicy="Recycle")),
    ("storageclass-binding-mode-unknown", obj("storage.k8s.io/v1", "StorageClass", "fast-later", provisioner="ebs.csi.aws.com", volumeBindingMode="Later")),
    ("storageclass-no-provisioner", obj("storage.k8s.io/v1", "StorageClass", "fast-none")),
    ("csidriver-bad-name", obj("storage.k8s.io/v1", "CSIDriver", "EBS_Driver", spec={})),
    ("volumeattachment-no-source", obj("storage.k8s.io/v1", "VolumeAttachment", "va-1", spec={"attacher": "ebs.csi.aws.com", "nodeName": "node01", "source": {}})),
    # Admission configuration
    ("vap-expression-does-not-compile", obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", "need-team", spec={"matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}]}, "validations": [{"expression": "object.metadata.labels.team != "}]})),
    ("vap-no-validations", obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", "empty-policy", spec={"matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}]}})),
    ("vapb-without-policy-name", obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", "need-team", spec={"validationActions": ["Deny"]})),
    ("vapb-action-unknown", obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", "need-team", spec={"policyName": "need-team", "validationActions": ["Block"]})),
    ("webhook-without-side-effects", obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "gatekeeper", webhooks=[{"name": "check.gatekeeper.sh", "admissionReviewVersions": ["v1"], "clientConfig": {"service": {"namespace": "gatekeeper", "name": "webhook"}}}])),
    ("webhook-name-not-qualified", obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "injector", webhooks=[{"name": "inject", "sideEffects": "None", "admissionReviewVersions": ["v1"], "clientConfig": {"url": "https://injector.example.com/mutate"}}])),
    ("webhook-url-http", obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "injector", webhooks=[{"name": "inject.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"], "clientConfig": {"url": "http://injector.example.com/mutate"}}])),
    ("webhook-timeout-too-long", obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "slow", webhooks=[{"name": "slow.example.com", "sideEffects": "None", "timeoutSeconds": 60, "admissionReviewVersions": ["v1"], "clientConfig": {"url": "https://slow.example.com/check"}}])),
    # Extensions and everything else
    ("crd-without-schema", obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com", spec={"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}, "scope": "Namespaced", "versions": [{"name": "v1", "served": True, "storage": True}]})),
    ("crd-name-mismatch", obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "gadgets.example.com", spec={"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}, "scope": "Namespaced", "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}}]})),
    ("custom-resource-without-crd", obj("example.com/v1", "Widget", "my-widget", spec={"size": 3})),
    ("apiservice-without-priorities", obj("apiregistration.k8s.io/v1", "APIService", "v1beta1.metrics.k8s.io", spec={"group": "metrics.k8s.io", "version": "v1beta1", "service": {"namespace": "kube-system", "name": "metrics-server"}})),
    ("lease-negative-duration", obj("coordination.k8s.io/v1", "Lease", "leader", spec={"holderIdentity": "me", "leaseDurationSeconds": -1})),
    ("runtimeclass-bad-handler", obj("node.k8s.io/v1", "RuntimeClass", "gvisor", handler="Run SC")),
    ("podtemplate-no-containers", obj("v1", "PodTemplate", "tmpl", template={"metadata": {"labels": {"a": "b"}}, "spec": {"containers": []}})),
    ("flowschema-no-priority-level", obj("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "mine", spec={"matchingPrecedence": 1000, "priorityLevelConfiguration": {"name": ""}})),
    ("node-bad-pod-cidr", obj("v1", "Node", "node-bad-cidr", spec={"podCIDR": "10.244.0.0/33"})),
    ("kind-unknown-in-core", obj("v1", "Deployment", "web")),
    ("pod-generate-name-with-apply", mutate(pod(), lambda o: o["metadata"].update(name=None, generateName="web-") or o["metadata"].pop("name"))),
]
