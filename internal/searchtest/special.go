package searchtest

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The special parameters _text, _content, _filter and _contained, with
// answers computed here: an independent fold (NFD, combining marks
// dropped, đ→d, lower case), words as runs of letters and digits, a term
// matching the start of a word; _filter predicates written directly in Go;
// contained resources read from the bundles.

// foldText is the oracle's case- and diacritic-insensitive form.
func foldText(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ' || r == 'Đ':
			b.WriteRune('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func textWords(s string) []string {
	return strings.FieldsFunc(foldText(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string { return html.UnescapeString(tagRE.ReplaceAllString(s, " ")) }

// stringValues lists every string value in v (the narrative without tags).
func stringValues(key string, v any, out []string) []string {
	switch x := v.(type) {
	case string:
		if key == "div" {
			x = stripTags(x)
		}
		return append(out, x)
	case []any:
		for _, y := range x {
			out = stringValues(key, y, out)
		}
	case map[string]any:
		for k, y := range x {
			out = stringValues(k, y, out)
		}
	}
	return out
}

// hasTerm reports whether the words of one of the texts contain the
// term's words consecutively, each as a word prefix.
func hasTerm(texts []string, term string) bool {
	tw := textWords(term)
	for _, t := range texts {
		ws := textWords(t)
		for i := 0; i+len(tw) <= len(ws); i++ {
			ok := true
			for j, w := range tw {
				if !strings.HasPrefix(ws[i+j], w) {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

func contentOf(r res) []string { return stringValues("", r, nil) }

func narrativeOf(r res) []string {
	t, _ := r["text"].(res)
	if d := str(t["div"]); d != "" {
		return []string{stripTags(d)}
	}
	return nil
}

// commonWord is a word of at least five letters occurring in the texts of
// between 2 and half of rs, the skip-th such by count (then alphabetically).
func commonWord(rs []res, texts func(res) []string, skip int) string {
	count := map[string]int{}
	for _, r := range rs {
		seen := map[string]bool{}
		for _, t := range texts(r) {
			for _, w := range textWords(t) {
				if len(w) >= 5 && !seen[w] && strings.IndexFunc(w, unicode.IsDigit) < 0 {
					seen[w] = true
					count[w]++
				}
			}
		}
	}
	var ws []string
	for w, n := range count {
		if n >= 2 && n <= len(rs)/2 {
			ws = append(ws, w)
		}
	}
	sort.Slice(ws, func(i, j int) bool {
		if count[ws[i]] != count[ws[j]] {
			return count[ws[i]] > count[ws[j]]
		}
		return ws[i] < ws[j]
	})
	if skip >= len(ws) {
		return ""
	}
	return ws[skip]
}

// contained lists the contained resources of r of type typ.
func contained(r res, typ string) []res {
	var out []res
	for _, x := range list(r["contained"]) {
		if m, ok := x.(res); ok && str(m["resourceType"]) == typ {
			out = append(out, m)
		}
	}
	return out
}

func specialQueries(c *corpus) []query {
	var qs []query
	add := func(u string, types []string, want func(res) bool) {
		qs = append(qs, query{url: u, types: types, want: want})
	}
	esc := url.QueryEscape
	obs, pt, cond := []string{"Observation"}, []string{"Patient"}, []string{"Condition"}
	pats := c.patients()

	// _text: the narrative.
	if w := commonWord(c.byType["CarePlan"], narrativeOf, 0); w != "" {
		add("/CarePlan?_text="+esc(w), []string{"CarePlan"}, func(r res) bool { return hasTerm(narrativeOf(r), w) })
		pre := strings.ToUpper(w[:4])
		add("/CarePlan?_text="+esc(pre), []string{"CarePlan"}, func(r res) bool { return hasTerm(narrativeOf(r), pre) })
	}
	add("/CarePlan?_text="+esc(`"care plan" activities`), []string{"CarePlan"}, func(r res) bool {
		return hasTerm(narrativeOf(r), "care plan") && hasTerm(narrativeOf(r), "activities")
	})
	// The person seed of the first patient: one patient's narrative.
	if ws := textWords(strings.Join(narrativeOf(pats[0]), " ")); len(ws) > 0 {
		seed := ""
		for i, w := range ws {
			if w == "seed" && i+1 < len(ws) && len(ws[i+1]) > 8 {
				seed = ws[i+1][:8]
				break
			}
		}
		if seed != "" {
			add("/Patient?_text="+seed, pt, func(r res) bool { return hasTerm(narrativeOf(r), seed) })
		}
	}

	// _content: every string of the resource.
	cw0 := commonWord(c.byType["Condition"], contentOf, 0)
	cw1 := commonWord(c.byType["Condition"], contentOf, 3)
	add("/Condition?_content="+esc(cw0)+"&_count=10", cond, func(r res) bool { return hasTerm(contentOf(r), cw0) })
	add("/Condition?_content="+esc(cw0+" "+cw1), cond, func(r res) bool { return hasTerm(contentOf(r), cw0) && hasTerm(contentOf(r), cw1) })
	add("/Condition?_content="+esc(cw0+","+cw1), cond, func(r res) bool { return hasTerm(contentOf(r), cw0) || hasTerm(contentOf(r), cw1) })
	add("/Condition?_content="+esc(cw0+" OR "+cw1), cond, func(r res) bool { return hasTerm(contentOf(r), cw0) || hasTerm(contentOf(r), cw1) })
	// Diacritics and capitals in the query fold away: "BÔDY" finds body.
	add("/Observation?_content="+esc("BÔDY HẾIGHT"), obs, func(r res) bool { return hasTerm(contentOf(r), "body") && hasTerm(contentOf(r), "height") })
	code := c.topCodes("Observation", "code.coding", loinc, 1, 0)[0]
	// References are strings too: the first group of a patient's id finds
	// the resources that refer to the patient.
	chunk := strings.Split(str(pats[1]["id"]), "-")[0]
	add("/Observation?code="+esc(loinc+"|"+code)+"&_content="+esc(chunk), obs, func(r res) bool {
		return hasCoding(r, "code.coding", loinc, code) && hasTerm(contentOf(r), chunk)
	})
	if city := str(get(pats[1], "address.city")[0]); city != "" {
		add("/Patient?_content="+esc(city), pt, func(r res) bool { return hasTerm(contentOf(r), city) })
	}
	add("/?_type=Condition,Procedure&_content="+esc(cw0), []string{"Condition", "Procedure"}, func(r res) bool { return hasTerm(contentOf(r), cw0) })
	p0 := "Patient/" + str(pats[0]["id"])
	add("/"+p0+"/Condition?_content="+esc(cw1), cond, func(r res) bool { return c.ref(r["subject"]) == p0 && hasTerm(contentOf(r), cw1) })

	// _filter.
	birth := func(r res) string { return str(r["birthDate"]) }
	gender := func(r res) string { return str(r["gender"]) }
	add("/Patient?_filter="+esc("gender eq female"), pt, func(r res) bool { return gender(r) == "female" })
	add("/Patient?_filter="+esc("gender eq male and birthdate lt 1970"), pt, func(r res) bool { return gender(r) == "male" && birth(r) < "1970" })
	add("/Patient?_filter="+esc("gender eq female or birthdate ge 2000-01-01"), pt, func(r res) bool { return gender(r) == "female" || birth(r) >= "2000-01-01" })
	add("/Patient?_filter="+esc("not (gender eq male)"), pt, func(r res) bool { return gender(r) != "male" })
	y := birth(pats[2])[:4]
	add("/Patient?_filter="+esc("birthdate po "+y), pt, func(r res) bool { return strings.HasPrefix(birth(r), y+"-") })
	fam := families(pats[3])[0]
	add("/Patient?_filter="+esc(`family eq "`+strings.ToUpper(fam)+`"`), pt, func(r res) bool {
		return anyString(families(r), func(s string) bool { return foldText(s) == foldText(fam) })
	})
	end := strings.ToLower(fam[len(fam)-3:])
	add("/Patient?_filter="+esc("family ew "+end), pt, func(r res) bool {
		return anyString(families(r), func(s string) bool { return strings.HasSuffix(foldText(s), end) })
	})
	mid := strings.ToLower(fam[1:3])
	add("/Patient?_filter="+esc(`name co "`+mid+`" and gender ne male`), pt, func(r res) bool {
		return gender(r) != "male" && anyString(nameParts(r), func(s string) bool { return strings.Contains(foldText(s), mid) })
	})
	id0, id1 := str(pats[0]["id"]), str(pats[1]["id"])
	add("/Patient?_filter="+esc("_id eq "+id0+" or _id eq "+id1), pt, func(r res) bool { return str(r["id"]) == id0 || str(r["id"]) == id1 })
	add("/Encounter?_filter="+esc("class eq EMER or class eq IMP")+"&_count=5", []string{"Encounter"}, func(r res) bool {
		return hasCoding(r, "class", "*", "EMER") || hasCoding(r, "class", "*", "IMP")
	})
	two := c.topCodes("Observation", "code.coding", loinc, 2, 6)
	add("/Observation?_filter="+esc("(code eq "+loinc+"|"+two[0]+" or code eq "+loinc+"|"+two[1]+") and subject eq "+p0), obs, func(r res) bool {
		return c.ref(r["subject"]) == p0 && (hasCoding(r, "code.coding", loinc, two[0]) || hasCoding(r, "code.coding", loinc, two[1]))
	})
	patientOf := func(r res) res { return c.byKey[c.ref(r["subject"])] }
	add("/Condition?_filter="+esc("patient.gender eq female and clinical-status eq active"), cond, func(r res) bool {
		p := patientOf(r)
		return p != nil && gender(p) == "female" && hasCoding(r, "clinicalStatus.coding", "*", "active")
	})
	// subject may be a Patient or a Location (both have name): either.
	npre := strings.ToLower(families(pats[4])[0][:3])
	subjectName := func(r res) bool {
		p := patientOf(r)
		return p != nil && anyString(nameParts(p), func(s string) bool { return strings.Contains(foldText(s), npre) })
	}
	add("/Condition?_filter="+esc(`subject.name co "`+npre+`"`), cond, subjectName)
	add("/Condition?subject.name:contains="+esc(npre), cond, subjectName)
	add("/Condition?_filter="+esc("patient[gender eq male].birthdate lt 1970"), cond, func(r res) bool {
		p := patientOf(r)
		return p != nil && gender(p) == "male" && birth(p) < "1970"
	})
	add("/Observation?_filter="+esc("value-quantity pr false and subject eq "+p0), obs, func(r res) bool {
		return c.ref(r["subject"]) == p0 && r["valueQuantity"] == nil && r["valueSampledData"] == nil
	})
	add("/Condition?_filter="+esc(`_content eq "`+cw1+`" or clinical-status eq resolved`), cond, func(r res) bool {
		return hasTerm(contentOf(r), cw1) || hasCoding(r, "clinicalStatus.coding", "*", "resolved")
	})

	// _contained: containers whose contained resources match.
	eob := []string{"ExplanationOfBenefit"}
	containsMatch := func(typ string, f func(res) bool) func(res) bool {
		return func(r res) bool {
			for _, x := range contained(r, typ) {
				if f(x) {
					return true
				}
			}
			return false
		}
	}
	add("/Coverage?_contained=true", eob, containsMatch("Coverage", func(res) bool { return true }))
	add("/Coverage?_contained=true&type:text=humana", eob, containsMatch("Coverage", func(x res) bool {
		t, _ := x["type"].(res)
		return strings.HasPrefix(foldText(str(t["text"])), "humana")
	}))
	add("/Coverage?_contained=true&_content=cigna", eob, containsMatch("Coverage", func(x res) bool { return hasTerm(contentOf(x), "cigna") }))
	add("/ServiceRequest?_contained=true&status=completed&_count=7", eob, containsMatch("ServiceRequest", func(x res) bool { return str(x["status"]) == "completed" }))
	add("/Coverage?_contained=both&status=active", []string{"ExplanationOfBenefit", "Coverage"}, func(r res) bool {
		if str(r["resourceType"]) == "Coverage" {
			return str(r["status"]) == "active"
		}
		return containsMatch("Coverage", func(x res) bool { return str(x["status"]) == "active" })(r)
	})
	add("/"+p0+"/Coverage?_contained=true&_filter="+esc("type eq nothing-like-this or status eq active"), eob, func(r res) bool {
		return c.ref(r["patient"]) == p0 && containsMatch("Coverage", func(x res) bool { return str(x["status"]) == "active" })(r)
	})
	return qs
}

// listBehaviour creates a List of three Observations and a Condition,
// checks _list on Observation (alone, with another parameter, on a
// deleted List) and removes what it created.
func listBehaviour(t *testing.T, h http.Handler, c *corpus) {
	obs := c.byType["Observation"]
	items := []string{"Observation/" + str(obs[0]["id"]), "Observation/" + str(obs[7]["id"]), "Observation/" + str(obs[42]["id"]),
		"Condition/" + str(c.byType["Condition"][0]["id"])}
	var entries []string
	for _, it := range items {
		entries = append(entries, `{"item":{"reference":"`+it+`"}}`)
	}
	body := `{"resourceType":"List","status":"current","mode":"working","entry":[` + strings.Join(entries, ",") + `]}`
	w := do(h, "POST", "/fhir/List", strings.NewReader(body), "Content-Type", "application/fhir+json")
	if w.Code != 201 {
		t.Fatalf("create List: %d %s", w.Code, w.Body.String())
	}
	loc := strings.TrimPrefix(w.Header().Get("Location"), base+"/")
	id := strings.Split(loc, "/")[1]
	deleted := false
	defer func() {
		if !deleted {
			do(h, "DELETE", "/fhir/List/"+id, nil)
		}
	}()
	code := ""
	for _, cd := range get(obs[7], "code.coding") {
		m, _ := cd.(res)
		code = str(m["code"])
	}
	tests := []struct {
		url  string
		want []string
	}{
		{"/fhir/Observation?_list=" + id, items[:3]},
		{"/fhir/Observation?_list=" + id + "&code=" + url.QueryEscape(code), matching(items[:3], c, func(r res) bool { return hasCoding(r, "code.coding", "*", code) })},
		{"/fhir/Condition?_list=" + id, items[3:]},
		{"/fhir/Patient?_list=" + id, nil},
		{"/fhir/Observation?_list=nonexistent-list", nil},
	}
	for _, tt := range tests {
		got := entryKeys(t, do(h, "GET", tt.url+"&_count=100", nil))
		want := map[string]string{}
		for _, k := range tt.want {
			want[k] = "match"
		}
		if d := diffModes(got, want); d != "" {
			t.Errorf("%s: %s", tt.url, d)
		}
	}
	if w := do(h, "DELETE", "/fhir/List/"+id, nil); w.Code >= 300 {
		t.Fatalf("delete List: %d", w.Code)
	}
	deleted = true
	if got := entryKeys(t, do(h, "GET", "/fhir/Observation?_list="+id, nil)); len(got) != 0 {
		t.Errorf("_list of a deleted List: %v", got)
	}
}

func matching(keys []string, c *corpus, f func(res) bool) []string {
	var out []string
	for _, k := range keys {
		if f(c.byKey[k]) {
			out = append(out, k)
		}
	}
	return out
}
