package rest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/terminology"
)

// param returns the named output parameter of a Parameters body: its value
// (valueString/valueCode/valueUri/valueBoolean as text), or "" when absent.
func param(tb testing.TB, body map[string]any, name string) string {
	tb.Helper()
	if body["resourceType"] != "Parameters" {
		tb.Fatalf("not Parameters: %v", body)
	}
	ps, _ := body["parameter"].([]any)
	for _, p := range ps {
		m := p.(map[string]any)
		if m["name"] != name {
			continue
		}
		for _, k := range []string{"valueString", "valueCode", "valueUri", "valueBoolean"} {
			switch v := m[k].(type) {
			case string:
				return v
			case bool:
				if v {
					return "true"
				}
				return "false"
			}
		}
	}
	return ""
}

func TestTerminologyOperationsHTTP(t *testing.T) {
	h, _ := newTestHandler(t, nil, nil)
	q := url.QueryEscape
	vs := func(id string) string { return q(terminology.CanonicalBase + "/ValueSet/" + id) }
	tests := []struct {
		name, method, path, body string
		headers                  []string
		wantStatus               int
		want                     map[string]string // output parameter -> value
	}{
		{"lookup vi", "GET", "/fhir/CodeSystem/$lookup?system=" + q(terminology.SystemICD10) + "&code=I10", "", nil, 200,
			map[string]string{"display": "Bệnh lý tăng huyết áp vô căn (nguyên phát)", "name": "ICD10VN"}},
		{"lookup en by displayLanguage", "GET", "/fhir/CodeSystem/$lookup?system=" + q(terminology.SystemICD10) + "&code=E11.9&displayLanguage=en", "", nil, 200,
			map[string]string{"display": "Type 2 diabetes mellitus without complications"}},
		{"lookup en by Accept-Language", "GET", "/fhir/CodeSystem/$lookup?system=" + q(terminology.SystemATC) + "&code=C08CA01", "", []string{"Accept-Language", "en-GB,en;q=0.8"}, 200,
			map[string]string{"display": "amlodipine"}},
		{"lookup on instance", "GET", "/fhir/CodeSystem/loinc-vn/$lookup?code=8867-4&displayLanguage=vi", "", nil, 200,
			map[string]string{"display": "Mạch"}},
		{"lookup POST Parameters coding", "POST", "/fhir/CodeSystem/$lookup",
			`{"resourceType":"Parameters","parameter":[{"name":"coding","valueCoding":{"system":"http://loinc.org","code":"4548-4"}},{"name":"displayLanguage","valueCode":"vi"}]}`, nil, 200,
			map[string]string{"display": "HbA1c"}},
		{"lookup unknown code", "GET", "/fhir/CodeSystem/$lookup?system=" + q(terminology.SystemICD10) + "&code=Q99.99", "", nil, 404, nil},
		{"lookup unknown system", "GET", "/fhir/CodeSystem/$lookup?system=http://example.org&code=1", "", nil, 404, nil},
		{"lookup without code", "GET", "/fhir/CodeSystem/$lookup?system=" + q(terminology.SystemICD10), "", nil, 400, nil},
		{"cs validate ok", "GET", "/fhir/CodeSystem/$validate-code?url=" + q(terminology.SystemICD10) + "&code=J44.1&display=" + q("Bệnh phổi tắc nghẽn mạn tính có đợt cấp, không đặc hiệu"), "", nil, 200,
			map[string]string{"result": "true"}},
		{"cs validate wrong display", "GET", "/fhir/CodeSystem/$validate-code?url=" + q(terminology.SystemICD10) + "&code=J44.1&display=Asthma", "", nil, 200,
			map[string]string{"result": "false", "display": "Bệnh phổi tắc nghẽn mạn tính có đợt cấp, không đặc hiệu"}},
		{"cs validate unknown code is result=false", "GET", "/fhir/CodeSystem/$validate-code?url=" + q(terminology.SystemATC) + "&code=Z99ZZ99", "", nil, 200,
			map[string]string{"result": "false"}},
		{"cs validate unknown system is result=false", "GET", "/fhir/CodeSystem/$validate-code?url=http://example.org/cs&code=1", "", nil, 200,
			map[string]string{"result": "false"}},
		{"cs validate no code", "GET", "/fhir/CodeSystem/$validate-code?url=" + q(terminology.SystemATC), "", nil, 400, nil},
		{"vs validate member", "GET", "/fhir/ValueSet/$validate-code?url=" + vs("chronic-conditions") + "&system=" + q(terminology.SystemICD10) + "&code=N18.3", "", nil, 200,
			map[string]string{"result": "true", "display": "Bệnh thận mạn, giai đoạn 3"}},
		{"vs validate non-member", "GET", "/fhir/ValueSet/$validate-code?url=" + vs("chronic-conditions") + "&system=" + q(terminology.SystemICD10) + "&code=J06.9", "", nil, 200,
			map[string]string{"result": "false"}},
		{"vs validate codeableConcept POST", "POST", "/fhir/ValueSet/$validate-code",
			`{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"` + terminology.CanonicalBase + `/ValueSet/antihypertensives"},{"name":"codeableConcept","valueCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"A10BA02"},{"system":"http://www.whocc.no/atc","code":"C09CA01"}]}}]}`, nil, 200,
			map[string]string{"result": "true", "code": "C09CA01"}},
		{"vs validate R4 core", "GET", "/fhir/ValueSet/$validate-code?url=" + q("http://hl7.org/fhir/ValueSet/administrative-gender") + "&coding=" + q("http://hl7.org/fhir/administrative-gender|female"), "", nil, 200,
			map[string]string{"result": "true"}},
		{"vs validate unknown value set", "GET", "/fhir/ValueSet/$validate-code?url=http://example.org/vs&system=x&code=y", "", nil, 404, nil},
		{"subsumes", "GET", "/fhir/CodeSystem/$subsumes?system=" + q(terminology.SystemICD10) + "&codeA=I10-I15&codeB=I11.9", "", nil, 200,
			map[string]string{"outcome": "subsumes"}},
		{"subsumes missing codeB", "GET", "/fhir/CodeSystem/$subsumes?system=" + q(terminology.SystemICD10) + "&codeA=I10", "", nil, 400, nil},
		{"bad coding", "GET", "/fhir/ValueSet/$validate-code?url=" + vs("diabetes") + "&coding=E11.9", "", nil, 400, nil},
		{"bad Parameters", "POST", "/fhir/CodeSystem/$lookup", `{"resourceType":"Patient"}`, nil, 400, nil},
		{"malformed JSON", "POST", "/fhir/ValueSet/$expand", `{"resourceType":`, nil, 400, nil},
		{"inline value set unsupported", "POST", "/fhir/ValueSet/$expand", `{"resourceType":"Parameters","parameter":[{"name":"valueSet","resource":{"resourceType":"ValueSet"}}]}`, nil, 405, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, tt.method, tt.path, tt.body, tt.headers...)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body.String())
			}
			if tt.wantStatus != http.StatusOK {
				if txt := outcomeText(t, w); txt == "" {
					t.Errorf("empty OperationOutcome")
				}
				return
			}
			body := decode(t, w)
			for k, want := range tt.want {
				if got := param(t, body, k); got != want {
					t.Errorf("%s = %q, want %q (%s)", k, got, want, w.Body.String())
				}
			}
		})
	}
	t.Run("form POST on instance", func(t *testing.T) {
		w := do(t, h, "POST", "/fhir/ValueSet/hypertension/$validate-code", "system="+q(terminology.SystemICD10)+"&code=I15",
			"Content-Type", "application/x-www-form-urlencoded")
		if w.Code != 200 || param(t, decode(t, w), "result") != "true" {
			t.Errorf("status %d: %s", w.Code, w.Body.String())
		}
	})
}

