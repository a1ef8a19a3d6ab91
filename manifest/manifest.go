// Package manifest reads Kubernetes YAML the way kubectl does (multi-document
// files, strict field checking) into the real k8s.io/api types, and keeps the
// position of every document and field so that a mistake is reported as
// file:line:col.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/model/sim"
)

// Document is one YAML document of a manifest.
type Document struct {
	File string
	// Arg, when set, is how the command line names File (kubectl's -f)
	// where that differs from the path diagnostics use. A feature's
	// docstrings are named by the feature file's base name, so that a trace
	// reads the same whichever directory the scenario runs from.
	Arg   string
	Index int // 1-based position among the file's non-empty documents
	Line  int // line of the document's first content line

	GVK          schema.GroupVersionKind
	Name         string
	GenerateName string
	Namespace    string
	// Object is the decoded object, nil when the kind is not one the API
	// server serves (kubectl then fails its resource mapping, as a real
	// one would) or when the document does not decode.
	Object sim.Object
	// Body is the document as JSON: what kubectl sends.
	Body []byte
	// InList is set on the items of a List, which kubectl maps (and
	// reports unmappable) in words of their own.
	InList bool
	// Problems are what strict decoding finds (unknown fields, values of
	// the wrong type or form), each at its position. Parse reports them as
	// errors; ParseAsSent leaves them to the API server.
	Problems diag.List
	// mistakes are what decodes but cannot be what the author meant (an
	// RBAC verb nobody uses): podlife's own checks, errors either way.
	mistakes diag.List

	root *yamlv3.Node
	col  int // column offset of the YAML within its file, for docstrings
}

// KubectlFile is the file as kubectl names it in its messages: Arg, or
// File.
func (d *Document) KubectlFile() string {
	if d.Arg != "" {
		return d.Arg
	}
	return d.File
}

// Pos is the position of the document itself (of its item, in a List).
func (d *Document) Pos() diag.Pos {
	if d.root != nil && d.root.Line > 1 {
		return d.posOfNode(d.root)
	}
	return diag.Pos{File: d.File, Line: d.Line, Col: 1 + d.col}
}

// PosOf returns the position of a field given as a JSON path the way
// Kubernetes prints one ("spec.containers[0].image"), or of the document when
// the path is not found.
func (d *Document) PosOf(path string) diag.Pos {
	if n := lookup(d.root, path); n != nil {
		return d.posOfNode(n)
	}
	return d.Pos()
}

func (d *Document) posOfNode(n *yamlv3.Node) diag.Pos {
	return diag.Pos{File: d.File, Line: d.Line + n.Line - 1, Col: n.Column + d.col}
}

// Source names the document for messages: "file" or "file (document N)".
func (d *Document) Source() string {
	if d.Index > 1 {
		return fmt.Sprintf("%s (document %d)", d.File, d.Index)
	}
	return d.File
}

// Parse reads every document of data, naming file in positions. It collects
// all problems it finds before returning them as a diag.List.
func Parse(file string, data []byte) ([]*Document, error) {
	return ParseAt(diag.Pos{File: file, Line: 1, Col: 1}, data)
}

