package registry

import (
	"fmt"
	"slices"
	"strings"

	apiextensionshelpers "k8s.io/apiextensions-apiserver/pkg/apihelpers"
	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresource"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/apiserver/pkg/registry/rest"
	openapierrors "k8s.io/kube-openapi/pkg/validation/errors"
	"k8s.io/kube-openapi/pkg/validation/validate"
)

// CustomResource serves the custom resources one CustomResourceDefinition
// defines, as apiextensions-apiserver's CRD handler builds its serving
// info (pkg/apiserver/customresource_handler.go getOrCreateServingInfoFor):
// per served version a structural schema, the schema validator, and
// apiextensions' own customresource strategy, which validates metadata,
// the schema, the x-kubernetes-validations CEL rules and the scale and
// status subresources.
type CustomResource struct {
	CRD      *apiextensionsv1.CustomResourceDefinition
	versions map[string]*customVersion
}

type customVersion struct {
	structural *structuralschema.Structural
	strategy   customStrategy
}

// customStrategy is what the generic store asks of customresource's
// strategy, whose type is not exported.
type customStrategy interface {
	rest.RESTCreateStrategy
	rest.RESTUpdateStrategy
}

// errServe is what the CRD handler answers when a CRD's schema cannot be
// served; a CRD that passed validation never gets here.
var errServe = fmt.Errorf("the server could not properly serve the CR schema")

// NewCustomResource builds the serving info of an established CRD.
func NewCustomResource(crd *apiextensionsv1.CustomResourceDefinition) (*CustomResource, error) {
	cr := &CustomResource{CRD: crd, versions: map[string]*customVersion{}}
	structurals := map[string]*structuralschema.Structural{}
	for _, v := range crd.Spec.Versions {
		val, err := apiextensionshelpers.GetSchemaForVersion(crd, v.Name)
		if err != nil || val == nil {
			continue
		}
		internal := &apiextensionsinternal.CustomResourceValidation{}
		if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(val, internal, nil); err != nil {
			return nil, errServe
		}
		s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
		if err != nil && !crd.Spec.PreserveUnknownFields {
			return nil, errServe
		}
		if !crd.Spec.PreserveUnknownFields {
			s = s.DeepCopy()
			if err := structuraldefaulting.PruneDefaults(s); err != nil {
				return nil, errServe
			}
		}
		structurals[v.Name] = s
	}
	for _, v := range crd.Spec.Versions {
		if !v.Served && !v.Storage {
			continue
		}
		kind := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Status.AcceptedNames.Kind}
		var props *apiextensionsinternal.JSONSchemaProps
		if val, _ := apiextensionshelpers.GetSchemaForVersion(crd, v.Name); val != nil {
			internal := &apiextensionsinternal.CustomResourceValidation{}
			if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(val, internal, nil); err != nil {
				return nil, errServe
			}
			props = internal.OpenAPIV3Schema
		}
		schemaValidator, _, err := apiservervalidation.NewSchemaValidator(props)
		if err != nil {
			return nil, err
		}
		validator := inPathOrder{schemaValidator}
		subresources, _ := apiextensionshelpers.GetSubresourcesForVersion(crd, v.Name)
		var status *apiextensionsinternal.CustomResourceSubresourceStatus
		var statusValidator apiservervalidation.SchemaValidator
		var scale *apiextensionsinternal.CustomResourceSubresourceScale
		if subresources != nil && subresources.Status != nil {
			status = &apiextensionsinternal.CustomResourceSubresourceStatus{}
			if props != nil {
				if statusSchema, ok := props.Properties["status"]; ok {
					v, _, err := apiservervalidation.NewSchemaValidator(&statusSchema)
					if err != nil {
						return nil, err
					}
					statusValidator = inPathOrder{v}
				}
			}
		}
		if subresources != nil && subresources.Scale != nil {
			scale = &apiextensionsinternal.CustomResourceSubresourceScale{}
			if err := apiextensionsv1.Convert_v1_CustomResourceSubresourceScale_To_apiextensions_CustomResourceSubresourceScale(subresources.Scale, scale, nil); err != nil {
				return nil, errServe
			}
		}
		strategy := customresource.NewStrategy(unstructuredTyper{}, crd.Spec.Scope == apiextensionsv1.NamespaceScoped, kind,
			validator, statusValidator, structurals[v.Name], status, scale, v.SelectableFields)
		cr.versions[v.Name] = &customVersion{structural: structurals[v.Name], strategy: strategy}
	}
	return cr, nil
}

