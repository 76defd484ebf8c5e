package searchtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// do sends one request to h; headers alternate name, value.
func do(h http.Handler, method, target string, body io.Reader, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// behaviours checks the result parameters and error handling of search,
// and the $everything and $export operations, against the corpus.
func behaviours(t *testing.T, h http.Handler, c *corpus) {
	pats := c.patients()
	p0 := "Patient/" + str(pats[0]["id"])

	t.Run("errors", func(t *testing.T) {
		tests := []struct {
			name, url string
			headers   []string
			status    int
			wantText  string // in the body
		}{
			{"unknown lenient", "/fhir/Patient?nonsense=1", nil, 200, `"mode":"outcome"`},
			{"unknown strict", "/fhir/Patient?nonsense=1", []string{"Prefer", "handling=strict"}, 400, "nonsense"},
			{"bad date", "/fhir/Patient?birthdate=notadate", nil, 400, "birthdate"},
			{"bad number", "/fhir/RiskAssessment?probability=abc", nil, 400, "probability"},
			{"bad prefix", "/fhir/Observation?value-quantity=xx5", nil, 400, "value-quantity"},
			{"bad _count", "/fhir/Patient?_count=-1", nil, 400, "_count"},
			{"bad _sort strict", "/fhir/Patient?_sort=nonsense", []string{"Prefer", "handling=strict"}, 400, "nonsense"},
			{"unknown type", "/fhir/Nonsense?x=1", nil, 404, ""},
			{"_filter without value", "/fhir/Patient?_filter=" + url.QueryEscape("gender eq"), nil, 400, "_filter"},
			{"_filter unknown operator", "/fhir/Patient?_filter=" + url.QueryEscape("gender is male"), nil, 400, "_filter"},
			{"_filter unbalanced", "/fhir/Patient?_filter=" + url.QueryEscape("(gender eq male"), nil, 400, "_filter"},
			{"_filter operator on type", "/fhir/Patient?_filter=" + url.QueryEscape(`name gt "a"`), nil, 400, "gt is not supported on name"},
			{"_filter unknown parameter", "/fhir/Patient?_filter=" + url.QueryEscape("nonsense eq 1"), nil, 400, "nonsense"},
			{"_filter composite sub-filter", "/fhir/Observation?_filter=" + url.QueryEscape("component-code-value-quantity[code eq 8480-6].value pr true"), nil, 400, "composite sub-filters"},
			{"_filter bad date", "/fhir/Patient?_filter=" + url.QueryEscape("birthdate ge notadate"), nil, 400, "birthdate"},
			{"_text no word", "/fhir/Patient?_text=" + url.QueryEscape(`"" ,`), nil, 400, "_text"},
			{"_content modifier", "/fhir/Patient?_content:exact=x", nil, 400, "_content"},
			{"_list functional", "/fhir/Condition?_list=$current-problems", nil, 400, "_list"},
			{"_list bad id", "/fhir/Condition?_list=a/b", nil, 400, "_list"},
			{"_contained value", "/fhir/Coverage?_contained=maybe", nil, 400, "_contained"},
			{"_containedType contained", "/fhir/Coverage?_contained=true&_containedType=contained", nil, 400, "_containedType"},
			{"_contained sort", "/fhir/Coverage?_contained=true&_sort=status", nil, 400, "_sort"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w := do(h, "GET", tt.url, nil, tt.headers...)
				if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.wantText) {
					t.Errorf("%s: %d %.300s; want %d mentioning %q", tt.url, w.Code, w.Body.String(), tt.status, tt.wantText)
				}
			})
		}
	})

	t.Run("_list", func(t *testing.T) { listBehaviour(t, h, c) })

	t.Run("_summary=count and _total", func(t *testing.T) {
		want := len(c.byType["Observation"])
		for _, u := range []string{"/fhir/Observation?_summary=count", "/fhir/Observation?_total=accurate&_count=1"} {
			w := do(h, "GET", u, nil)
			var b struct {
				Total *int
				Entry []json.RawMessage
			}
			if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || b.Total == nil || *b.Total != want {
				t.Errorf("%s: total %v (%v), want %d", u, b.Total, err, want)
			}
			if strings.Contains(u, "count") && strings.Contains(u, "_summary") && len(b.Entry) != 0 {
				t.Errorf("%s: %d entries, want none", u, len(b.Entry))
			}
		}
		w := do(h, "GET", "/fhir/Observation?_total=none&_count=1", nil)
		if strings.Contains(w.Body.String(), `"total"`) {
			t.Errorf("_total=none still reports a total")
		}
	})

	t.Run("_elements", func(t *testing.T) {
		w := do(h, "GET", "/fhir/Patient?_elements=gender&_count=3", nil)
		var b struct {
			Entry []struct{ Resource map[string]any }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || len(b.Entry) == 0 {
			t.Fatalf("%v %.300s", err, w.Body.String())
		}
		for _, e := range b.Entry {
			if e.Resource["gender"] == nil || e.Resource["name"] != nil {
				t.Errorf("_elements=gender: %v", e.Resource)
			}
		}
	})

	t.Run("_include and _revinclude", func(t *testing.T) {
		enc := firstEncounter(c, p0)
		w := do(h, "GET", "/fhir/Encounter?_id="+enc+"&_include=Encounter:subject&_revinclude=Condition:encounter", nil)
		got := entryKeys(t, w)
		want := map[string]string{"Encounter/" + enc: "match", p0: "include"}
		for _, r := range c.byType["Condition"] {
			if c.ref(r["encounter"]) == "Encounter/"+enc {
				want["Condition/"+str(r["id"])] = "include"
			}
		}
		if d := diffModes(got, want); d != "" {
			t.Error(d)
		}
	})

	t.Run("paging survives concurrent writes", func(t *testing.T) {
		// 25 Observations of a code no fixture uses; more are created
		// between pages. The pages must return the 25 exactly once, none
		// of the later ones (the query's snapshot), and then all are
		// deleted again so the table's answers are unchanged.
		obs := func(i int) string {
			return `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"urn:sen:test","code":"paging"}]},"valueInteger":` + strconv.Itoa(i) + `}`
		}
		var created []string
		create := func(i int) string {
			w := do(h, "POST", "/fhir/Observation", strings.NewReader(obs(i)), "Content-Type", "application/fhir+json")
			if w.Code != 201 {
				t.Fatalf("create: %d %s", w.Code, w.Body.String())
			}
			loc := w.Header().Get("Location")
			key := strings.Join(strings.Split(strings.TrimPrefix(loc, base+"/"), "/")[:2], "/")
			created = append(created, key)
			return key
		}
		defer func() {
			for _, k := range created {
				if w := do(h, "DELETE", "/fhir/"+k, nil); w.Code >= 300 {
					t.Errorf("delete %s: %d", k, w.Code)
				}
			}
		}()
		want := map[string]bool{}
		for i := 0; i < 25; i++ {
			want[create(i)] = true
		}
		got := map[string]bool{}
		u := "/fhir/Observation?code=urn:sen:test|paging&_count=10"
		for page := 0; u != ""; page++ {
			w := do(h, "GET", u, nil)
			if w.Code != 200 || page > 10 {
				t.Fatalf("%s: %d", u, w.Code)
			}
			var b struct {
				Link  []struct{ Relation, URL string }
				Entry []struct {
					Resource struct{ ResourceType, ID string }
				}
			}
			if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			for _, e := range b.Entry {
				k := e.Resource.ResourceType + "/" + e.Resource.ID
				if got[k] {
					t.Errorf("%s on two pages", k)
				}
				got[k] = true
			}
			for i := 0; i < 5; i++ {
				create(100 + page*10 + i)
			}
			u = ""
			for _, l := range b.Link {
				if l.Relation == "next" {
					u = "/fhir" + strings.TrimPrefix(l.URL, base)
				}
			}
		}
		if d := diff(keys(got), keys(want)); d != "" {
			t.Errorf("paging under writes: %s", d)
		}
	})

	t.Run("$everything", func(t *testing.T) {
		// The oracle: resources of Patient-compartment types whose
		// references name the patient, plus the patient; paged by 200.
		id := str(pats[0]["id"])
		want := map[string]bool{p0: true}
		for typ, rs := range c.byType {
			// R4's Patient CompartmentDefinition lists Device with no
			// parameter: Device.patient does not put a Device in it.
			if typ == "Patient" || typ == "Device" || typ == "Organization" || typ == "Practitioner" || typ == "Location" || typ == "PractitionerRole" || typ == "Medication" {
				continue
			}
			for _, r := range rs {
				if refersTo(c, r, p0) {
					want[typ+"/"+str(r["id"])] = true
				}
			}
		}
		got := map[string]bool{}
		u := "/fhir/Patient/" + id + "/$everything?_count=200"
		for pages := 0; u != ""; pages++ {
			w := do(h, "GET", u, nil)
			if w.Code != 200 || pages > 100 {
				t.Fatalf("%s: %d %.300s", u, w.Code, w.Body.String())
			}
			var b struct {
				Link  []struct{ Relation, URL string }
				Entry []struct {
					Resource struct{ ResourceType, ID string }
					Search   struct{ Mode string }
				}
			}
			if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			for _, e := range b.Entry {
				if e.Search.Mode == "match" {
					got[e.Resource.ResourceType+"/"+e.Resource.ID] = true
				}
			}
			u = ""
			for _, l := range b.Link {
				if l.Relation == "next" {
					u = "/fhir" + strings.TrimPrefix(l.URL, base)
				}
			}
		}
		if d := diff(keys(got), keys(want)); d != "" {
			t.Errorf("$everything: got %d, want %d: %s", len(got), len(want), d)
		}
	})

	t.Run("$export", func(t *testing.T) {
		w := do(h, "GET", "/fhir/$export?_type=Patient,Condition&_typeFilter="+strings.ReplaceAll("Condition?clinical-status=active", "?", "%3F"), nil, "Prefer", "respond-async")
		loc := w.Header().Get("Content-Location")
		if w.Code != 202 || loc == "" {
			t.Fatalf("kick-off: %d %s", w.Code, w.Body.String())
		}
		status := "/fhir" + strings.TrimPrefix(loc, base)
		deadline := time.Now().Add(60 * time.Second)
		for {
			w = do(h, "GET", status, nil)
			if w.Code == 200 {
				break
			}
			if w.Code != 202 || time.Now().After(deadline) {
				t.Fatalf("status: %d %s", w.Code, w.Body.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		var man struct {
			Output []struct {
				Type, URL string
				Count     int
			}
		}
		if err := json.Unmarshal(w.Body.Bytes(), &man); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"Patient": len(c.byType["Patient"])}
		for _, r := range c.byType["Condition"] {
			if hasCoding(r, "clinicalStatus.coding", "*", "active") {
				want["Condition"]++
			}
		}
		got := map[string]int{}
		for _, o := range man.Output {
			fw := do(h, "GET", "/fhir"+strings.TrimPrefix(o.URL, base), nil)
			lines := strings.Count(strings.TrimSpace(fw.Body.String()), "\n") + 1
			if fw.Code != 200 || lines != o.Count {
				t.Errorf("%s: %d, %d lines for count %d", o.URL, fw.Code, lines, o.Count)
			}
			got[o.Type] = o.Count
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: exported %d, want %d", k, got[k], v)
			}
		}
		if w := do(h, "DELETE", status, nil); w.Code != 202 {
			t.Errorf("DELETE: %d", w.Code)
		}
		if w := do(h, "GET", status, nil); w.Code != 404 {
			t.Errorf("status after DELETE: %d, want 404", w.Code)
		}
	})
}

func firstEncounter(c *corpus, patient string) string {
	var ids []string
	for _, r := range c.byType["Encounter"] {
		if c.ref(r["subject"]) == patient {
			ids = append(ids, str(r["id"]))
		}
	}
	sort.Strings(ids)
	return ids[0]
}

// refersTo reports whether any Reference inside v resolves to key.
func refersTo(c *corpus, v any, key string) bool {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["reference"].(string); ok && c.ref(x) == key {
			return true
		}
		for _, y := range x {
			if refersTo(c, y, key) {
				return true
			}
		}
	case []any:
		for _, y := range x {
			if refersTo(c, y, key) {
				return true
			}
		}
	}
	return false
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func entryKeys(tb testing.TB, w *httptest.ResponseRecorder) map[string]string {
	tb.Helper()
	var b struct {
		Entry []struct {
			Resource struct{ ResourceType, ID string }
			Search   struct{ Mode string }
		}
	}
	if w.Code != 200 {
		tb.Fatalf("%d %.300s", w.Code, w.Body.String())
	}
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range b.Entry {
		out[e.Resource.ResourceType+"/"+e.Resource.ID] = e.Search.Mode
	}
	return out
}

func diffModes(got, want map[string]string) string {
	var d []string
	for k, v := range want {
		if got[k] != v {
			d = append(d, k+": got "+got[k]+", want "+v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			d = append(d, k+": unexpected "+v)
		}
	}
	sort.Strings(d)
	return strings.Join(d, "; ")
}
