package report

// goldie registers -update on the standard flag set; every test binary
// imports it so that `go test ./... -update` works across the whole tree.
import _ "github.com/sebdah/goldie/v2"
