package main

import (
	"errors"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/sim"
)

func asList(err error, list *diag.List) bool { return errors.As(err, list) }

func keyOf(d *manifest.Document) sim.Key {
	return sim.Key{Kind: d.GVK.Kind, Namespace: d.Namespace, Name: d.Name}
}

// defaultGoldenDir is where golden files live unless --golden says otherwise.
const defaultGoldenDir = "golden"
