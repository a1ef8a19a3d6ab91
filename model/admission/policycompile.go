package admission

import (
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions"
	"k8s.io/apiserver/pkg/cel/environment"
)

// policyEnv is the CEL environment kube-apiserver compiles policies in: the
// base environment of Kubernetes' CEL libraries at the server's
// compatibility version, with strict cost checks.
var policyEnv = sync.OnceValue(func() *environment.EnvSet {
	return environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
})

// compilePolicy compiles a ValidatingAdmissionPolicy into the validator the
// dispatcher runs. It is validating/plugin.go's compilePolicy (unexported
// there) assembled from the same exported parts: the composited compiler
// (variables first, then validations, match conditions, audit annotations
// and message expressions), the variables `params` and `authorizer`
// declared as upstream declares them, and validating.NewValidator.
func compilePolicy(p *admissionregistrationv1.ValidatingAdmissionPolicy) validating.Validator {
	spec := &p.Spec
	withParams := cel.OptionalVariableDeclarations{HasParams: spec.ParamKind != nil, HasAuthorizer: true}
	forMessages := cel.OptionalVariableDeclarations{HasParams: spec.ParamKind != nil, HasAuthorizer: false}
	compiler, err := cel.NewCompositedCompiler(policyEnv())
	if err != nil {
		return validating.NewValidator(nil, nil, nil, nil, spec.FailurePolicy, err)
	}
	matcher := compileShared(compiler, spec.Variables, spec.MatchConditions, spec.FailurePolicy, p.Name, withParams)
	validations := make([]cel.ExpressionAccessor, len(spec.Validations))
	messages := make([]cel.ExpressionAccessor, len(spec.Validations))
	for i, v := range spec.Validations {
		validations[i] = &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason}
		if v.MessageExpression != "" {
			messages[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
		}
	}
	annotations := make([]cel.ExpressionAccessor, len(spec.AuditAnnotations))
	for i, a := range spec.AuditAnnotations {
		annotations[i] = &validating.AuditAnnotationCondition{Key: a.Key, ValueExpression: a.ValueExpression}
	}
	return validating.NewValidator(
		compiler.CompileCondition(validations, withParams, environment.StoredExpressions),
		matcher,
		compiler.CompileCondition(annotations, withParams, environment.StoredExpressions),
		compiler.CompileCondition(messages, forMessages, environment.StoredExpressions),
		spec.FailurePolicy,
		nil,
	)
}

// compileShared compiles and stores a policy's variables, then compiles
// its matchConditions into their matcher (nil when it has none): the part
// of compilation validating and mutating policies share.
func compileShared(compiler *cel.CompositedCompiler, vars []admissionregistrationv1.Variable, conditions []admissionregistrationv1.MatchCondition,
	failurePolicy *admissionregistrationv1.FailurePolicyType, name string, opts cel.OptionalVariableDeclarations) matchconditions.Matcher {
	variables := make([]cel.NamedExpressionAccessor, len(vars))
	for i, v := range vars {
		variables[i] = &validating.Variable{Name: v.Name, Expression: v.Expression}
	}
	compiler.CompileAndStoreVariables(variables, opts, environment.StoredExpressions)
	if len(conditions) == 0 {
		return nil
	}
	accessors := make([]cel.ExpressionAccessor, len(conditions))
	for i := range conditions {
		accessors[i] = (*matchconditions.MatchCondition)(&conditions[i])
	}
	return matchconditions.NewMatcher(compiler.CompileCondition(accessors, opts, environment.StoredExpressions), failurePolicy, "policy", "validate", name)
}
