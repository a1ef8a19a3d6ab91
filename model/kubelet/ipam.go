package kubelet

import (
	"net/netip"
)

// ipam is the host-local IPAM the bridge CNI plugin uses: addresses from the
// node's pod CIDR, the first one kept for the bridge as gateway, handed out
// in order.
type ipam struct {
	cidr    netip.Prefix
	gateway netip.Addr
	next    netip.Addr
}

func newIPAM(cidr netip.Prefix) *ipam {
	gw := cidr.Masked().Addr().Next()
	return &ipam{cidr: cidr, gateway: gw, next: gw.Next()}
}

// allocate returns the next free address, or false when the range is spent.
func (p *ipam) allocate() (netip.Addr, bool) {
	ip := p.next
	if !p.cidr.Contains(ip) || !p.cidr.Contains(ip.Next()) { // keep the broadcast address
		return netip.Addr{}, false
	}
	p.next = ip.Next()
	return ip, true
}