// ParseAt is Parse for YAML that starts at pos inside a larger file, such
// as a docstring in a feature file indented to pos.Col.
func ParseAt(pos diag.Pos, data []byte) ([]*Document, error) {
	docs, errs := parse(pos, data)
	for _, d := range docs {
		errs = append(errs, d.Problems...)
		errs = append(errs, d.mistakes...)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return docs, nil
}

// ParseAsSent reads documents as kubectl sends them to the API server:
// only what kubectl itself refuses (YAML it cannot read, a document with no
// kind or apiVersion) and podlife's own checks (an RBAC verb nobody uses)
// are errors. Unknown fields and values that do not
// decode stay in each document's Problems and its Body, for the API
// server to refuse in its own words; Object is nil when it cannot be
// decoded at all.
func ParseAsSent(pos diag.Pos, data []byte) ([]*Document, error) {
	docs, errs := parse(pos, data)
	for _, d := range docs {
		errs = append(errs, d.mistakes...)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return docs, nil
}

func parse(pos diag.Pos, data []byte) ([]*Document, diag.List) {
	file := pos.File
	var docs []*Document
	var errs diag.List
	for i, chunk := range split(data) {
		chunk.line += max(pos.Line, 1) - 1
		got, err := parseDocument(file, i+1, chunk, max(pos.Col, 1)-1)
		if err != nil {
			var list diag.List
			if errors.As(err, &list) {
				errs = append(errs, list...)
			} else {
				errs.Add(diag.Pos{File: file, Line: chunk.line}, "%v", err)
			}
			continue
		}
		docs = append(docs, got...)
	}
	return docs, errs
}

type chunk struct {
	line int // line of the first content line
	text []byte
}

// split cuts data into documents at "---" lines, as apimachinery's YAMLReader
// does, but keeps each document's starting line, and drops documents that
// hold only comments and blank lines.
func split(data []byte) []chunk {
	var out []chunk
	var cur bytes.Buffer
	start := 0
	flush := func() {
		if start > 0 && hasContent(cur.Bytes()) {
			out = append(out, chunk{line: start, text: append([]byte(nil), cur.Bytes()...)})
		}
		cur.Reset()
		start = 0
	}
	for n, line := range bytes.SplitAfter(data, []byte("\n")) {
		if isSeparator(line) {
			flush()
			continue
		}
		if start == 0 && isContentLine(line) {
			start = n + 1
		}
		if start > 0 {
			cur.Write(line)
		}
	}
	flush()
	return out
}

func isSeparator(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := strings.TrimSpace(string(line[3:]))
	return rest == "" || strings.HasPrefix(rest, "#")
}

func isContentLine(line []byte) bool {
	t := strings.TrimSpace(string(line))
	return t != "" && !strings.HasPrefix(t, "#")
}

func hasContent(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if isContentLine(line) {
			return true
		}
	}
	return false
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func parseDocument(file string, index int, c chunk, col int) ([]*Document, error) {
	doc := &Document{File: file, Index: index, Line: c.line, col: col}
	var root yamlv3.Node
	if err := yamlv3.Unmarshal(c.text, &root); err != nil {
		pos := doc.Pos()
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			var rel int
			fmt.Sscanf(m[1], "%d", &rel)
			pos = diag.Pos{File: file, Line: c.line + rel - 1}
			msg = m[2]
		}
		return nil, diag.List{diag.Errorf(pos, "invalid YAML: %s", msg)}
	}
	if len(root.Content) == 1 {
		doc.root = root.Content[0]
	}
	if doc.root == nil || doc.root.Kind != yamlv3.MappingNode {
		return nil, diag.List{diag.Errorf(doc.Pos(), "a Kubernetes object must be a YAML mapping")}
	}
	// kubectl reads YAML as sigs.k8s.io/yaml does: a repeated key is no
	// error, the last one wins.
	js, err := yaml.YAMLToJSON(c.text)
	if err != nil {
		return nil, diag.List{diag.Errorf(doc.Pos(), "invalid YAML: %s", strings.TrimPrefix(err.Error(), "error converting YAML to JSON: yaml: "))}
	}
	return decode(doc, js)
}

// listItems are the items of a List, which kubectl sends one by one
// (kind List, or any kind ending in List that has items, as
// `kubectl get -o yaml` prints them).
func listItems(doc *Document, js []byte) ([]*Document, error) {
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(js, &list); err != nil {
		return nil, diag.List{diag.Errorf(doc.PosOf("items"), "%s: items: %v", doc.GVK.Kind, err)}
	}
	var itemNodes []*yamlv3.Node
	if n := lookup(doc.root, "items"); n != nil {
		if seq := mappingValue(doc.root, n); seq != nil && seq.Kind == yamlv3.SequenceNode {
			itemNodes = seq.Content
		}
	}
	var out []*Document
	var errs diag.List
	for i, item := range list.Items {
		d := &Document{File: doc.File, Index: doc.Index, Line: doc.Line, col: doc.col, root: doc.root, InList: true}
		if i < len(itemNodes) {
			d.root = itemNodes[i]
		}
		docs, err := decode(d, item)
		if err != nil {
			var l diag.List
			if errors.As(err, &l) {
				errs = append(errs, l...)
			}
			continue
		}
		out = append(out, docs...)
	}
	return out, errs.Err()
}

// decode reads one object's JSON: its kind and name, then the typed object.
func decode(doc *Document, js []byte) ([]*Document, error) {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name         string `json:"name"`
			GenerateName string `json:"generateName"`
			Namespace    string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := kjson.UnmarshalCaseSensitivePreserveInts(js, &head); err != nil {
		return nil, diag.List{diag.Errorf(doc.Pos(), "cannot read apiVersion, kind and metadata: %v", err)}
	}
	var errs diag.List
	if head.Kind == "" {
		errs.Add(doc.Pos(), "Object 'Kind' is missing: every document needs a kind, such as \"kind: Pod\"")
	}
	if head.APIVersion == "" {
		errs.Add(doc.Pos(), "Object 'apiVersion' is missing: every document needs an apiVersion, such as \"apiVersion: v1\"")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	gv, err := schema.ParseGroupVersion(head.APIVersion)
	if err != nil {
		return nil, diag.List{diag.Errorf(doc.PosOf("apiVersion"), "%v", err)}
	}
	doc.GVK = gv.WithKind(head.Kind)
	doc.Name, doc.Namespace, doc.GenerateName = head.Metadata.Name, head.Metadata.Namespace, head.Metadata.GenerateName
	doc.Body = js
	if strings.HasSuffix(head.Kind, "List") && bytes.Contains(js, []byte(`"items"`)) {
		return listItems(doc, js)
	}

	obj := newObject(doc.GVK)
	if obj == nil {
		return []*Document{doc}, nil // kubectl reports the unknown kind
	}
	strict, err := kjson.UnmarshalStrict(js, obj)
	if err != nil {
		// A malformed quantity's error carries no field path: find the
		// values that do not parse, so the message points at them.
		for _, bad := range badQuantities(doc.root, "") {
			doc.Problems.Add(doc.posOfNode(bad.key), "%s %q: %s: %q is not a quantity: write a number with an optional suffix, such as 500m, 2, 128Mi or 1Gi",
				head.Kind, head.Metadata.Name, bad.path, bad.value)
		}
		if len(doc.Problems) == 0 {
			doc.Problems.Add(doc.Pos(), "%s %q: %v", head.Kind, head.Metadata.Name, err)
		}
		return []*Document{doc}, nil // the API server answers 400
	}
	for _, s := range strict {
		msg := s.Error()
		path := fieldPath(msg)
		doc.Problems.Add(doc.PosOf(path), "%s %q: %s", head.Kind, head.Metadata.Name, strings.TrimPrefix(msg, "json: "))
	}
	obj.GetObjectKind().SetGroupVersionKind(doc.GVK)
	doc.Object = obj
	doc.mistakes = check(doc)
	return []*Document{doc}, nil
}

// quantityFields are the map fields whose values are resource quantities in
// the kinds the model decodes (requests, limits, hard, capacity, LimitRange
// bounds and defaults, ...).
var quantityFields = map[string]bool{
	"requests": true, "limits": true, "hard": true, "used": true, "capacity": true, "allocatable": true,
	"min": true, "max": true, "default": true, "defaultRequest": true, "maxLimitRequestRatio": true, "overhead": true,
}

type badQuantity struct {
	path, value string
	key         *yamlv3.Node
}

// badQuantities walks a document for scalar values under quantity fields
// that resource.ParseQuantity rejects, with their field paths.
func badQuantities(n *yamlv3.Node, path string) []badQuantity {
	var out []badQuantity
	switch n.Kind {
	case yamlv3.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i].Value, n.Content[i+1]
			child := key
			if path != "" {
				child = path + "." + key
			}
			if quantityFields[key] && value.Kind == yamlv3.MappingNode {
				for j := 0; j+1 < len(value.Content); j += 2 {
					v := value.Content[j+1]
					if v.Kind != yamlv3.ScalarNode {
						continue
					}
					if _, err := resource.ParseQuantity(v.Value); err != nil {
						out = append(out, badQuantity{child + "." + value.Content[j].Value, v.Value, value.Content[j]})
					}
				}
				continue
			}
			out = append(out, badQuantities(value, child)...)
		}
	case yamlv3.SequenceNode:
		for i, item := range n.Content {
			out = append(out, badQuantities(item, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

var quotedPath = regexp.MustCompile(`"([^"]+)"`)

// fieldPath pulls the field path out of a strict decoding error such as
// `unknown field "spec.containers[0].imagePullPolice"`.
func fieldPath(msg string) string {
	if m := quotedPath.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

var pathPart = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]`)

// lookup walks a YAML node tree along a Kubernetes field path and returns
// the node of the last part: for a map field its key, where the user looks.
func lookup(n *yamlv3.Node, path string) *yamlv3.Node {
	if n == nil || path == "" {
		return nil
	}
	parts := pathPart.FindAllStringSubmatch(path, -1)
	for i, m := range parts {
		last := i == len(parts)-1
		switch {
		case m[1] != "" && n.Kind == yamlv3.MappingNode:
			key := mappingKey(n, m[1])
			if key == nil {
				return nil
			}
			if last {
				return key
			}
			n = mappingValue(n, key)
		case m[2] != "" && n.Kind == yamlv3.SequenceNode:
			var idx int
			fmt.Sscanf(m[2], "%d", &idx)
			if idx >= len(n.Content) {
				return nil
			}
			n = n.Content[idx]
		default:
			return nil
		}
	}
	return n
}

func mappingKey(n *yamlv3.Node, name string) *yamlv3.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i]
		}
	}
	return nil
}

func mappingValue(n, key *yamlv3.Node) *yamlv3.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i] == key {
			return n.Content[i+1]
		}
	}
	return nil
}
