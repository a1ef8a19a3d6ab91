package apiserver

import (
	"slices"
	"sort"
	"strings"
)

// Well-known user and group names (k8s.io/apiserver/pkg/authentication/user).
const (
	SystemMasters        = "system:masters"
	AllAuthenticated     = "system:authenticated"
	SystemKubeScheduler  = "system:kube-scheduler"
	SystemNodesGroup     = "system:nodes"
	NodeUserPrefix       = "system:node:"
	Anonymous            = "system:anonymous"
	AllUnauthenticated   = "system:unauthenticated"
	ServiceAccountsGroup = "system:serviceaccounts"
	serviceAccountPrefix = "system:serviceaccount:"
)

// ServiceAccountUsername is a service account's user name
// (k8s.io/apiserver/pkg/authentication/serviceaccount/util.go).
func ServiceAccountUsername(namespace, name string) string {
	return serviceAccountPrefix + namespace + ":" + name
}

// ParseServiceAccountUsername splits "system:serviceaccount:NS:NAME".
func ParseServiceAccountUsername(user string) (namespace, name string, ok bool) {
	rest, found := strings.CutPrefix(user, serviceAccountPrefix)
	if !found {
		return "", "", false
	}
	namespace, name, ok = strings.Cut(rest, ":")
	return namespace, name, ok && namespace != "" && name != "" && !strings.Contains(name, ":")
}

// UserInfo is an authenticated identity.
type UserInfo struct {
	Name   string
	UID    string
	Groups []string
}

// InGroup reports whether the user is a member of group.
func (u UserInfo) InGroup(group string) bool { return slices.Contains(u.Groups, group) }

// Authenticator plays kube-apiserver's authenticator union: a static token
// file (each known user presents a token and is authenticated as that user
// with system:authenticated added to its groups), service account tokens
// (valid while the service account exists), and anonymous requests, which
// carry no credential at all. A credential nobody accepts gets 401.
type Authenticator struct {
	users map[string]UserInfo
	// ServiceAccountExists reports whether a service account is stored; nil
	// accepts no service account token.
	ServiceAccountExists func(namespace, name string) bool
	// AnonymousDisabled turns off --anonymous-auth (on by default).
	AnonymousDisabled bool
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

// Authenticate returns the user a credential belongs to. The model's
// credentials name their user: "" (or "system:anonymous") is no credential
// at all.
func (a *Authenticator) Authenticate(credential string) (UserInfo, bool) {
	if credential == "" || credential == Anonymous {
		if a.AnonymousDisabled {
			return UserInfo{}, false
		}
		return UserInfo{Name: Anonymous, Groups: []string{AllUnauthenticated}}, true
	}
	if u, ok := a.users[credential]; ok {
		return u, true
	}
	if ns, name, ok := ParseServiceAccountUsername(credential); ok && a.ServiceAccountExists != nil && a.ServiceAccountExists(ns, name) {
		return UserInfo{Name: credential, Groups: []string{ServiceAccountsGroup, ServiceAccountsGroup + ":" + ns, AllAuthenticated}}, true
	}
	return UserInfo{}, false
}
