#!/usr/bin/env bash
# Captures a real control plane's API discovery: every group, every
# version it serves (not only the preferred one) and each version's
# resources, as kube-apiserver answers /api, /api/v1, /apis and
# /apis/GROUP/VERSION. The model serves exactly this
# (model/registry/discovery.json); `kubectl api-resources`' output goes to
# cmd/podlife/testdata for the test of `podlife api-resources`. Re-run it when the
# reference version changes.
#
#   hack/controlplane/up.sh .controlplane   # once
#   hack/controlplane/discovery.sh .controlplane/admin.kubeconfig
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
kubeconfig=${1:?usage: discovery.sh KUBECONFIG}
BIN=$("$here/build.sh")
k() { "$BIN/kubectl" --kubeconfig "$kubeconfig" "$@"; }
tmp=$(mktemp -d)
k get --raw /api >"$tmp/api.json"
k get --raw /api/v1 >"$tmp/core-v1.json"
k get --raw /apis >"$tmp/apis.json"
for gv in $(python3 -c 'import json,sys; [print(v["groupVersion"]) for g in json.load(open(sys.argv[1]))["groups"] for v in g["versions"]]' "$tmp/apis.json"); do
	k get --raw "/apis/$gv" >"$tmp/$(echo "$gv" | tr / _).json"
done
python3 - "$tmp" >"$root/model/registry/discovery.json" <<'PY'
import glob, json, os, sys
tmp = sys.argv[1]
apis = json.load(open(os.path.join(tmp, "apis.json")))
lists = [json.load(open(os.path.join(tmp, "core-v1.json")))]
for g in apis["groups"]:
    for v in g["versions"]:
        lists.append(json.load(open(os.path.join(tmp, v["groupVersion"].replace("/", "_") + ".json"))))
for l in lists:
    for r in l["resources"]:
        r.pop("storageVersionHash", None)  # differs per build; nothing reads it
out = {"groups": apis["groups"], "resources": lists}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
PY
k api-resources >"$root/cmd/podlife/testdata/api-resources.txt"
k api-resources -o wide >"$root/cmd/podlife/testdata/api-resources-wide.txt"
rm -rf "$tmp"
