package manifest

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/diag"
)

const twoDocs = `# the seed story
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
# comment-only documents are skipped
---
apiVersion: v1
kind: Pod
metadata:
  name: pod-demo
  namespace: shop
spec:
  containers:
  - name: nginx
    image: nginx
    ports:
    - containerPort: 80
`

func TestParseReadsEveryDocumentWithItsLine(t *testing.T) {
	docs, err := Parse("demo.yaml", []byte(twoDocs))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("got %d documents, want 2", len(docs))
	}
	if docs[0].Line != 2 || docs[1].Line != 9 {
		t.Errorf("document lines = %d, %d; want 2, 9", docs[0].Line, docs[1].Line)
	}
	pod, ok := docs[1].Object.(*corev1.Pod)
	if !ok {
		t.Fatalf("second document decoded as %T", docs[1].Object)
	}
	if pod.Spec.Containers[0].Ports[0].ContainerPort != 80 || pod.Kind != "Pod" {
		t.Errorf("pod not decoded: %+v", pod)
	}
	if got := docs[1].PosOf("spec.containers[0].image").String(); got != "demo.yaml:17:5" {
		t.Errorf("PosOf(image) = %s, want demo.yaml:17:5", got)
	}
}

func TestParseReportsEveryUnknownFieldWithItsPosition(t *testing.T) {
	src := `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx
    imagePullPolice: Always
  restartPolice: Never
`
	_, err := Parse("web.yaml", []byte(src))
	if err == nil {
		t.Fatal("unknown fields were accepted")
	}
	want := `web.yaml:9:5: Pod "web": unknown field "spec.containers[0].imagePullPolice"
web.yaml:10:3: Pod "web": unknown field "spec.restartPolice"`
	if err.Error() != want {
		t.Fatalf("got\n%s\nwant\n%s", err, want)
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"bad indentation", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   bad: x\n", "p.yaml:5: invalid YAML:"},
		{"missing kind", "apiVersion: v1\nmetadata:\n  name: a\n", "p.yaml:1:1: Object 'Kind' is missing"},
		{"bad quantity", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: i\n    resources:\n      requests:\n        cpu: lots\n", "p.yaml:11:9: Pod \"a\": spec.containers[0].resources.requests.cpu: \"lots\" is not a quantity"},
		{"bad quota quantity", "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    requests.cpu: 1x5\n", "p.yaml:7:5: ResourceQuota \"q\": spec.hard.requests.cpu: \"1x5\" is not a quantity"},
		{"unknown verb", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, crate]\n", "p.yaml:8:16: Role \"r\": rules[0].verbs[1]: unknown verb \"crate\""},
		{"second document", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\nkind: Pod\n", "p.yaml:6:1: Object 'apiVersion' is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(c.src))
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error = %v, want prefix %q", err, c.want)
			}
		})
	}
}

func TestUnknownKindsAreLeftForKubectl(t *testing.T) {
	docs, err := Parse("p.yaml", []byte("apiVersion: v1\nkind: Pood\nmetadata:\n  name: a\n"))
	if err != nil {
		t.Fatal(err)
	}
	if docs[0].Object != nil || docs[0].GVK.Kind != "Pood" || docs[0].Name != "a" {
		t.Fatalf("unknown kind decoded as %+v", docs[0])
	}
}

// ParseAsSent leaves a misspelt field to the API server, in Problems, but
// still refuses podlife's own mistakes (an unknown RBAC verb), which no
// API server would.
func TestParseAsSentLeavesFieldsToTheServerButNotPodlifesChecks(t *testing.T) {
	pos := diag.Pos{File: "m.yaml", Line: 1, Col: 1}
	docs, err := ParseAsSent(pos, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containerz: []\n"))
	if err != nil || len(docs) != 1 || len(docs[0].Problems) != 1 || docs[0].Body == nil {
		t.Fatalf("docs %v, err %v", docs, err)
	}
	_, err = ParseAsSent(pos, []byte("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [gett]\n"))
	if err == nil || !strings.Contains(err.Error(), `m.yaml:7:11: Role "r": rules[0].verbs[0]: unknown verb "gett"`) {
		t.Fatalf("err = %v", err)
	}
}
