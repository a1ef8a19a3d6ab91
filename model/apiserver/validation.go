package apiserver

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/podlife/podlife/model/sim"
)

// validate checks the object the way the API server's field validation does
// before anything is stored, and returns a 422 Invalid with every problem.
// It covers the fields the model reads; pkg/apis/core/validation is the
// reference for the messages.
func validate(obj sim.Object, res Resource) error {
	var errs field.ErrorList
	meta := field.NewPath("metadata")
	if obj.GetName() == "" {
		errs = append(errs, field.Required(meta.Child("name"), "name or generateName is required"))
	} else if res.GVK.Kind == "Pod" || res.GVK.Kind == "ConfigMap" || res.GVK.Kind == "Secret" {
		for _, msg := range validation.IsDNS1123Subdomain(obj.GetName()) {
			errs = append(errs, field.Invalid(meta.Child("name"), obj.GetName(), msg))
		}
	} else if res.GVK.Kind == "Namespace" {
		for _, msg := range validation.IsDNS1123Label(obj.GetName()) {
			errs = append(errs, field.Invalid(meta.Child("name"), obj.GetName(), msg))
		}
	}
	if pod, ok := obj.(*corev1.Pod); ok {
		errs = append(errs, validatePodSpec(&pod.Spec, field.NewPath("spec"))...)
	}
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(schema.GroupKind{Group: res.GVK.Group, Kind: res.GVK.Kind}, obj.GetName(), errs)
}

func validatePodSpec(spec *corev1.PodSpec, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	volumes := sets.New[string]()
	for i, v := range spec.Volumes {
		p := path.Child("volumes").Index(i)
		switch {
		case v.Name == "":
			errs = append(errs, field.Required(p.Child("name"), ""))
		case volumes.Has(v.Name):
			errs = append(errs, field.Duplicate(p.Child("name"), v.Name))
		}
		volumes.Insert(v.Name)
	}
	if len(spec.Containers) == 0 {
		errs = append(errs, field.Required(path.Child("containers"), ""))
	}
	names := sets.New[string]()
	check := func(list []corev1.Container, listPath *field.Path) {
		for i := range list {
			c := &list[i]
			p := listPath.Index(i)
			switch {
			case c.Name == "":
				errs = append(errs, field.Required(p.Child("name"), ""))
			case names.Has(c.Name):
				errs = append(errs, field.Duplicate(p.Child("name"), c.Name))
			default:
				for _, msg := range validation.IsDNS1123Label(c.Name) {
					errs = append(errs, field.Invalid(p.Child("name"), c.Name, msg))
				}
			}
			names.Insert(c.Name)
			if c.Image == "" {
				errs = append(errs, field.Required(p.Child("image"), ""))
			} else if strings.TrimSpace(c.Image) != c.Image {
				errs = append(errs, field.Invalid(p.Child("image"), c.Image, "must not have leading or trailing whitespace"))
			}
			for j, m := range c.VolumeMounts {
				if !volumes.Has(m.Name) {
					errs = append(errs, field.NotFound(p.Child("volumeMounts").Index(j).Child("name"), m.Name))
				}
			}
			for _, name := range slices.Sorted(maps.Keys(c.Resources.Requests)) {
				req := c.Resources.Requests[name]
				if limit, ok := c.Resources.Limits[name]; ok && req.Cmp(limit) > 0 {
					errs = append(errs, field.Invalid(p.Child("resources", "requests"), req.String(),
						fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String())))
				}
			}
		}
	}
	check(spec.InitContainers, path.Child("initContainers"))
	check(spec.Containers, path.Child("containers"))
	return errs
}
