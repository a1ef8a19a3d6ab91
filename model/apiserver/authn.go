package apiserver

import (
	"slices"
	"sort"
)

// Well-known user and group names (k8s.io/apiserver/pkg/authentication/user).
const (
	SystemMasters       = "system:masters"
	AllAuthenticated    = "system:authenticated"
	SystemKubeScheduler = "system:kube-scheduler"
	SystemNodesGroup    = "system:nodes"
	NodeUserPrefix      = "system:node:"
)

// UserInfo is an authenticated identity.
type UserInfo struct {
	Name   string
	UID    string
	Groups []string
}

// InGroup reports whether the user is a member of group.
func (u UserInfo) InGroup(group string) bool { return slices.Contains(u.Groups, group) }

// Authenticator plays kube-apiserver's static token file: each known user
// presents a token, and the request is authenticated as that user with
// system:authenticated added to its groups. An unknown credential gets 401.
type Authenticator struct {
	users map[string]UserInfo
}

// NewAuthenticator returns an authenticator that knows nobody.
func NewAuthenticator() *Authenticator { return &Authenticator{users: map[string]UserInfo{}} }

// AddUser makes a user known; groups are kept sorted and system:authenticated
// is appended, as the token authenticator does.
func (a *Authenticator) AddUser(name, uid string, groups ...string) UserInfo {
	gs := append([]string(nil), groups...)
	sort.Strings(gs)
	gs = slices.Compact(gs)
	if !slices.Contains(gs, AllAuthenticated) {
		gs = append(gs, AllAuthenticated)
	}
	u := UserInfo{Name: name, UID: uid, Groups: gs}
	a.users[name] = u
	return u
}

// Authenticate returns the user a credential belongs to.
func (a *Authenticator) Authenticate(credential string) (UserInfo, bool) {
	u, ok := a.users[credential]
	return u, ok
}
