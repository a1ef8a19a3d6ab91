package kubelet

import (
	"net/netip"
)

// ipam is the host-local IPAM the bridge CNI plugin uses: addresses from the
// node's pod CIDR, the first one kept for the bridge as gateway, handed out
// round-robin after the last one reserved, so a released address is reused
// only after the range wraps.
type ipam struct {
	cidr    netip.Prefix
	gateway netip.Addr
	next    netip.Addr
	inUse   map[netip.Addr]bool
}

func newIPAM(cidr netip.Prefix) *ipam {
	gw := cidr.Masked().Addr().Next()
	return &ipam{cidr: cidr, gateway: gw, next: gw.Next(), inUse: map[netip.Addr]bool{}}
}

// usable reports whether ip may be handed out: inside the range, not the
// network, gateway or broadcast address.
func (p *ipam) usable(ip netip.Addr) bool {
	return p.cidr.Contains(ip) && p.cidr.Contains(ip.Next()) && ip != p.gateway && ip != p.cidr.Masked().Addr()
}

// allocate returns the next free address, or false when the range is spent.
func (p *ipam) allocate() (netip.Addr, bool) {
	ip := p.next
	for range 1 << min(ip.BitLen()-p.cidr.Bits(), 16) {
		if !p.usable(ip) {
			ip = p.gateway.Next() // wrap to the start of the range
		}
		if !p.inUse[ip] {
			p.inUse[ip] = true
			p.next = ip.Next()
			return ip, true
		}
		ip = ip.Next()
	}
	return netip.Addr{}, false
}

// release frees an address (CNI DEL).
func (p *ipam) release(ip netip.Addr) { delete(p.inUse, ip) }

// occupy marks an address in use that the kubelet finds already allocated
// (host-local keeps its reservations on disk across restarts).
func (p *ipam) occupy(ip netip.Addr) {
	if p.cidr.Contains(ip) {
		p.inUse[ip] = true
	}
}