// inPathOrder sorts a schema validator's errors by field path. The
// OpenAPI validator walks a schema's properties in Go map order, so a real
// API server lists several schema errors in an order that changes from
// one request to the next; the model promises the same answer every time.
type inPathOrder struct {
	apiservervalidation.SchemaValidator
}

func (v inPathOrder) Validate(value interface{}, options ...apiservervalidation.ValidationOption) *validate.Result {
	return sortResult(v.SchemaValidator.Validate(value, options...))
}

func (v inPathOrder) ValidateUpdate(value, old interface{}, options ...apiservervalidation.ValidationOption) *validate.Result {
	return sortResult(v.SchemaValidator.ValidateUpdate(value, old, options...))
}

func sortResult(r *validate.Result) *validate.Result {
	if r == nil {
		return r
	}
	key := func(err error) string {
		if v, ok := err.(*openapierrors.Validation); ok {
			return v.Name
		}
		return err.Error()
	}
	slices.SortStableFunc(r.Errors, func(a, b error) int { return strings.Compare(key(a), key(b)) })
	return r
}

// unstructuredTyper types custom resources by what they say they are.
type unstructuredTyper struct{}

func (unstructuredTyper) ObjectKinds(obj runtime.Object) ([]schema.GroupVersionKind, bool, error) {
	gvk := obj.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" {
		return nil, false, runtime.NewMissingKindErr("object has no kind field ")
	}
	return []schema.GroupVersionKind{gvk}, false, nil
}

func (unstructuredTyper) Recognizes(schema.GroupVersionKind) bool { return true }

// strictCustom is the CRD handler's strict JSON decoder, into unstructured
// objects.
var strictCustom = json.NewSerializerWithOptions(json.DefaultMetaFactory, unstructuredCreator{}, unstructuredTyper{}, json.SerializerOptions{Strict: true})

type unstructuredCreator struct{}

func (unstructuredCreator) New(kind schema.GroupVersionKind) (runtime.Object, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(kind)
	return u, nil
}

// Decode reads a request body for version gvk as the CRD handler's decoder
// does with fieldValidation=Strict: fields its schema does not declare are
// pruned and reported (`unknown field "spec.x"`), metadata is coerced, and
// the schema's defaults are applied. The 400 it answers is the API
// server's.
func (cr *CustomResource) Decode(gvk schema.GroupVersionKind, body []byte) (*unstructured.Unstructured, error) {
	cannot := func(err error) error {
		return apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", gvk.Kind, gvk.Version, gvk.Kind, err))
	}
	var strictErrs []error
	obj, _, err := strictCustom.Decode(body, &gvk, nil)
	if err != nil {
		strict, ok := runtime.AsStrictDecodingError(err)
		if !ok || obj == nil {
			return nil, cannot(err)
		}
		strictErrs = strict.Errors()
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, cannot(fmt.Errorf("not a %s", gvk.Kind))
	}
	unknown, err := cr.coerce(u)
	if err != nil {
		return nil, cannot(err)
	}
	for _, path := range unknown {
		strictErrs = append(strictErrs, fmt.Errorf(`unknown field "%s"`, path))
	}
	cr.Default(u)
	if len(strictErrs) > 0 {
		return nil, cannot(runtime.NewStrictDecodingError(strictErrs))
	}
	return u, nil
}