// expansionCodes returns the codes of a $expand answer and its total.
func expansionCodes(tb testing.TB, body map[string]any) ([]string, int) {
	tb.Helper()
	x, ok := body["expansion"].(map[string]any)
	if body["resourceType"] != "ValueSet" || !ok {
		tb.Fatalf("not an expanded ValueSet: %v", body)
	}
	var codes []string
	cs, _ := x["contains"].([]any)
	for _, c := range cs {
		codes = append(codes, c.(map[string]any)["code"].(string))
	}
	return codes, int(x["total"].(float64))
}

func TestExpandHTTP(t *testing.T) {
	h, _ := newTestHandler(t, nil, nil)
	q := url.QueryEscape
	all := q(terminology.CanonicalBase + "/ValueSet/icd-10-vn")
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantTotal                int
		wantCodes                string // the page's codes, space-separated ("" = don't check)
	}{
		{"diacritic-insensitive filter", "GET", "/fhir/ValueSet/$expand?url=" + all + "&filter=" + q("tang huyet ap vo can"), "", 200, 1, "I10"},
		{"filter with diacritics and case", "GET", "/fhir/ValueSet/$expand?url=" + all + "&filter=" + q("BỆNH THẬN MẠN, GIAI ĐOẠN 5"), "", 200, 1, "N18.5"},
		{"paging", "GET", "/fhir/ValueSet/$expand?url=" + all + "&filter=n18&offset=2&count=3", "", 200, 7, "N18.2 N18.3 N18.4"},
		{"instance", "GET", "/fhir/ValueSet/diabetes/$expand?count=2", "", 200, 12, "E10 E10.9"},
		{"POST Parameters", "POST", "/fhir/ValueSet/$expand",
			`{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"http://hl7.org/fhir/ValueSet/administrative-gender"},{"name":"filter","valueString":"male"},{"name":"count","valueInteger":1}]}`,
			200, 2, "male"},
		{"unknown value set", "GET", "/fhir/ValueSet/$expand?url=http://example.org/none", "", 404, 0, ""},
		{"unknown instance", "GET", "/fhir/ValueSet/none/$expand", "", 404, 0, ""},
		{"no url", "GET", "/fhir/ValueSet/$expand?filter=x", "", 400, 0, ""},
		{"negative count", "GET", "/fhir/ValueSet/$expand?url=" + all + "&count=-1", "", 400, 0, ""},
		{"count not a number", "GET", "/fhir/ValueSet/$expand?url=" + all + "&count=ten", "", 400, 0, ""},
		{"count too large", "GET", "/fhir/ValueSet/$expand?url=" + all + "&count=100000", "", 400, 0, ""},
		{"bad count in Parameters", "POST", "/fhir/ValueSet/$expand", `{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"x"},{"name":"count","valueString":"3"}]}`, 400, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, tt.method, tt.path, tt.body)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body.String())
			}
			if w.Code != 200 {
				outcomeText(t, w)
				return
			}
			codes, total := expansionCodes(t, decode(t, w))
			if total != tt.wantTotal {
				t.Errorf("total %d, want %d", total, tt.wantTotal)
			}
			if got := strings.Join(codes, " "); tt.wantCodes != "" && got != tt.wantCodes {
				t.Errorf("codes %q, want %q", got, tt.wantCodes)
			}
		})
	}
}

