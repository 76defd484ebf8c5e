package searchtest

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

const (
	loinc  = "http://loinc.org"
	snomed = "http://snomed.info/sct"
	ucum   = "http://unitsofmeasure.org"
)

// topCodes returns the most frequent system|code pairs under path among
// resources of typ, most frequent first (ties by code), skipping skip.
func (c *corpus) topCodes(typ, path, system string, n, skip int) []string {
	count := map[string]int{}
	for _, r := range c.byType[typ] {
		seen := map[string]bool{}
		for _, cd := range get(r, path) {
			m, _ := cd.(res)
			if str(m["system"]) == system && !seen[str(m["code"])] {
				seen[str(m["code"])] = true
				count[str(m["code"])]++
			}
		}
	}
	var codes []string
	for k := range count {
		codes = append(codes, k)
	}
	sort.Slice(codes, func(i, j int) bool {
		if count[codes[i]] != count[codes[j]] {
			return count[codes[i]] > count[codes[j]]
		}
		return codes[i] < codes[j]
	})
	if skip > len(codes) {
		return nil
	}
	codes = codes[skip:]
	if len(codes) > n {
		codes = codes[:n]
	}
	return codes
}

// instant parses a FHIR dateTime with time (offsets honoured) or a date
// (as UTC midnight).
func instant(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// quietDates returns n dates (UTC days) at which no effectiveDateTime of
// the given resources lies within two days, so that ge/lt answers do not
// depend on the server's time zone for dates without one.
func quietDates(rs []res, field string, n int) []time.Time {
	var ts []time.Time
	for _, r := range rs {
		if t, ok := instant(str(r[field])); ok {
			ts = append(ts, t)
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	if len(ts) == 0 {
		return nil
	}
	var out []time.Time
	lo, hi := ts[0], ts[len(ts)-1]
	step := hi.Sub(lo) / time.Duration(n+1)
	for i := 1; i <= n; i++ {
		d := lo.Add(step * time.Duration(i)).Truncate(24 * time.Hour)
		for tries := 0; tries < 400; tries++ {
			j := sort.Search(len(ts), func(k int) bool { return !ts[k].Before(d.Add(-48 * time.Hour)) })
			if j == len(ts) || ts[j].After(d.Add(48*time.Hour)) {
				out = append(out, d)
				break
			}
			d = d.Add(24 * time.Hour)
		}
	}
	return out
}

// quietValues returns integer thresholds with no value within 1 of them.
func quietValues(vals []float64, n int) []float64 {
	if len(vals) == 0 {
		return nil
	}
	sort.Float64s(vals)
	var out []float64
	lo, hi := vals[0], vals[len(vals)-1]
	for i := 1; i <= n; i++ {
		t := float64(int(lo + (hi-lo)*float64(i)/float64(n+1)))
		for tries := 0; tries < 200; tries++ {
			j := sort.SearchFloat64s(vals, t-1)
			if j == len(vals) || vals[j] > t+1 {
				out = append(out, t)
				break
			}
			t++
		}
	}
	return out
}

// stringParts are the strings the Patient name parameter searches.
func nameParts(r res) []string {
	var out []string
	for _, n := range list(r["name"]) {
		m, _ := n.(res)
		for _, k := range []string{"family", "text"} {
			if s := str(m[k]); s != "" {
				out = append(out, s)
			}
		}
		for _, k := range []string{"given", "prefix", "suffix"} {
			for _, v := range list(m[k]) {
				out = append(out, str(v))
			}
		}
	}
	return out
}

func families(r res) []string {
	var out []string
	for _, n := range list(r["name"]) {
		m, _ := n.(res)
		if s := str(m["family"]); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func anyString(ss []string, f func(string) bool) bool {
	for _, s := range ss {
		if f(s) {
			return true
		}
	}
	return false
}

// queries builds the table from the corpus: every value searched for is
// taken from the data, every expected answer computed by a predicate here.
func (c *corpus) patients() []res {
	ps := append([]res(nil), c.byType["Patient"]...)
	sort.Slice(ps, func(i, j int) bool { return str(ps[i]["id"]) < str(ps[j]["id"]) })
	return ps
}

func queries(c *corpus) []query {
	var qs []query
	add := func(u string, types []string, want func(res) bool) {
		qs = append(qs, query{url: u, types: types, want: want})
	}
	obs := []string{"Observation"}
	esc := url.QueryEscape
	subjectIs := func(key string) func(res) bool {
		return func(r res) bool { return c.ref(r["subject"]) == key }
	}
	pats := c.patients()

	// Token: system|code, code alone, on several types.
	for _, code := range c.topCodes("Observation", "code.coding", loinc, 15, 0) {
		add("/Observation?code="+esc(loinc+"|"+code), obs, func(r res) bool { return hasCoding(r, "code.coding", loinc, code) })
	}
	for _, code := range c.topCodes("Observation", "code.coding", loinc, 5, 15) {
		add("/Observation?code="+esc(code), obs, func(r res) bool { return hasCoding(r, "code.coding", "*", code) })
	}
	for _, code := range c.topCodes("Condition", "code.coding", snomed, 8, 0) {
		add("/Condition?code="+esc(snomed+"|"+code), []string{"Condition"}, func(r res) bool { return hasCoding(r, "code.coding", snomed, code) })
	}
	for _, code := range c.topCodes("Procedure", "code.coding", snomed, 3, 0) {
		add("/Procedure?code="+esc(snomed+"|"+code), []string{"Procedure"}, func(r res) bool { return hasCoding(r, "code.coding", snomed, code) })
	}
	for _, code := range c.topCodes("DiagnosticReport", "code.coding", loinc, 3, 0) {
		add("/DiagnosticReport?code="+esc(loinc+"|"+code), []string{"DiagnosticReport"}, func(r res) bool { return hasCoding(r, "code.coding", loinc, code) })
	}
	cvx := "http://hl7.org/fhir/sid/cvx"
	for _, code := range c.topCodes("Immunization", "vaccineCode.coding", cvx, 3, 0) {
		add("/Immunization?vaccine-code="+esc(cvx+"|"+code), []string{"Immunization"}, func(r res) bool { return hasCoding(r, "vaccineCode.coding", cvx, code) })
	}
	rxnorm := "http://www.nlm.nih.gov/research/umls/rxnorm"
	for _, code := range c.topCodes("MedicationRequest", "medicationCodeableConcept.coding", rxnorm, 3, 0) {
		add("/MedicationRequest?code="+esc(rxnorm+"|"+code), []string{"MedicationRequest"}, func(r res) bool {
			return hasCoding(r, "medicationCodeableConcept.coding", rxnorm, code)
		})
	}
	add("/Observation?category=vital-signs", obs, func(r res) bool { return hasCoding(r, "category.coding", "*", "vital-signs") })
	add("/Observation?category=laboratory", obs, func(r res) bool { return hasCoding(r, "category.coding", "*", "laboratory") })
	add("/Observation?status:not=final", obs, func(r res) bool { return str(r["status"]) != "final" })
	for _, cls := range []string{"AMB", "EMER", "IMP"} {
		add("/Encounter?class="+cls, []string{"Encounter"}, func(r res) bool { return hasCoding(r, "class", "*", cls) })
	}
	statuses := func(typ, field string) []string {
		seen := map[string]bool{}
		var out []string
		for _, r := range c.byType[typ] {
			if s := str(r[field]); s != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
		sort.Strings(out)
		return out
	}
	for _, s := range statuses("MedicationRequest", "status") {
		add("/MedicationRequest?status="+s, []string{"MedicationRequest"}, func(r res) bool { return str(r["status"]) == s })
	}
	for _, s := range []string{"active", "resolved"} {
		add("/Condition?clinical-status="+s, []string{"Condition"}, func(r res) bool { return hasCoding(r, "clinicalStatus.coding", "*", s) })
	}

	// Parameters stored as other parameters' rows (search.AliasOf):
	// combo-code is code | component.code; patient is subject restricted
	// to Patient.
	comboHas := func(r res, code string) bool {
		if hasCoding(r, "code.coding", loinc, code) {
			return true
		}
		comps, _ := r["component"].([]any)
		for _, cm := range comps {
			if m, ok := cm.(map[string]any); ok && hasCoding(m, "code.coding", loinc, code) {
				return true
			}
		}
		return false
	}
	for _, code := range []string{"8480-6", "8462-4", "85354-9"} {
		add("/Observation?combo-code="+esc(loinc+"|"+code), obs, func(r res) bool { return comboHas(r, code) })
		add("/Observation?combo-code:missing=false&combo-code:not="+esc(loinc+"|"+code), obs, func(r res) bool { return !comboHas(r, code) })
	}
	add("/Observation?patient:missing=true", obs, func(r res) bool { return !strings.HasPrefix(c.ref(r["subject"]), "Patient/") })

	// :missing.
	add("/Observation?value-quantity:missing=true", obs, func(r res) bool { return r["valueQuantity"] == nil && r["valueSampledData"] == nil })
	add("/Observation?value-quantity:missing=false", obs, func(r res) bool { return r["valueQuantity"] != nil })

	// Reference: Type/id, bare id, on subject and patient.
	for i, p := range pats {
		key := "Patient/" + str(p["id"])
		if i%2 == 0 {
			add("/Observation?subject="+esc(key), obs, subjectIs(key))
		} else {
			add("/Observation?patient="+esc(str(p["id"])), obs, subjectIs(key))
		}
		if i < 6 {
			add("/Encounter?patient="+esc(key), []string{"Encounter"}, func(r res) bool { return c.ref(r["subject"]) == key })
		}
	}
	// Code + patient.
	codes := c.topCodes("Observation", "code.coding", loinc, 10, 0)
	for i, p := range pats {
		key := "Patient/" + str(p["id"])
		code := codes[i%len(codes)]
		add("/Observation?code="+esc(loinc+"|"+code)+"&patient="+esc(key), obs, func(r res) bool {
			return c.ref(r["subject"]) == key && hasCoding(r, "code.coding", loinc, code)
		})
	}

	// Patient: gender, birthdate, names, identifiers, _id.
	pt := []string{"Patient"}
	for _, g := range []string{"male", "female"} {
		add("/Patient?gender="+g, pt, func(r res) bool { return str(r["gender"]) == g })
	}
	for i, p := range pats {
		if i >= 3 {
			break
		}
		y := str(p["birthDate"])[:4]
		add("/Patient?birthdate="+y, pt, func(r res) bool { return strings.HasPrefix(str(r["birthDate"]), y+"-") })
		add("/Patient?birthdate=ge"+y, pt, func(r res) bool { return str(r["birthDate"]) >= y+"-01-01" })
		add("/Patient?birthdate=lt"+y, pt, func(r res) bool { return str(r["birthDate"]) < y+"-01-01" })
	}
	for i, p := range pats {
		if i >= 5 {
			break
		}
		fam := families(p)[0]
		pre := strings.ToLower(fam[:3])
		add("/Patient?family="+esc(pre), pt, func(r res) bool {
			return anyString(families(r), func(s string) bool { return strings.HasPrefix(strings.ToLower(s), pre) })
		})
		given := str(get(p, "name.given")[0])
		gpre := strings.ToUpper(given[:2])
		add("/Patient?name="+esc(gpre), pt, func(r res) bool {
			return anyString(nameParts(r), func(s string) bool { return strings.HasPrefix(strings.ToLower(s), strings.ToLower(gpre)) })
		})
		id := str(p["id"])
		add("/Patient?_id="+id, pt, func(r res) bool { return str(r["id"]) == id })
		for _, ident := range list(p["identifier"]) {
			m, _ := ident.(res)
			if str(m["system"]) == "http://hospital.smarthealthit.org" {
				sys, val := str(m["system"]), str(m["value"])
				add("/Patient?identifier="+esc(sys+"|"+val), pt, func(r res) bool {
					for _, x := range list(r["identifier"]) {
						xm, _ := x.(res)
						if str(xm["system"]) == sys && str(xm["value"]) == val {
							return true
						}
					}
					return false
				})
			}
		}
		if i < 3 {
			add("/Patient?name:exact="+esc(fam), pt, func(r res) bool { return anyString(nameParts(r), func(s string) bool { return s == fam }) })
			mid := strings.ToLower(fam[1:4])
			add("/Patient?name:contains="+esc(mid), pt, func(r res) bool {
				return anyString(nameParts(r), func(s string) bool { return strings.Contains(strings.ToLower(s), mid) })
			})
		}
	}
	ids := []string{str(pats[0]["id"]), str(pats[2]["id"]), str(pats[4]["id"])}
	add("/Patient?_id="+strings.Join(ids, ","), pt, func(r res) bool { return anyString(ids, func(s string) bool { return s == str(r["id"]) }) })

	// Quantity, with UCUM conversion (kg thresholds asked in g).
	weights := map[string]float64{}
	var wv []float64
	for _, r := range c.byType["Observation"] {
		if hasCoding(r, "code.coding", loinc, "29463-7") {
			q, _ := r["valueQuantity"].(res)
			if v, ok := q["value"].(float64); ok && str(q["code"]) == "kg" {
				weights[str(r["id"])] = v
				wv = append(wv, v)
			}
		}
	}
	isWeight := func(r res) (float64, bool) { v, ok := weights[str(r["id"])]; return v, ok }
	for _, t := range quietValues(wv, 3) {
		ts := fmt.Sprint(t)
		add("/Observation?code="+esc(loinc+"|29463-7")+"&value-quantity="+esc("gt"+ts+"|"+ucum+"|kg"), obs, func(r res) bool { v, ok := isWeight(r); return ok && v > t })
		add("/Observation?code="+esc(loinc+"|29463-7")+"&value-quantity="+esc("lt"+ts+"|"+ucum+"|kg"), obs, func(r res) bool { v, ok := isWeight(r); return ok && v < t })
		add("/Observation?code="+esc(loinc+"|29463-7")+"&value-quantity="+esc("gt"+fmt.Sprint(t*1000)+"|"+ucum+"|g"), obs, func(r res) bool { v, ok := isWeight(r); return ok && v > t })
	}

	// Dates: ge / lt on Observation.effective, eq year on Patient.birthdate above.
	for _, d := range quietDates(c.byType["Observation"], "effectiveDateTime", 4) {
		ds := d.Format("2006-01-02")
		add("/Observation?date=ge"+ds, obs, func(r res) bool { t, ok := instant(str(r["effectiveDateTime"])); return ok && !t.Before(d) })
		add("/Observation?date=lt"+ds, obs, func(r res) bool { t, ok := instant(str(r["effectiveDateTime"])); return ok && t.Before(d) })
	}
	for _, d := range quietDates(c.byType["Condition"], "onsetDateTime", 2) {
		ds := d.Format("2006-01-02")
		add("/Condition?onset-date=ge"+ds, []string{"Condition"}, func(r res) bool { t, ok := instant(str(r["onsetDateTime"])); return ok && !t.Before(d) })
	}

	// Chains and reverse chains.
	patientOf := func(r res) res { return c.byKey[c.ref(r["subject"])] }
	add("/Observation?subject:Patient.gender=female&category=vital-signs", obs, func(r res) bool {
		p := patientOf(r)
		return p != nil && str(p["gender"]) == "female" && hasCoding(r, "category.coding", "*", "vital-signs")
	})
	add("/Encounter?subject:Patient.birthdate=lt1970", []string{"Encounter"}, func(r res) bool {
		p := patientOf(r)
		return p != nil && str(p["birthDate"]) < "1970-01-01"
	})
	for i := 0; i < 2; i++ {
		pre := strings.ToLower(families(pats[i])[0][:4])
		add("/Condition?subject:Patient.family="+esc(pre), []string{"Condition"}, func(r res) bool {
			p := patientOf(r)
			return p != nil && anyString(families(p), func(s string) bool { return strings.HasPrefix(strings.ToLower(s), pre) })
		})
	}
	for _, code := range c.topCodes("Observation", "code.coding", loinc, 3, 20) {
		add("/Patient?_has:Observation:patient:code="+esc(loinc+"|"+code), pt, func(p res) bool {
			key := "Patient/" + str(p["id"])
			for _, o := range c.byType["Observation"] {
				if c.ref(o["subject"]) == key && hasCoding(o, "code.coding", loinc, code) {
					return true
				}
			}
			return false
		})
	}

	// Compartment and system level.
	for i, p := range pats {
		key := "Patient/" + str(p["id"])
		if i < 5 {
			code := codes[i]
			add("/"+key+"/Observation?code="+esc(loinc+"|"+code), obs, func(r res) bool {
				return c.ref(r["subject"]) == key && hasCoding(r, "code.coding", loinc, code)
			})
			add("/"+key+"/Condition", []string{"Condition"}, subjectIs(key))
		}
		if i < 3 {
			add("/"+key+"/Encounter", []string{"Encounter"}, subjectIs(key))
			add("/?_type=Observation,Condition&patient="+esc(key), []string{"Observation", "Condition"}, subjectIs(key))
		}
	}

	// Modifiers, profiles, composites, OR and AND, more chains.
	bh := "http://hl7.org/fhir/StructureDefinition/bodyheight"
	add("/Observation?_profile="+esc(bh), obs, func(r res) bool {
		for _, p := range get(r, "meta.profile") {
			if str(p) == bh {
				return true
			}
		}
		return false
	})
	add("/Observation?code:text="+esc("body height"), obs, func(r res) bool {
		var texts []string
		for _, t := range get(r, "code.text") {
			texts = append(texts, str(t))
		}
		for _, d := range get(r, "code.coding.display") {
			texts = append(texts, str(d))
		}
		return anyString(texts, func(s string) bool { return strings.HasPrefix(strings.ToLower(s), "body height") })
	})
	for i, p := range pats {
		if i >= 2 {
			break
		}
		id := str(p["id"])
		add("/Observation?subject:Patient="+esc(id), obs, subjectIs("Patient/"+id))
		add("/Observation?subject="+esc(base+"/Patient/"+id), obs, subjectIs("Patient/"+id))
		for _, ident := range list(p["identifier"]) {
			m, _ := ident.(res)
			if hasCoding(m, "type.coding", "http://terminology.hl7.org/CodeSystem/v2-0203", "MR") {
				val := str(m["value"])
				add("/Patient?identifier:of-type="+esc("http://terminology.hl7.org/CodeSystem/v2-0203|MR|"+val), pt, func(r res) bool {
					for _, x := range list(r["identifier"]) {
						xm, _ := x.(res)
						if str(xm["value"]) == val && hasCoding(xm, "type.coding", "http://terminology.hl7.org/CodeSystem/v2-0203", "MR") {
							return true
						}
					}
					return false
				})
			}
		}
	}
	two := c.topCodes("Observation", "code.coding", loinc, 2, 3)
	add("/Observation?code="+esc(loinc+"|"+two[0]+","+loinc+"|"+two[1]), obs, func(r res) bool {
		return hasCoding(r, "code.coding", loinc, two[0]) || hasCoding(r, "code.coding", loinc, two[1])
	})
	add("/Observation?code="+esc(loinc+"|"+two[0])+"&code="+esc(loinc+"|"+two[1]), obs, func(r res) bool {
		return hasCoding(r, "code.coding", loinc, two[0]) && hasCoding(r, "code.coding", loinc, two[1])
	})
	topCond := c.topCodes("Condition", "code.coding", snomed, 1, 0)[0]
	add("/Condition?code:not="+esc(snomed+"|"+topCond), []string{"Condition"}, func(r res) bool { return !hasCoding(r, "code.coding", snomed, topCond) })
	add("/Observation?encounter:Encounter.class=EMER", obs, func(r res) bool {
		e := c.byKey[c.ref(r["encounter"])]
		return e != nil && hasCoding(e, "class", "*", "EMER")
	})
	add("/Observation?_lastUpdated=gt2000-01-01", obs, func(res) bool { return true })
	var sys []float64
	for _, r := range c.byType["Observation"] {
		for _, comp := range list(r["component"]) {
			m, _ := comp.(res)
			if hasCoding(m, "code.coding", loinc, "8480-6") {
				if q, ok := m["valueQuantity"].(res); ok {
					if v, ok := q["value"].(float64); ok {
						sys = append(sys, v)
					}
				}
			}
		}
	}
	for _, t := range quietValues(sys, 2) {
		add("/Observation?component-code-value-quantity="+esc(loinc+"|8480-6$gt"+fmt.Sprint(t)), obs, func(r res) bool {
			for _, comp := range list(r["component"]) {
				m, _ := comp.(res)
				if q, ok := m["valueQuantity"].(res); ok && hasCoding(m, "code.coding", loinc, "8480-6") {
					if v, ok := q["value"].(float64); ok && v > t {
						return true
					}
				}
			}
			return false
		})
	}

	// Sorting (checked for order as well as content).
	effective := func(r res) time.Time { t, _ := instant(str(r["effectiveDateTime"])); return t }
	for i, p := range pats {
		if i >= 5 {
			break
		}
		key := "Patient/" + str(p["id"])
		code := codes[i]
		u := "/Observation?patient=" + esc(key) + "&code=" + esc(loinc+"|"+code)
		want := func(r res) bool { return c.ref(r["subject"]) == key && hasCoding(r, "code.coding", loinc, code) }
		if i%2 == 0 {
			qs = append(qs, query{url: u + "&_sort=date", types: obs, want: want, order: func(a, b res) bool { return effective(a).Before(effective(b)) }})
		} else {
			qs = append(qs, query{url: u + "&_sort=-date&_count=7", types: obs, want: want, order: func(a, b res) bool { return effective(a).After(effective(b)) }})
		}
	}
	return append(qs, specialQueries(c)...)
}
