package registry

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

//go:embed discovery.json
var discoveryJSON []byte

// DiscoveryDocument is what a real v1.37.2 kube-apiserver answers on /apis
// and on /api/v1 and /apis/GROUP/VERSION for every version it serves,
// captured by hack/controlplane/discovery.sh.
type DiscoveryDocument struct {
	Groups    []metav1.APIGroup        `json:"groups"`
	Resources []metav1.APIResourceList `json:"resources"`
}

// Discovery is the served API, read once.
var Discovery = sync.OnceValue(func() *DiscoveryDocument {
	var d DiscoveryDocument
	if err := json.Unmarshal(discoveryJSON, &d); err != nil {
		panic("registry: discovery.json: " + err.Error()) // embedded: a build problem
	}
	return &d
})

func isSubresource(name string) bool { return strings.Contains(name, "/") }
