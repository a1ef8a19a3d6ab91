#!/usr/bin/env bash
# Starts a local Kubernetes control plane on 127.0.0.1 from the binaries
# build.sh made: etcd, kube-apiserver (static tokens for the scenario users
# and the components, Node and RBAC authorization), kube-controller-manager,
# kube-scheduler, and kwok playing every node's kubelet with its fast node
# and pod stages. Everything lives in DIR (default .controlplane): certs,
# data, logs, admin.kubeconfig, and pids, which down.sh stops and nothing
# else. Prints the admin kubeconfig's path once /readyz answers.
#
#   hack/controlplane/up.sh [DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
BIN=$("$here/build.sh")
DIR=$(mkdir -p "${1:-.controlplane}" && cd "${1:-.controlplane}" && pwd)
# kwok's stage files come from its module's source.
KWOK_SRC=$(cd "$BIN" && go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION:-v0.8.0}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
ETCD_PORT=${ETCD_PORT:-23791}
API_PORT=${API_PORT:-26443}
if [[ -s $DIR/pids ]]; then
	echo "up.sh: $DIR/pids exists: a control plane from $DIR may still run; stop it with hack/controlplane/down.sh $DIR" >&2
	exit 1
fi
mkdir -p "$DIR/pki" "$DIR/logs"

# Certificates: a CA, the API server's serving certificate, the service
# account signing key.
pki=$DIR/pki
if [[ ! -s $pki/ca.crt ]]; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 30 -subj "/CN=podlife-ca" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" -subj "/CN=kube-apiserver" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n' >"$pki/san.ext"
	openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -out "$pki/apiserver.crt" \
		-days 30 -extfile "$pki/san.ext" 2>/dev/null
	openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
	openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
fi

# Static tokens: an admin, the components, and the scenario users
# (token,user,uid,"groups"); scenarios add theirs to users.csv.
tokens=$DIR/tokens.csv
{
	echo 'admin-token,admin,admin,"system:masters"'
	echo 'kcm-token,system:kube-controller-manager,kcm'
	echo 'scheduler-token,system:kube-scheduler,scheduler'
	echo 'kwok-token,kwok,kwok,"system:masters"'
	[[ -s $DIR/users.csv ]] && cat "$DIR/users.csv"
} >"$tokens"

kubeconfig() { # name token
	cat >"$DIR/$1.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $pki/ca.crt
users:
- name: $1
  user:
    token: $2
contexts:
- name: local
  context: {cluster: local, user: $1}
current-context: local
KC
}
kubeconfig admin admin-token
kubeconfig kcm kcm-token
kubeconfig scheduler scheduler-token
kubeconfig kwok kwok-token

start() { # name command...
	local name=$1
	shift
	"$@" >"$DIR/logs/$name.log" 2>&1 &
	echo "$! $name" >>"$DIR/pids"
}

start etcd "$BIN/etcd" --data-dir "$DIR/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
	--advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
	--initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-cluster "default=http://127.0.0.1:$((ETCD_PORT + 1))"
start kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
	--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
	--tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
	--token-auth-file "$tokens" --authorization-mode Node,RBAC --allow-privileged \
	--service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
	--service-account-issuer https://kubernetes.default.svc --service-cluster-ip-range 10.96.0.0/12 \
	--endpoint-reconciler-type none
for _ in $(seq 120); do
	if "$BIN/kubectl" --kubeconfig "$DIR/admin.kubeconfig" get --raw /readyz >/dev/null 2>&1; then
		break
	fi
	sleep 0.5
done
"$BIN/kubectl" --kubeconfig "$DIR/admin.kubeconfig" get --raw /readyz >/dev/null
start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$DIR/kcm.kubeconfig" \
	--authentication-kubeconfig "$DIR/kcm.kubeconfig" --authorization-kubeconfig "$DIR/kcm.kubeconfig" \
	--use-service-account-credentials --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
	--leader-elect=false --bind-address 127.0.0.1 --secure-port 0 --cluster-cidr 10.244.0.0/16 --allocate-node-cidrs
start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$DIR/scheduler.kubeconfig" \
	--authentication-kubeconfig "$DIR/scheduler.kubeconfig" --authorization-kubeconfig "$DIR/scheduler.kubeconfig" \
	--leader-elect=false --bind-address 127.0.0.1 --secure-port 0
# kwok's fast stages, but pods are deleted when their grace period ends
# (stages/pod-delete.yaml), not at once.
stages=(--config "$here/stages/pod-delete.yaml")
for f in "$KWOK_SRC"/kustomize/stage/node/fast/*.yaml "$KWOK_SRC"/kustomize/stage/node/heartbeat/*.yaml \
	"$KWOK_SRC"/kustomize/stage/pod/fast/*.yaml; do
	case $(basename "$f") in
	kustomization.yaml | pod-delete.yaml) ;;
	*) stages+=(--config "$f") ;;
	esac
done
start kwok "$BIN/kwok" --kubeconfig "$DIR/kwok.kubeconfig" --manage-all-nodes --cidr 10.244.0.0/16 --node-ip 127.0.0.1 "${stages[@]}"
# Ready for pods once the controller manager has made the default service
# account (the API server refuses pods without it).
for _ in $(seq 120); do
	"$BIN/kubectl" --kubeconfig "$DIR/admin.kubeconfig" get serviceaccount default >/dev/null 2>&1 && break
	sleep 0.5
done
echo "$DIR/admin.kubeconfig"
