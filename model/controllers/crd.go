package controllers

import (
	"fmt"

	apiextensionshelpers "k8s.io/apiextensions-apiserver/pkg/apihelpers"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// The two apiextensions-apiserver controllers that make a new CRD's
// resource served, as the trace names them. They run inside
// kube-apiserver and call it over its loopback client.
const (
	NamingComponent       = "crd-naming-controller"
	EstablishingComponent = "crd-establishing-controller"
	// LoopbackUser is kube-apiserver's loopback client, in system:masters.
	LoopbackUser = "system:apiserver"
)

// CustomResourceDefinitions are apiextensions-apiserver's naming
// condition controller (pkg/controller/status/naming_controller.go), which
// accepts a CRD's names unless another CRD of its group holds them, and
// its establishing controller (pkg/controller/establish), which then marks
// it Established. Only from then on does discovery list the custom
// resource and the API server serve it.
type CustomResourceDefinitions struct {
	Store        *sim.Store
	Rec          *trace.Recorder
	Naming       *apiserver.Client
	Establishing *apiserver.Client
	Now          func() metav1.Time
}

// OnCRD handles a watch event for a CustomResourceDefinition.
func (c *CustomResourceDefinitions) OnCRD(ev sim.WatchEvent) {
	crd, ok := ev.Object.(*apiextensionsv1.CustomResourceDefinition)
	if !ok || ev.Type == sim.Deleted {
		return
	}
	if !equality.Semantic.DeepEqual(crd.Spec.Names, crd.Status.AcceptedNames) {
		c.name(crd)
		return
	}
	if apiextensionshelpers.IsCRDConditionTrue(crd, apiextensionsv1.NamesAccepted) && !apiextensionshelpers.IsCRDConditionTrue(crd, apiextensionsv1.Established) {
		next := crd.DeepCopy()
		apiextensionshelpers.SetCRDCondition(next, apiextensionsv1.CustomResourceDefinitionCondition{
			Type: apiextensionsv1.Established, Status: apiextensionsv1.ConditionTrue,
			Reason: "InitialNamesAccepted", Message: "the initial names have been accepted", LastTransitionTime: c.Now(),
		})
		c.Rec.Stepf(EstablishingComponent, "establish", ref(crd), "Established: serving %s.%s", crd.Status.AcceptedNames.Plural, crd.Spec.Group)
		c.writeStatus(c.Establishing, next)
	}
}

func (c *CustomResourceDefinitions) name(crd *apiextensionsv1.CustomResourceDefinition) {
	names, accepted, established := c.acceptNames(crd)
	if equality.Semantic.DeepEqual(crd.Status.AcceptedNames, names) &&
		apiextensionshelpers.IsCRDConditionEquivalent(&accepted, apiextensionshelpers.FindCRDCondition(crd, apiextensionsv1.NamesAccepted)) {
		return
	}
	next := crd.DeepCopy()
	next.Status.AcceptedNames = names
	accepted.LastTransitionTime, established.LastTransitionTime = c.Now(), c.Now()
	apiextensionshelpers.SetCRDCondition(next, accepted)
	apiextensionshelpers.SetCRDCondition(next, established)
	c.Rec.Stepf(NamingComponent, "accept-names", ref(crd), "NamesAccepted %s (%s): %s", accepted.Status, accepted.Reason, accepted.Message)
	c.writeStatus(c.Naming, next)
}

func ref(crd *apiextensionsv1.CustomResourceDefinition) string {
	return apiserver.ObjectRef("CustomResourceDefinition", "", crd.Name)
}

func (c *CustomResourceDefinitions) writeStatus(client *apiserver.Client, crd *apiextensionsv1.CustomResourceDefinition) {
	res, _ := apiserver.ResourceFor("CustomResourceDefinition")
	client.Do(&apiserver.Request{Verb: "update", Subresource: "status", Resource: res, Name: crd.Name, Object: crd}, nil)
}

// acceptNames is calculateNamesAndConditions: each requested name is
// accepted unless another CRD of the group has accepted it.
func (c *CustomResourceDefinitions) acceptNames(in *apiextensionsv1.CustomResourceDefinition) (apiextensionsv1.CustomResourceDefinitionNames, apiextensionsv1.CustomResourceDefinitionCondition, apiextensionsv1.CustomResourceDefinitionCondition) {
	resources, kinds := sets.New[string](), sets.New[string]()
	for _, obj := range c.Store.List("CustomResourceDefinition", "") {
		other := obj.(*apiextensionsv1.CustomResourceDefinition)
		if other.Spec.Group != in.Spec.Group || other.Name == in.Name {
			continue
		}
		n := other.Status.AcceptedNames
		resources.Insert(n.Plural, n.Singular)
		resources.Insert(n.ShortNames...)
		kinds.Insert(n.Kind, n.ListKind)
	}
	accepted := apiextensionsv1.CustomResourceDefinitionCondition{Type: apiextensionsv1.NamesAccepted, Status: apiextensionsv1.ConditionUnknown}
	conflict := func(reason string, err error) {
		accepted.Status, accepted.Reason, accepted.Message = apiextensionsv1.ConditionFalse, reason, err.Error()
	}
	requested, names := in.Spec.Names, in.Status.AcceptedNames
	if err := freshOrOurs(requested.Plural, names.Plural, resources); err != nil {
		conflict("PluralConflict", err)
	} else {
		names.Plural = requested.Plural
	}
	if err := freshOrOurs(requested.Singular, in.Status.AcceptedNames.Singular, resources); err != nil {
		conflict("SingularConflict", err)
	} else {
		names.Singular = requested.Singular
	}
	if !equality.Semantic.DeepEqual(requested.ShortNames, in.Status.AcceptedNames.ShortNames) {
		ours := sets.New(in.Status.AcceptedNames.ShortNames...)
		var errs []error
		for _, short := range requested.ShortNames {
			if err := freshOrOurs(short, "", resources); err != nil && !ours.Has(short) {
				errs = append(errs, err)
			}
		}
		if err := utilerrors.NewAggregate(errs); err != nil {
			conflict("ShortNamesConflict", err)
		} else {
			names.ShortNames = requested.ShortNames
		}
	}
	if err := freshOrOurs(requested.Kind, in.Status.AcceptedNames.Kind, kinds); err != nil {
		conflict("KindConflict", err)
	} else {
		names.Kind = requested.Kind
	}
	if err := freshOrOurs(requested.ListKind, in.Status.AcceptedNames.ListKind, kinds); err != nil {
		conflict("ListKindConflict", err)
	} else {
		names.ListKind = requested.ListKind
	}
	names.Categories = requested.Categories
	if accepted.Status == apiextensionsv1.ConditionUnknown {
		accepted.Status, accepted.Reason, accepted.Message = apiextensionsv1.ConditionTrue, "NoConflicts", "no conflicts found"
	}
	// Established waits for the establishing controller, so that the
	// handler serves the resource before clients are told it exists.
	established := apiextensionsv1.CustomResourceDefinitionCondition{Type: apiextensionsv1.Established, Status: apiextensionsv1.ConditionFalse,
		Reason: "NotAccepted", Message: "not all names are accepted"}
	if old := apiextensionshelpers.FindCRDCondition(in, apiextensionsv1.Established); old != nil {
		established = *old
	}
	if established.Status != apiextensionsv1.ConditionTrue && accepted.Status == apiextensionsv1.ConditionTrue {
		established = apiextensionsv1.CustomResourceDefinitionCondition{Type: apiextensionsv1.Established, Status: apiextensionsv1.ConditionFalse,
			Reason: "Installing", Message: "the initial names have been accepted"}
	}
	return names, accepted, established
}

func freshOrOurs(requested, accepted string, used sets.Set[string]) error {
	if requested == accepted || !used.Has(requested) {
		return nil
	}
	return fmt.Errorf("%q is already in use", requested)
}

// Established is the status of a CRD in a cluster's settled state: its
// names accepted and its resource served.
func Established(crd *apiextensionsv1.CustomResourceDefinition, now metav1.Time) {
	crd.Status.AcceptedNames = crd.Spec.Names
	for _, v := range crd.Spec.Versions {
		if v.Storage {
			crd.Status.StoredVersions = []string{v.Name}
		}
	}
	for _, c := range []apiextensionsv1.CustomResourceDefinitionCondition{
		{Type: apiextensionsv1.NamesAccepted, Status: apiextensionsv1.ConditionTrue, Reason: "NoConflicts", Message: "no conflicts found", LastTransitionTime: now},
		{Type: apiextensionsv1.Established, Status: apiextensionsv1.ConditionTrue, Reason: "InitialNamesAccepted", Message: "the initial names have been accepted", LastTransitionTime: now},
	} {
		apiextensionshelpers.SetCRDCondition(crd, c)
	}
}