func TestTerminologyResourcesHTTP(t *testing.T) {
	h, _ := newTestHandler(t, nil, nil)
	q := url.QueryEscape
	tests := []struct {
		name, path string
		wantTotal  int
		wantType   string
	}{
		{"code system by url", "/fhir/CodeSystem?url=" + q(terminology.SystemICD10), 1, "CodeSystem"},
		{"code system by url and version", "/fhir/CodeSystem?url=" + q(terminology.SystemLOINC+"|2.80"), 1, "CodeSystem"},
		{"all code systems", "/fhir/CodeSystem?_summary=true", 3, "CodeSystem"},
		{"R4 core code system", "/fhir/CodeSystem?url=" + q("http://hl7.org/fhir/administrative-gender"), 1, "CodeSystem"},
		{"value set by name", "/fhir/ValueSet?name=antihyper", 1, "ValueSet"},
		{"R4 core value set by url", "/fhir/ValueSet?url=" + q("http://hl7.org/fhir/ValueSet/observation-vitalsignresult"), 1, "ValueSet"},
		{"unknown url falls through to the store", "/fhir/ValueSet?url=" + q("http://example.org/vs"), 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, "GET", tt.path, "")
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body.String())
			}
			b := decode(t, w)
			if b["resourceType"] != "Bundle" || int(b["total"].(float64)) != tt.wantTotal {
				t.Fatalf("want a Bundle with total %d: %s", tt.wantTotal, w.Body.String())
			}
			entries, _ := b["entry"].([]any)
			for _, e := range entries {
				if e.(map[string]any)["search"].(map[string]any)["mode"] == "outcome" {
					continue // the store's warnings, when the search fell through to it
				}
				if got := e.(map[string]any)["resource"].(map[string]any)["resourceType"]; got != tt.wantType {
					t.Errorf("entry of type %v, want %s", got, tt.wantType)
				}
			}
		})
	}
	// The ICD-10 CodeSystem carries its hierarchy: chapter IX holds block
	// I10-I15 which holds I10.
	b := decode(t, do(t, h, "GET", "/fhir/CodeSystem?_id=icd-10-vn", ""))
	cs := b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	if cs["hierarchyMeaning"] != "is-a" || cs["content"] != "fragment" {
		t.Errorf("hierarchyMeaning %v, content %v", cs["hierarchyMeaning"], cs["content"])
	}
	found := false
	for _, ch := range cs["concept"].([]any) {
		ch := ch.(map[string]any)
		if ch["code"] != "IX" {
			continue
		}
		for _, bl := range ch["concept"].([]any) {
			bl := bl.(map[string]any)
			if bl["code"] != "I10-I15" {
				continue
			}
			for _, c := range bl["concept"].([]any) {
				if c.(map[string]any)["code"] == "I10" {
					found = true
				}
			}
		}
	}
	if !found {
		t.Error("IX > I10-I15 > I10 not found in the CodeSystem's nested concepts")
	}
}
