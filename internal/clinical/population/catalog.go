package population

import (
	"embed"
	"encoding/json"
	"path"
	"sort"
	"strings"
)

// The ViewDefinitions Sen ships for registries and indicators, in views/.
// They run through $run (ViewDefinition/{id}/$run) like any stored view and
// are the column contracts the Go measures in this package also fill.

//go:embed views/*.json
var viewFS embed.FS

// CatalogEntry describes one shipped view.
type CatalogEntry struct {
	ID, URL, Name, Title, Resource string
}

// View returns the JSON of a shipped ViewDefinition by id ("hypertension-registry"),
// relative reference ("ViewDefinition/hypertension-registry") or canonical URL
// (optionally with "|version"). It has the signature viewrun.Runner.Catalog wants.
func View(ref string) ([]byte, bool) {
	ref, _, _ = strings.Cut(ref, "|")
	ref = strings.TrimPrefix(ref, "ViewDefinition/")
	if i := strings.LastIndex(ref, "/ViewDefinition/"); i >= 0 {
		ref = ref[i+len("/ViewDefinition/"):]
	}
	for _, e := range Catalog() {
		if e.ID == ref {
			b, err := viewFS.ReadFile(path.Join("views", strings.ReplaceAll(e.ID, "-", "_")+".json"))
			return b, err == nil
		}
	}
	return nil, false
}

// Catalog lists the shipped views sorted by id.
func Catalog() []CatalogEntry {
	files, _ := viewFS.ReadDir("views") // embedded: cannot fail
	var out []CatalogEntry
	for _, f := range files {
		b, err := viewFS.ReadFile("views/" + f.Name())
		if err != nil {
			continue
		}
		var e struct {
			ID, URL, Name, Title, Resource string
		}
		if json.Unmarshal(b, &e) == nil {
			out = append(out, CatalogEntry(e))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
