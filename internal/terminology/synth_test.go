package terminology

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/synth"
)

type testCoding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

type testConcept struct {
	Coding []testCoding `json:"coding"`
}

// synthResource has the coded elements of the resources the generator
// emits that use ICD-10, ATC or LOINC.
type synthResource struct {
	ResourceType string          `json:"resourceType"`
	Code         *testConcept    `json:"code"`
	Category     json.RawMessage `json:"category"` // an array on Observation, one object on MedicationAdministration
	Component    []struct {
		Code testConcept `json:"code"`
	} `json:"component"`
	Medication *testConcept `json:"medicationCodeableConcept"`
}

// TestSynthCodesResolve generates a population and checks that every
// ICD-10, ATC and LOINC coding in it is valid (code and display) in Sen's
// code systems, and that codes fall in the value sets meant for them.
func TestSynthCodesResolve(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 300 patients")
	}
	tm := newTest(t)
	gen := synth.New(synth.Config{Seed: 7, Patients: 300, End: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)})
	seen := map[string]int{} // system|code -> occurrences
	var failures []string
	check := func(where string, c testCoding, valueSet string) {
		switch c.System {
		case SystemICD10, SystemATC, SystemLOINC:
		default:
			return
		}
		k := c.System + "|" + c.Code
		seen[k]++
		if seen[k] > 1 {
			return
		}
		v, err := tm.ValidateCode(ValidateRequest{System: c.System, Code: c.Code, Display: c.Display})
		if err != nil || !v.Result {
			failures = append(failures, fmt.Sprintf("%s %s: %v %v", where, k, err, v))
			return
		}
		if valueSet != "" {
			if in, err := tm.MemberOf(c.System, c.Code, valueSet); err != nil || !in {
				failures = append(failures, fmt.Sprintf("%s %s not in %s (%v)", where, k, valueSet, err))
			}
		}
	}
	resources := 0
	err := gen.Run(func(b []byte) error {
		resources++
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return err
		}
		switch head.ResourceType {
		case "Condition", "Observation", "MedicationRequest", "MedicationDispense", "MedicationAdministration", "AllergyIntolerance":
		default:
			return nil
		}
		var r synthResource
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", head.ResourceType, err)
		}
		switch r.ResourceType {
		case "Condition":
			for _, c := range r.Code.Coding {
				check("Condition.code", c, CanonicalBase+"/ValueSet/icd-10-vn")
			}
		case "Observation":
			cat := ""
			var cats []testConcept
			if err := json.Unmarshal(r.Category, &cats); err != nil {
				return fmt.Errorf("Observation.category: %w", err)
			}
			for _, cc := range cats {
				for _, c := range cc.Coding {
					cat = c.Code
				}
			}
			vs := ""
			if cat == "vital-signs" || cat == "laboratory" {
				vs = CanonicalBase + "/ValueSet/" + cat
			}
			for _, c := range r.Code.Coding {
				check("Observation.code", c, vs)
			}
			for _, comp := range r.Component {
				for _, c := range comp.Code.Coding {
					check("Observation.component.code", c, vs)
				}
			}
		case "MedicationRequest", "MedicationDispense", "MedicationAdministration":
			for _, c := range r.Medication.Coding {
				check(r.ResourceType+".medication", c, CanonicalBase+"/ValueSet/atc-vn")
			}
		case "AllergyIntolerance":
			if r.Code != nil {
				for _, c := range r.Code.Coding {
					check("AllergyIntolerance.code", c, "")
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range failures {
		t.Error(f)
	}
	// The population must exercise the three systems, or this test proves
	// nothing.
	bySystem := map[string]int{}
	var keys []string
	for k := range seen {
		keys = append(keys, k)
		for _, s := range []string{SystemICD10, SystemATC, SystemLOINC} {
			if len(k) > len(s) && k[:len(s)+1] == s+"|" {
				bySystem[s]++
			}
		}
	}
	sort.Strings(keys)
	t.Logf("%d resources, %d distinct codes: %v", resources, len(keys), keys)
	for s, min := range map[string]int{SystemICD10: 8, SystemATC: 10, SystemLOINC: 10} {
		if bySystem[s] < min {
			t.Errorf("%s: %d distinct codes in the population, want at least %d", s, bySystem[s], min)
		}
	}
}

// TestSynthCatalogueCodes reads the generator's source and checks that
// every ICD-10, ATC and LOINC code written in it exists here, including
// rare ones (acute stroke, CKD stage 5) a 300-person population may not
// show. Reading the source keeps the test in step with the generator.
func TestSynthCatalogueCodes(t *testing.T) {
	tm := newTest(t)
	files, err := filepath.Glob("../synth/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no generator sources: %v", err)
	}
	patterns := []struct {
		system string
		re     *regexp.Regexp
	}{
		{SystemICD10, regexp.MustCompile(`"([A-Z][0-9]{2}(?:\.[0-9]{1,2})?)"`)},
		{SystemATC, regexp.MustCompile(`"([A-Z][0-9]{2}[A-Z]{2}[0-9]{2})"`)},
		{SystemLOINC, regexp.MustCompile(`"([0-9]{1,6}-[0-9])"`)},
	}
	found := map[string]int{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range patterns {
			for _, m := range p.re.FindAllSubmatch(src, -1) {
				code := string(m[1])
				found[p.system]++
				if _, _, err := tm.Lookup(p.system, code); err != nil {
					t.Errorf("%s: %s|%s: %v", filepath.Base(f), p.system, code, err)
				}
			}
		}
	}
	for s, min := range map[string]int{SystemICD10: 14, SystemATC: 19, SystemLOINC: 15} {
		if found[s] < min {
			t.Errorf("%s: %d codes in the generator source, want at least %d (did the source layout change?)", s, found[s], min)
		}
	}
}
