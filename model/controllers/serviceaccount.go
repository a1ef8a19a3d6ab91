package controllers

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// ServiceAccountComponent and RootCAPublisherComponent name the two
// controllers that furnish a new namespace, as their service accounts do.
const (
	ServiceAccountComponent  = "service-account-controller"
	RootCAPublisherComponent = "root-ca-cert-publisher"
	// RootCAConfigMap is the ConfigMap the root CA publisher keeps in every
	// namespace, which pods' service account token volumes project.
	RootCAConfigMap = "kube-root-ca.crt"
)

// NamespaceDefaults are kube-controller-manager's serviceaccount controller
// (pkg/controller/serviceaccount/serviceaccounts_controller.go) and root CA
// publisher (pkg/controller/certificates/rootcacertpublisher): a namespace
// created through the API server gets its default ServiceAccount and the
// kube-root-ca.crt ConfigMap a moment later. Until then the API server
// refuses its pods (ServiceAccount admission), as a real one does.
type NamespaceDefaults struct {
	Store *sim.Store
	SA    *apiserver.Client // as service-account-controller
	CA    *apiserver.Client // as root-ca-cert-publisher
}

// OnNamespace handles a watch event for a Namespace.
func (c *NamespaceDefaults) OnNamespace(ev sim.WatchEvent) {
	ns := ev.Object.(*corev1.Namespace)
	if ev.Type == sim.Deleted || ns.DeletionTimestamp != nil {
		return
	}
	if c.Store.Get(sim.Key{Kind: "ServiceAccount", Namespace: ns.Name, Name: "default"}) == nil {
		res, _ := apiserver.ResourceFor("ServiceAccount")
		c.SA.Do(&apiserver.Request{Verb: "create", Resource: res, Namespace: ns.Name, Object: DefaultServiceAccount(ns.Name)}, nil)
	}
	if c.Store.Get(sim.Key{Kind: "ConfigMap", Namespace: ns.Name, Name: RootCAConfigMap}) == nil {
		res, _ := apiserver.ResourceFor("ConfigMap")
		c.CA.Do(&apiserver.Request{Verb: "create", Resource: res, Namespace: ns.Name, Object: RootCA(ns.Name)}, nil)
	}
}

// DefaultServiceAccount is the ServiceAccount every namespace gets.
func DefaultServiceAccount(namespace string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{Kind: "ServiceAccount", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: namespace}}
}

// RootCA is the cluster CA bundle every namespace gets.
func RootCA(namespace string) *corev1.ConfigMap {
	return &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{Kind: "ConfigMap", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: RootCAConfigMap, Namespace: namespace},
		Data:       map[string]string{"ca.crt": "-----BEGIN CERTIFICATE-----\n(the cluster CA)\n-----END CERTIFICATE-----\n"}}
}
