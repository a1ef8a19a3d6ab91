package apiserver

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/podlife/podlife/model/sim"
)

// nameGenerator stands in for the API server's generateName suffixes
// (apiserver/pkg/storage/names: five characters from an alphabet without
// vowels or confusable digits). Real suffixes are random; the model's are
// derived from the prefix and how many names it has already made for it,
// so a scenario always names its objects the same.
type nameGenerator struct{ issued map[string]int }

const nameAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// next is the seed of the next name for prefix.
func (g *nameGenerator) next(prefix string) string {
	if g.issued == nil {
		g.issued = map[string]int{}
	}
	g.issued[prefix]++
	return fmt.Sprintf("%s#%d", prefix, g.issued[prefix])
}

// maxNameGenerationCreateAttempts is how many names the API server tries
// for a generateName before it gives up with the last one's conflict
// (apiserver/pkg/registry/generic/registry/store.go, since RetryGenerateName
// went GA): a Deployment of 150,000 replicas draws about 1,000 suffixes
// that an earlier pod already has.
const maxNameGenerationCreateAttempts = 8

// generateName names a created object from its generateName, trying
// another suffix while the name is taken. A retry's suffix is drawn from the seed and the attempt through SHA-256:
// Suffix's FNV hash of seeds that differ in a few digits is structured
// enough that a name taken is often followed by the next seeds' names
// taken too, so that eight draws in a row could all collide.
func (s *Server) generateName(obj sim.Object) string {
	key := sim.KeyOf(obj)
	seed := s.names.next(obj.GetNamespace() + "/" + obj.GetGenerateName())
	for attempt := range maxNameGenerationCreateAttempts {
		suffix := Suffix(seed)
		if attempt > 0 {
			suffix = RetrySuffix(seed, attempt)
		}
		key.Name = obj.GetGenerateName() + suffix
		if s.store.Get(key) == nil {
			break
		}
	}
	return key.Name
}

// RetrySuffix is the suffix of a generated name's attempt after the first.
func RetrySuffix(seed string, attempt int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s~%d", seed, attempt))
	return suffixOf(binary.BigEndian.Uint64(sum[:8]))
}

// Suffix is a five-character name suffix derived from seed.
func Suffix(seed string) string {
	h := fnv.New64a()
	h.Write([]byte(seed))
	return suffixOf(h.Sum64())
}

func suffixOf(n uint64) string {
	b := make([]byte, 5)
	for i := range b {
		b[i] = nameAlphabet[n%uint64(len(nameAlphabet))]
		n /= uint64(len(nameAlphabet))
	}
	return string(b)
}

// ServiceCIDR is the model's --service-cluster-ip-range, kubeadm's default.
var ServiceCIDR = netip.MustParsePrefix("10.96.0.0/12")

// clusterIPAllocator hands out ClusterIPs in order. The real allocator
// picks at random from the upper part of the range; the model counts from
// 10.96.0.11, after the addresses kubeadm gives the kubernetes Service (.1)
// and kube-dns (.10).
type clusterIPAllocator struct {
	next  netip.Addr
	inUse map[netip.Addr]bool
}

// AllocateClusterIP gives a Service stored without a request (the initial
// state) its ClusterIP, as a create would.
func (s *Server) AllocateClusterIP(svc *corev1.Service) error { return s.allocateClusterIP(svc) }

func (s *Server) allocateClusterIP(svc *corev1.Service) error {
	a := &s.clusterIPs
	if a.inUse == nil {
		a.next, a.inUse = netip.MustParseAddr("10.96.0.11"), map[netip.Addr]bool{}
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return nil
	}
	// A single-stack IPv4 cluster's families
	// (pkg/registry/core/service/storage/alloc.go initIPFamilyFields).
	if svc.Spec.IPFamilyPolicy == nil {
		single := corev1.IPFamilyPolicySingleStack
		svc.Spec.IPFamilyPolicy = &single
	}
	if len(svc.Spec.IPFamilies) == 0 {
		svc.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol}
	}
	if svc.Spec.ClusterIP == corev1.ClusterIPNone {
		svc.Spec.ClusterIPs = []string{corev1.ClusterIPNone}
		return nil
	}
	if err := checkNodePorts(svc); err != nil {
		return err
	}
	if svc.Spec.ClusterIP != "" {
		ip, err := netip.ParseAddr(svc.Spec.ClusterIP)
		if err != nil {
			svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
			return nil // not an address: validation says so
		}
		if !ServiceCIDR.Contains(ip) {
			return apierrors.NewInvalid(schema.GroupKind{Kind: "Service"}, svc.Name, field.ErrorList{field.Invalid(field.NewPath("spec", "clusterIPs").Index(0), svc.Spec.ClusterIP,
				"provided IP is not in the valid range. The range of valid IPs is "+ServiceCIDR.String())})
		}
		a.inUse[ip] = true
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
		return nil
	}
	for a.inUse[a.next] {
		a.next = a.next.Next()
	}
	a.inUse[a.next] = true
	svc.Spec.ClusterIP = a.next.String()
	svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	a.next = a.next.Next()
	return nil
}

// NodePortRange is the model's --service-node-port-range, the default.
const NodePortRange = "30000-32767"

// checkNodePorts refuses a requested node port outside the range, as the
// port allocator does before validation
// (pkg/registry/core/service/portallocator/allocator.go).
func checkNodePorts(svc *corev1.Service) error {
	for i, p := range svc.Spec.Ports {
		if p.NodePort != 0 && (p.NodePort < 30000 || p.NodePort > 32767) {
			return apierrors.NewInvalid(schema.GroupKind{Kind: "Service"}, svc.Name, field.ErrorList{field.Invalid(field.NewPath("spec", "ports").Index(i).Child("nodePort"), p.NodePort,
				"provided port is not in the valid range. The range of valid ports is "+NodePortRange)})
		}
	}
	return nil
}