// coerce is the handler's unstructuredSchemaCoercer: it prunes what the
// schema does not declare and returns the paths it pruned.
func (cr *CustomResource) coerce(u *unstructured.Unstructured) ([]string, error) {
	kind, apiVersion := u.GetKind(), u.GetAPIVersion()
	objectMeta, foundMeta, unknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return nil, err
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, err
	}
	if v, ok := cr.versions[gv.Version]; ok && gv.Group == cr.CRD.Spec.Group && kind == cr.CRD.Status.AcceptedNames.Kind {
		if !cr.CRD.Spec.PreserveUnknownFields {
			unknown = append(unknown, structuralpruning.PruneWithOptions(u.Object, v.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
			structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, v.structural)
		}
		ferr, paths := schemaobjectmeta.CoerceWithOptions(nil, u.Object, v.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
		if ferr != nil {
			return nil, ferr
		}
		unknown = append(unknown, paths...)
	}
	u.SetKind(kind)
	u.SetAPIVersion(apiVersion)
	if foundMeta {
		if err := schemaobjectmeta.SetObjectMeta(u.Object, objectMeta); err != nil {
			return nil, err
		}
	}
	return unknown, nil
}

// Default applies the schema's defaults for the object's version.
func (cr *CustomResource) Default(u *unstructured.Unstructured) {
	if v, ok := cr.versions[u.GroupVersionKind().Version]; ok && v.structural != nil {
		structuraldefaulting.Default(u.Object, v.structural)
	}
}

// DeprecationWarnings are the warnings every request to a deprecated
// version is answered with: the CRD's own, or the handler's default
// ("stable.example.com/v1beta1 CronTab is deprecated; use
// stable.example.com/v1 CronTab").
func (cr *CustomResource) DeprecationWarnings(ver string) []string {
	spec := cr.CRD.Spec
	for _, v := range spec.Versions {
		if v.Name != ver || !v.Deprecated {
			continue
		}
		if v.DeprecationWarning != nil {
			return []string{*v.DeprecationWarning}
		}
		msg := fmt.Sprintf("%s/%s %s is deprecated", spec.Group, ver, spec.Names.Kind)
		newest := ""
		for _, o := range spec.Versions {
			if o.Served && !o.Deprecated && version.CompareKubeAwareVersionStrings(ver, o.Name) < 0 &&
				(newest == "" || version.CompareKubeAwareVersionStrings(o.Name, newest) > 0) {
				newest = o.Name
			}
		}
		if newest != "" {
			msg += fmt.Sprintf("; use %s/%s %s", spec.Group, newest, spec.Names.Kind)
		}
		return []string{msg}
	}
	return nil
}

// Served reports whether the CRD serves a version.
func (cr *CustomResource) Served(version string) bool {
	return apiextensionshelpers.HasServedCRDVersion(cr.CRD, version)
}

func (cr *CustomResource) strategy(gvk schema.GroupVersionKind) (customStrategy, error) {
	v, ok := cr.versions[gvk.Version]
	if !ok {
		return nil, apierrors.NewInternalError(fmt.Errorf("no storage for %s", gvk))
	}
	return v.strategy, nil
}

// Create runs the customresource strategy's create path on a decoded,
// defaulted custom resource (rest.BeforeCreate), with the same contract as
// the package's Create for built-in kinds.
func (cr *CustomResource) Create(req Request, obj *unstructured.Unstructured) (runtime.Object, []string, error) {
	s, err := cr.strategy(req.GVK)
	if err != nil {
		return nil, nil, err
	}
	ctx, warnings := req.context("create")
	if err := rest.BeforeCreate(s, ctx, obj); err != nil {
		return nil, nil, err
	}
	return obj, warnings.list, nil
}

// Update runs the strategy's update path (rest.BeforeUpdate).
func (cr *CustomResource) Update(req Request, obj, old *unstructured.Unstructured) (runtime.Object, []string, error) {
	s, err := cr.strategy(req.GVK)
	if err != nil {
		return nil, nil, err
	}
	ctx, warnings := req.context("update")
	if err := rest.BeforeUpdate(s, ctx, obj, old.DeepCopy()); err != nil {
		return nil, nil, err
	}
	return obj, warnings.list, nil
}

// Validate checks a custom resource that enters the store without a
// request (a cluster's initial state) as a create would.
func (cr *CustomResource) Validate(req Request, obj *unstructured.Unstructured) error {
	s, err := cr.strategy(req.GVK)
	if err != nil {
		return err
	}
	ctx, _ := req.context("create")
	if errs := rest.ValidateCreate(ctx, obj, s); len(errs) > 0 {
		return apierrors.NewInvalid(req.GVK.GroupKind(), obj.GetName(), errs)
	}
	return nil
}
