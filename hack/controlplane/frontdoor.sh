#!/usr/bin/env bash
# Records what a real v1.37.2 control plane answers to every manifest of
# model/testdata/frontdoor (invalid/ and corpus/, written by
# hack/frontdoor/generate.py): `kubectl apply -f FILE`'s exit status,
# stdout and stderr go to FILE.want, which the model's front-door test
# (model/frontdoor_test.go) must reproduce. Files are applied one after
# the other, each cleaned up before the next. The custom resources of
# customresources/ are applied once the CustomResourceDefinitions of
# crds.yaml are established; those stay until the end.
#
#   hack/controlplane/up.sh .controlplane   # once
#   hack/controlplane/frontdoor.sh .controlplane/admin.kubeconfig [FILE...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
kubeconfig=${1:?usage: frontdoor.sh KUBECONFIG [FILE...]}
shift
BIN=$("$here/build.sh")
k() { "$BIN/kubectl" --kubeconfig "$kubeconfig" "$@"; }
files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
	for f in "$root"/model/testdata/frontdoor/*/*; do
		case $f in *.yaml | *.json) files+=("$f") ;; esac
	done
fi
tmp=$(mktemp -d)
crds=$root/model/testdata/frontdoor/crds.yaml
k apply -f "$crds" >/dev/null
k wait --for condition=established --timeout=60s -f "$crds" >/dev/null
for f in "${files[@]}"; do
	dir=$(dirname "$f")
	name=$(basename "$f")
	# kubectl names the file as it was given: relative, from its folder.
	status=0
	(cd "$dir" && k apply -f "$name" >"$tmp/out" 2>"$tmp/err") || status=$?
	{
		echo "exit $status"
		echo "--- stdout"
		cat "$tmp/out"
		echo "--- stderr"
		cat "$tmp/err"
	} >"$f.want"
	(cd "$dir" && k delete -f "$name" --ignore-not-found --wait=false --grace-period=0 --force >/dev/null 2>&1) || true
done
k delete -f "$crds" --ignore-not-found >/dev/null
rm -rf "$tmp"
echo "recorded ${#files[@]} answers" >&2
