package steps

import (
	"path/filepath"
	"sync"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/sim"
)

// parsed keeps the documents of every docstring parsed so far: the
// explorer replays a scenario's steps hundreds of times, and parsing YAML
// was a sixth of each replay. Callers get their own copy of every object,
// since the model defaults and stores what it is given.
var parsed struct {
	sync.Mutex
	docs map[docKey][]*manifest.Document
}

// docKey is a docstring by where it stands and what it says.
type docKey struct {
	pos     diag.Pos
	content string
	asSent  bool
}

// parseDocstring reads a docstring's manifests: as kubectl sends them
// (asSent: the API server judges their fields) or as settled state, whose
// every field must decode.
func parseDocstring(pos diag.Pos, content string, asSent bool) ([]*manifest.Document, error) {
	key := docKey{pos, content, asSent}
	parsed.Lock()
	docs, ok := parsed.docs[key]
	parsed.Unlock()
	if !ok {
		var err error
		parse := manifest.ParseAt
		if asSent {
			parse = manifest.ParseAsSent
		}
		if docs, err = parse(pos, []byte(content)); err != nil {
			return nil, err
		}
		parsed.Lock()
		if parsed.docs == nil || len(parsed.docs) >= 4096 { // a fuzzer's stream of docstrings must not grow it forever
			parsed.docs = map[docKey][]*manifest.Document{}
		}
		parsed.docs[key] = docs
		parsed.Unlock()
	}
	out := make([]*manifest.Document, len(docs))
	for i, d := range docs {
		c := *d
		c.Arg = filepath.Base(pos.File)
		if d.Object != nil {
			c.Object = d.Object.DeepCopyObject().(sim.Object)
		}
		out[i] = &c
	}
	return out, nil
}
