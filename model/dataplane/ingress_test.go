package dataplane

import (
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/podlife/podlife/model/sim"
)

func to(name string) upstream {
	return upstream{Service: sim.Key{Kind: "Service", Namespace: "default", Name: name}, Port: networkingv1.ServiceBackendPort{Number: 80}}
}

// The rules of networking/v1 as ingress-nginx applies them: the host's
// server (exact, then wildcard, then catch-all), an Exact path before any
// prefix, the longest Prefix by whole path elements, nginx's plain prefix
// for ImplementationSpecific, then the server's default backend.
func TestIngressMatchesHostThenPath(t *testing.T) {
	cfg := ingressConfig{
		locations: []location{
			{host: "shop.example.com", path: "/", pathType: networkingv1.PathTypePrefix, backend: to("shop")},
			{host: "shop.example.com", path: "/cart", pathType: networkingv1.PathTypePrefix, backend: to("cart")},
			{host: "shop.example.com", path: "/cart/checkout", pathType: networkingv1.PathTypeExact, backend: to("checkout")},
			{host: "*.example.com", path: "/", pathType: networkingv1.PathTypePrefix, backend: to("wild")},
			{host: "", path: "/api", pathType: networkingv1.PathTypeImplementationSpecific, backend: to("api")},
			{host: "docs.example.org", path: "/v1/", pathType: networkingv1.PathTypePrefix, backend: to("docs")},
		},
		defaults: map[string]upstream{"docs.example.org": to("docs-home")},
	}
	for _, c := range []struct {
		host, path, want string // want "" for a 404
	}{
		{"shop.example.com", "/", "shop"},
		{"shop.example.com", "/cart", "cart"},
		{"shop.example.com", "/cart/", "cart"},
		{"shop.example.com", "/cart/items", "cart"},
		{"shop.example.com", "/cartoon", "shop"}, // a Prefix matches whole elements
		{"shop.example.com", "/cart/checkout", "checkout"},
		{"shop.example.com", "/cart/checkout/x", "cart"}, // Exact is exact
		{"www.example.com", "/anything", "wild"},
		{"a.b.example.com", "/", ""}, // a wildcard covers one label; the catch-all has no "/"
		{"other.net", "/api", "api"},
		{"other.net", "/apis", "api"}, // ImplementationSpecific is nginx's plain prefix
		{"other.net", "/", ""},
		{"docs.example.org", "/v1", "docs"}, // a trailing slash is ignored
		{"docs.example.org", "/v2", "docs-home"},
	} {
		u, ok := cfg.match(c.host, c.path)
		got := ""
		if ok {
			got = u.Service.Name
		}
		if got != c.want {
			t.Errorf("http://%s%s goes to %q, want %q", c.host, c.path, got, c.want)
		}
	}
}
