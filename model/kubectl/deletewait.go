package kubectl

import (
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// gone is an object kubectl delete deleted, with the UID the answer gave
// it: an object of that name with another UID is a new one, and the old
// one is gone.
type gone struct {
	res             apiserver.Resource
	namespace, name string
	uid             types.UID
}

// deletedFrom is the object a DELETE's answer names.
func deletedFrom(res apiserver.Resource, namespace, name string, resp apiserver.Response) gone {
	g := gone{res: res, namespace: namespace, name: name}
	if resp.Object != nil {
		g.uid = resp.Object.GetUID()
	}
	return g
}

// waitIf ends the command, after waiting for the deleted objects to be
// gone unless --wait=false.
func (k *Kubectl) waitIf(plan DeletePlan, objs []gone, credential string, result *Result) {
	if !plan.Wait {
		result.Done = true
		return
	}
	k.waitDeleted(objs, credential, result)
}

// waitDeleted is kubectl delete's --wait, on by default
// (k8s.io/kubectl/pkg/cmd/wait/delete.go IsDeleted): for each deleted
// object in turn a GET, and unless that finds it gone (404, or a new
// UID), a LIST and a WATCH by name until it is deleted. The command ends
// when the last one is gone.
func (k *Kubectl) waitDeleted(objs []gone, credential string, result *Result) {
	if len(objs) == 0 {
		result.Done = true
		return
	}
	o := objs[0]
	next := func() { k.waitDeleted(objs[1:], credential, result) }
	ref := apiserver.ObjectRef(o.res.GVK.Kind, o.namespace, o.name)
	client := &apiserver.Client{Server: k.API, Engine: k.Engine, Latency: k.Latency, Component: Component}
	failed := func(resp apiserver.Response) {
		result.Refused(resp.Code, string(resp.Reason), resp.Message, "", false)
		k.Rec.Step(Component, "response", ref, result.Output)
	}
	get := &apiserver.Request{Verb: "get", Resource: o.res, Namespace: o.namespace, Name: o.name, Credential: credential}
	k.Rec.Stepf(Component, "request", ref, "%s %s as %q", get.Method(), get.Path(), credential)
	client.Do(get, func(resp apiserver.Response) {
		switch {
		case resp.Code == 404:
			next()
			return
		case !resp.OK():
			failed(resp)
			return
		case o.uid != "" && resp.Object.GetUID() != o.uid:
			next()
			return
		}
		list := &apiserver.Request{Verb: "list", Resource: o.res, Namespace: o.namespace, FieldSelector: "metadata.name=" + o.name, Credential: credential}
		k.Rec.Stepf(Component, "request", ref, "%s %s as %q", list.Method(), list.Path(), credential)
		client.Do(list, func(resp apiserver.Response) {
			if !resp.OK() {
				failed(resp)
				return
			}
			if len(resp.Items) == 0 {
				next()
				return
			}
			key := sim.Key{Kind: o.res.GVK.Kind, Namespace: o.namespace, Name: o.name}
			var stop func()
			waiting := true
			finish := func() {
				if waiting {
					waiting = false
					stop()
					next()
				}
			}
			stop = k.Store.Watch(Component, o.res.GVK.Kind, k.Latency, func(ev sim.WatchEvent) {
				if ev.Type == sim.Deleted && sim.KeyOf(ev.Object) == key {
					finish()
				}
			})
			// The watch starts from the list's revision: a deletion
			// since then reaches it as the first event.
			if now := k.Store.Get(key); now == nil || o.uid != "" && now.GetUID() != o.uid {
				k.Engine.AfterIn(Component, k.Latency, "kubectl delete --wait", finish)
			}
		})
	})
}
