#!/usr/bin/env bash
# Builds a Kubernetes v1.37.2 control plane from the Go module proxy alone:
# kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from
# k8s.io/kubernetes (through a tools module that replaces each staging
# module with its v0.37.2 release, as read from kubernetes' own go.mod),
# etcd from go.etcd.io/etcd/server/v3, and kwok for fake nodes and pods.
# Binaries are cached by version; a second run builds nothing.
# Prints the folder that holds them.
set -euo pipefail

K8S=${K8S_VERSION:-v1.37.2}
ETCD=${ETCD_VERSION:-v3.7.0}
KWOK=${KWOK_VERSION:-v0.8.0}
CACHE=${PODLIFE_CACHE:-$HOME/.cache/podlife}/controlplane/k8s-$K8S-etcd-$ETCD-kwok-$KWOK
BIN=$CACHE/bin
mkdir -p "$BIN"

staging=${K8S#v}
staging=v0.${staging#1.}

if [[ ! -x $BIN/kube-apiserver || ! -x $BIN/kube-controller-manager || ! -x $BIN/kube-scheduler || ! -x $BIN/kubectl ]]; then
	mod=$CACHE/kubernetes
	mkdir -p "$mod"
	dir=$(cd "$mod" && go mod download -json "k8s.io/kubernetes@$K8S" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
	{
		printf 'module podlife.local/controlplane\n\ngo 1.26\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$K8S"
		grep '=> ./staging' "$dir/go.mod" | awk -v v="$staging" '{print "\t" $1 " => " $1 " " v}'
		printf ')\n'
	} >"$mod/go.mod"
	cat >"$mod/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
	(cd "$mod" && go mod tidy >/dev/null 2>&1)
	# The version the binaries report, as a release build stamps it.
	ldflags="-X k8s.io/component-base/version.gitVersion=$K8S -X k8s.io/component-base/version.gitMajor=1"
	ldflags="$ldflags -X k8s.io/component-base/version.gitMinor=$(echo "$K8S" | cut -d. -f2) -X k8s.io/component-base/version.gitTreeState=clean"
	(cd "$mod" && go build -ldflags "$ldflags" -o "$BIN/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
		k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
fi

if [[ ! -x $BIN/etcd ]]; then
	mod=$CACHE/etcd
	mkdir -p "$mod"
	printf 'module podlife.local/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD" >"$mod/go.mod"
	printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' >"$mod/main.go"
	(cd "$mod" && go mod tidy >/dev/null 2>&1 && go build -o "$BIN/etcd" .)
fi

if [[ ! -x $BIN/kwok ]]; then
	GOBIN=$BIN go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK"
fi

echo "$BIN"
