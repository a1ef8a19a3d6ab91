#!/usr/bin/env bash
# Compares the model with a real control plane, case by case. A case is a
# folder under hack/controlplane/cases: cluster.yaml (objects that exist
# first), apply.yaml (what is then created) and, optionally, as (the user
# who creates it, by impersonation on the real plane; an admin otherwise).
# On each side the refused requests' messages and the Kubernetes Events
# that both sides produce (scheduling, controllers) are collected as lines;
# every line the model prints must be among the real plane's. Exit 1 on
# any difference.
#
#   hack/controlplane/up.sh .controlplane   # once
#   hack/controlplane/compare.sh .controlplane/admin.kubeconfig [CASE...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
kubeconfig=${1:?usage: compare.sh KUBECONFIG [CASE...]}
shift
BIN=$("$here/build.sh")
k() { "$BIN/kubectl" --kubeconfig "$kubeconfig" "$@"; }
cases=("$@")
if [[ ${#cases[@]} -eq 0 ]]; then
	for d in "$here"/cases/*/; do cases+=("$(basename "$d")"); done
fi
# UIDs and the random suffixes of generated names differ between the two
# sides.
uids() {
	sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uid>/g; s/-[bcdfghjklmnpqrstvwxz2456789]{5}\b/-<random>/g'
}
# Events that a real control plane without kubelets (kwok) also produces.
compared='FailedScheduling|Scheduled|Preempted|FailedBinding|WaitForFirstConsumer|ProvisioningFailed|ExternalProvisioning|NoPods|ScalingReplicaSet|SuccessfulCreate'

podlife=$(mktemp -d)/podlife
(cd "$root" && go build -o "$podlife" ./cmd/podlife)

failed=0
for c in "${cases[@]}"; do
	dir=$here/cases/$c
	# A clean slate: everything a case may create, in dependency order.
	k delete deployments,replicasets --all >/dev/null 2>&1 || true
	k delete pods,pvc,pdb --all --grace-period=0 --force >/dev/null 2>&1 || true
	k delete resourcequota,limitrange,rolebinding,role --all >/dev/null 2>&1 || true
	k delete pv,storageclass,priorityclass,nodes --all >/dev/null 2>&1 || true
	k delete namespaces -l podlife-case --wait >/dev/null 2>&1 || true # a case's own namespaces carry this label
	k delete events --all >/dev/null 2>&1 || true
	k apply -f "$dir/cluster.yaml" >/dev/null
	sleep 3
	as=()
	[[ -s $dir/as ]] && as=(--as "$(cat "$dir/as")")
	k create "${as[@]}" -f "$dir/apply.yaml" 2>&1 >/dev/null |
		sed -nE 's/^Error from server \([A-Za-z]+\): (error when creating "[^"]*": )?/refused: /p' >"$dir/.refused" || true
	sleep 6
	{ cat "$dir/.refused"; k get events -o jsonpath='{range .items[*]}{.involvedObject.kind}/{.involvedObject.name} {.type} {.reason}: {.message}{"\n"}{end}' |
		awk '{$1=tolower($1)} 1' | grep -E " ($compared): "; } | uids | sort -u >"$dir/.real" || true
	"$podlife" apply "${as[@]}" --cluster "$dir/cluster.yaml" -f "$dir/apply.yaml" -o json 2>/dev/null |
		python3 -c '
import json, sys
out = json.load(sys.stdin)
for r in out["requests"]:
    if not r["allowed"]:
        print("refused: " + r["message"])
for e in out["events"]:
    if e["type"]:
        kind, _, name = e["object"].rpartition("/")
        kind = kind.split("/")[0]
        print("%s/%s %s %s: %s" % (kind, name, e["type"], e["reason"], e["message"]))
' | grep -E "^refused: | ($compared): " | uids | sort -u >"$dir/.model" || true
	missing=$(comm -23 "$dir/.model" "$dir/.real")
	if [[ ! -s $dir/.model ]]; then
		failed=1
		echo "$c: the model printed nothing to compare"
	elif [[ -n $missing ]]; then
		failed=1
		echo "$c: the model says what the real control plane did not:"
		echo "$missing" | sed 's/^/  model: /'
		sed 's/^/  real:  /' "$dir/.real"
	else
		echo "$c: $(wc -l <"$dir/.model") messages, all as a real v1.37.2 control plane words them"
	fi
	rm -f "$dir/.real" "$dir/.model" "$dir/.refused"
done
exit $failed
