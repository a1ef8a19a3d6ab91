package kubectl

import (
	"fmt"
	"strings"
)

// Output is what one `kubectl apply -f` run prints for its results, in
// order: each object applied on stdout; on stderr the warnings as they came
// back, then the errors, which kubectl collects and prints at the end
// through its error handler (k8s.io/kubectl/pkg/cmd/util/helpers.go
// checkErr): one error alone in its own form (an Invalid answer as "The
// Kind "name" is invalid: " and its causes), several one per line. The exit
// status is 1 when anything failed.
func Output(results []*Result) (stdout, stderr string, exit int) {
	var out, errOut strings.Builder
	if render(results, &out, &errOut) {
		exit = 1
	}
	return out.String(), errOut.String(), exit
}

// Terminal is what one `kubectl apply -f` run shows on a terminal, stdout
// and stderr together: each object's warnings as its answer comes back
// (client-go's warning handler prints them at once), then its line, and
// the errors at the end.
func Terminal(results []*Result) string {
	var b strings.Builder
	render(results, &b, &b)
	return strings.TrimSuffix(b.String(), "\n")
}

// render writes a run's lines and warnings as they come, then its errors;
// it reports whether anything failed.
func render(results []*Result, out, errOut *strings.Builder) (failedAny bool) {
	var failed []*Result
	for _, r := range results {
		for _, w := range r.Warnings {
			fmt.Fprintf(errOut, "Warning: %s\n", w)
		}
		if r.Allowed {
			fmt.Fprintln(out, r.Message)
		} else {
			failed = append(failed, r)
		}
	}
	errOut.WriteString(errorsAtEnd(failed))
	return len(failed) > 0
}

// errorsAtEnd is kubectl's error handler on a run's errors: one alone in
// its own form, several one per line.
func errorsAtEnd(failed []*Result) string {
	switch len(failed) {
	case 0:
		return ""
	case 1:
		return failed[0].alone()
	}
	var b strings.Builder
	for _, r := range failed {
		fmt.Fprintln(&b, r.standard())
	}
	return b.String()
}

// standard is kubectl's StandardErrorMessage for the error, or the
// error's own text when it is not the API server's.
func (r *Result) standard() string {
	switch {
	case r.Code == 0:
		return r.clientError
	case r.Code == 401:
		return fmt.Sprintf("error: You must be logged in to the server (%s)", r.Message)
	case r.Reason != "":
		return fmt.Sprintf("Error from server (%s): %s", r.Reason, r.sourced)
	}
	return fmt.Sprintf("Error from server: %s", r.sourced)
}

// alone is how kubectl prints the error of a run that had only this one.
func (r *Result) alone() string {
	if r.Reason == "Invalid" && r.Details != nil {
		s := "The request is invalid"
		if r.Details.Kind != "" || r.Details.Name != "" {
			s = fmt.Sprintf("The %s %q is invalid", r.Details.Kind, r.Details.Name)
		}
		switch len(r.Details.Causes) {
		case 0:
			return s + "\n"
		case 1:
			c := r.Details.Causes[0]
			return fmt.Sprintf("%s: %s: %s\n", s, c.Field, c.Message)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s: \n", s)
		for _, c := range r.Details.Causes {
			fmt.Fprintf(&b, "* %s: %s\n", c.Field, c.Message)
		}
		return b.String()
	}
	msg := r.standard()
	if r.Code == 0 && !r.listItem && !strings.HasPrefix(msg, "error: ") {
		msg = "error: " + msg
	}
	return msg + "\n"
}
