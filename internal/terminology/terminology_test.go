package terminology

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/sen-emr/sen/internal/fhir"
)

func TestTables(t *testing.T) {
	tm := newTest(t)
	count := func(system string, keep func(*Concept) bool) int {
		n := 0
		for _, c := range tm.CodeSystem(system).Concepts() {
			if keep(c) {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name string
		got  int
		min  int
	}{
		{"ICD-10 codable categories", count(SystemICD10, func(c *Concept) bool { return !c.Abstract }), 150},
		{"ICD-10 chapters", len(tm.CodeSystem(SystemICD10).Roots()), 19},
		{"ATC substances (level 5)", count(SystemATC, func(c *Concept) bool { return len(c.Code) == 7 }), 100},
		{"ATC anatomical groups", len(tm.CodeSystem(SystemATC).Roots()), 14},
		{"LOINC codes", tm.CodeSystem(SystemLOINC).Len(), 60},
		{"LOINC vital signs", count(SystemLOINC, func(c *Concept) bool { return c.Property("category") == "vital-signs" }), 12},
	}
	for _, tt := range tests {
		if tt.got < tt.min {
			t.Errorf("%s: got %d, want at least %d", tt.name, tt.got, tt.min)
		}
	}
	// Every concept is bilingual, and every ICD-10 category sits under a
	// block under a chapter.
	for _, cs := range tm.CodeSystems() {
		for _, c := range cs.Concepts() {
			if c.DisplayIn("vi") == "" || c.DisplayIn("en") == "" || c.DisplayIn("vi") == c.DisplayIn("en") && cs.URL == SystemICD10 {
				t.Errorf("%s|%s: vi %q, en %q", cs.URL, c.Code, c.DisplayIn("vi"), c.DisplayIn("en"))
			}
		}
	}
	for _, c := range tm.CodeSystem(SystemICD10).Concepts() {
		if c.Abstract {
			continue
		}
		depth := 0
		for x := c; x.Parent != nil; x = x.Parent {
			depth++
		}
		if depth < 2 || depth > 3 {
			t.Errorf("ICD-10 %s: depth %d below its chapter, want 2 or 3", c.Code, depth)
		}
	}
}

func TestValidLOINC(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"8480-6", true}, {"4548-4", true}, {"62238-1", true}, {"85354-9", true},
		{"8480-5", false}, {"8480", false}, {"x480-6", false}, {"-6", false}, {"12345678-9", false},
	}
	for _, tt := range tests {
		if got := validLOINC(tt.code); got != tt.want {
			t.Errorf("validLOINC(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestLookup(t *testing.T) {
	tm := newTest(t)
	tests := []struct {
		system, code string
		lang         string
		wantCode     string
		wantDisplay  string
		wantParent   string
		wantErr      error
	}{
		{SystemICD10, "I10", "", "I10", "Bệnh lý tăng huyết áp vô căn (nguyên phát)", "I10-I15", nil},
		{SystemICD10, "I10", "en", "I10", "Essential (primary) hypertension", "I10-I15", nil},
		{SystemICD10, "E11.9", "vi-VN", "E11.9", "Bệnh đái tháo đường không phụ thuộc insulin, không có biến chứng", "E11", nil},
		{SystemICD10, "e119", "", "E11.9", "Bệnh đái tháo đường không phụ thuộc insulin, không có biến chứng", "E11", nil},
		{SystemICD10, "IX", "en", "IX", "Diseases of the circulatory system", "", nil},
		{SystemICD10 + "|vn-moh-2026", "J44.1", "", "J44.1", "Bệnh phổi tắc nghẽn mạn tính có đợt cấp, không đặc hiệu", "J44", nil},
		{SystemATC, "C08CA01", "", "C08CA01", "Amlodipin", "C08CA", nil},
		{SystemATC, "C08CA01", "en", "C08CA01", "amlodipine", "C08CA", nil},
		{SystemATC, "c", "en", "C", "Cardiovascular system", "", nil},
		{SystemLOINC, "8480-6", "", "8480-6", "Systolic blood pressure", "", nil},
		{SystemLOINC, "8480-6", "vi", "8480-6", "Huyết áp tâm thu", "", nil},
		{"http://hl7.org/fhir/administrative-gender", "female", "", "female", "Female", "", nil},
		{"http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved", "", "resolved", "Resolved", "", nil},
		{SystemICD10, "Z99.9", "", "", "", "", ErrUnknownCode},
		{SystemLOINC, "8480", "", "", "", "", ErrUnknownCode},
		{"http://snomed.info/sct", "38341003", "", "", "", "", ErrUnknownCodeSystem},
		{"", "I10", "", "", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.system+"|"+tt.code, func(t *testing.T) {
			c, _, err := tm.Lookup(tt.system, tt.code)
			if tt.wantCode == "" {
				if err == nil {
					t.Fatalf("Lookup = %v, want an error", c.Code)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
				if tt.wantErr == nil && fhir.KindOf(err) != fhir.KindInvalid {
					t.Errorf("err kind = %v, want invalid", fhir.KindOf(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			parent := ""
			if c.Parent != nil {
				parent = c.Parent.Code
			}
			if got := c.DisplayIn(tt.lang); c.Code != tt.wantCode || got != tt.wantDisplay || parent != tt.wantParent {
				t.Errorf("got %s %q parent %q, want %s %q parent %q", c.Code, got, parent, tt.wantCode, tt.wantDisplay, tt.wantParent)
			}
		})
	}
}

func TestSubsumes(t *testing.T) {
	tm := newTest(t)
	tests := []struct {
		system, a, b string
		want         Subsumption
	}{
		{SystemICD10, "I10", "I10", Equivalent},
		{SystemICD10, "IX", "I10", Subsumes},
		{SystemICD10, "I10-I15", "I11.9", Subsumes},
		{SystemICD10, "E11.9", "E10-E14", SubsumedBy},
		{SystemICD10, "E11.9", "I10", NotSubsumed},
		{SystemICD10, "e11", "E11.2", Subsumes},
		{SystemATC, "C09", "C09CA01", Subsumes},
		{SystemATC, "J04AM06", "J", SubsumedBy},
		{SystemATC, "C08CA01", "C09CA01", NotSubsumed},
		{SystemLOINC, "8480-6", "8462-4", NotSubsumed},
		{SystemLOINC, "8480-6", "8480-6", Equivalent},
	}
	for _, tt := range tests {
		got, err := tm.Subsumes(tt.system, tt.a, tt.b)
		if err != nil || got != tt.want {
			t.Errorf("Subsumes(%s, %s, %s) = %q, %v; want %q", tt.system, tt.a, tt.b, got, err, tt.want)
		}
	}
	if _, err := tm.Subsumes(SystemICD10, "I10", "Q99"); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("unknown code b: err = %v, want ErrUnknownCode", err)
	}
}

func TestDescendantsAncestors(t *testing.T) {
	tm := newTest(t)
	got, err := tm.Descendants(SystemICD10, "N18")
	if want := []string{"N18", "N18.1", "N18.2", "N18.3", "N18.4", "N18.5", "N18.9"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Descendants(N18) = %v, %v; want %v", got, err, want)
	}
	got, err = tm.Ancestors(SystemICD10, "I69.3")
	if want := []string{"I69.3", "I69", "I60-I69", "IX"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Ancestors(I69.3) = %v, %v; want %v", got, err, want)
	}
	got, err = tm.Ancestors(SystemATC, "A10BA02")
	if want := []string{"A10BA02", "A10BA", "A10B", "A10", "A"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Ancestors(A10BA02) = %v, %v; want %v", got, err, want)
	}
	if _, err := tm.Descendants("http://example.org/x", "1"); !errors.Is(err, ErrUnknownCodeSystem) {
		t.Errorf("unknown system: err = %v", err)
	}
}

func TestMemberOf(t *testing.T) {
	tm := newTest(t)
	vs := func(id string) string { return CanonicalBase + "/ValueSet/" + id }
	tests := []struct {
		system, code, url string
		want              bool
	}{
		{SystemICD10, "I10", vs("hypertension"), true},
		{SystemICD10, "I11.9", vs("hypertension"), true},
		{SystemICD10, "I10-I15", vs("hypertension"), false}, // a block is not codable
		{SystemICD10, "E11.9", vs("hypertension"), false},
		{SystemICD10, "E11.9", vs("chronic-conditions"), true},
		{SystemICD10, "I69.3", vs("chronic-conditions"), true},
		{SystemICD10, "I63.9", vs("chronic-conditions"), false},
		{SystemICD10, "J06.9", vs("chronic-conditions"), false},
		{SystemICD10, "A15.0", vs("tuberculosis"), true},
		{SystemICD10, "J06.9", vs("icd-10-vn"), true},
		{SystemICD10, "I10", SystemICD10 + "?fhir_vs", true},
		{SystemICD10, "E11.2", SystemICD10 + "?fhir_vs=isa/E11", true},
		{SystemICD10, "E10.9", SystemICD10 + "?fhir_vs=isa/E11", false},
		{SystemATC, "C09CA01", vs("antihypertensives"), true},
		{SystemATC, "A10BA02", vs("antihypertensives"), false},
		{SystemATC, "A10AE04", vs("antidiabetics"), true},
		{SystemATC, "J04AM06", vs("tuberculosis-medicines"), true},
		{SystemLOINC, "8867-4", vs("vital-signs"), true},
		{SystemLOINC, "4548-4", vs("vital-signs"), false},
		{SystemLOINC, "4548-4", vs("laboratory"), true},
		{SystemLOINC, "8867-4", "http://hl7.org/fhir/ValueSet/observation-vitalsignresult", true},
		{SystemLOINC, "4548-4", "http://hl7.org/fhir/ValueSet/observation-vitalsignresult", false},
		{"http://hl7.org/fhir/administrative-gender", "female", "http://hl7.org/fhir/ValueSet/administrative-gender", true},
		{"http://hl7.org/fhir/administrative-gender", "woman", "http://hl7.org/fhir/ValueSet/administrative-gender", false},
		{"", "female", "http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1", true},
		{"http://example.org", "female", "http://hl7.org/fhir/ValueSet/administrative-gender", false},
	}
	for _, tt := range tests {
		got, err := tm.MemberOf(tt.system, tt.code, tt.url)
		if err != nil || got != tt.want {
			t.Errorf("MemberOf(%s, %s, %s) = %v, %v; want %v", tt.system, tt.code, tt.url, got, err, tt.want)
		}
	}
	if _, err := tm.MemberOf(SystemICD10, "I10", "http://example.org/ValueSet/none"); !errors.Is(err, ErrUnknownValueSet) || fhir.StatusOf(err) != 404 {
		t.Errorf("unknown value set: err = %v (status %d), want ErrUnknownValueSet, 404", err, fhir.StatusOf(err))
	}
}

func TestValidateCode(t *testing.T) {
	tm := newTest(t)
	tests := []struct {
		name        string
		req         ValidateRequest
		want        bool
		wantDisplay string
		wantMsg     string
	}{
		{"icd known", ValidateRequest{System: SystemICD10, Code: "I10"}, true, "Bệnh lý tăng huyết áp vô căn (nguyên phát)", ""},
		{"icd english display accepted", ValidateRequest{System: SystemICD10, Code: "I10", Display: "essential (primary) hypertension"}, true, "Bệnh lý tăng huyết áp vô căn (nguyên phát)", ""},
		{"icd wrong display", ValidateRequest{System: SystemICD10, Code: "I10", Display: "Đái tháo đường"}, false, "Bệnh lý tăng huyết áp vô căn (nguyên phát)", "không đúng"},
		{"icd unknown code", ValidateRequest{System: SystemICD10, Code: "Q99.9"}, false, "", "Sen holds a subset"},
		{"unknown system", ValidateRequest{System: "http://example.org/cs", Code: "1"}, false, "", "unknown code system"},
		{"no system", ValidateRequest{Code: "I10"}, false, "", "code system"},
		{"loinc english display language", ValidateRequest{System: SystemLOINC, Code: "29463-7", DisplayLanguage: "vi"}, true, "Cân nặng", ""},
		{"codeable concept, second coding valid", ValidateRequest{Codings: []Coding{{System: "http://snomed.info/sct", Code: "38341003"}, {System: SystemICD10, Code: "I10"}}}, true, "Bệnh lý tăng huyết áp vô căn (nguyên phát)", ""},
		{"value set member", ValidateRequest{ValueSetURL: CanonicalBase + "/ValueSet/diabetes", System: SystemICD10, Code: "E11.9"}, true, "Bệnh đái tháo đường không phụ thuộc insulin, không có biến chứng", ""},
		{"value set non-member", ValidateRequest{ValueSetURL: CanonicalBase + "/ValueSet/diabetes", System: SystemICD10, Code: "I10"}, false, "", "không thuộc"},
		{"value set unknown code", ValidateRequest{ValueSetURL: CanonicalBase + "/ValueSet/diabetes", System: SystemICD10, Code: "E11.99"}, false, "", "is not in http://hl7.org/fhir/sid/icd-10"},
		{"r4 value set", ValidateRequest{ValueSetURL: "http://hl7.org/fhir/ValueSet/administrative-gender", Codings: []Coding{{System: "http://hl7.org/fhir/administrative-gender", Code: "male", Display: "Male"}}}, true, "Male", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tm.ValidateCode(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Result != tt.want || got.Display != tt.wantDisplay || !strings.Contains(got.Message, tt.wantMsg) {
				t.Errorf("got %v %q %q, want %v %q (message containing %q)", got.Result, got.Display, got.Message, tt.want, tt.wantDisplay, tt.wantMsg)
			}
			if got.Result && got.Message != "" {
				t.Errorf("valid code with message %q", got.Message)
			}
		})
	}
	errTests := []struct {
		name string
		req  ValidateRequest
		kind fhir.Kind
	}{
		{"no code", ValidateRequest{System: SystemICD10}, fhir.KindInvalid},
		{"unknown value set", ValidateRequest{ValueSetURL: "http://example.org/vs", System: SystemICD10, Code: "I10"}, fhir.KindNotFound},
	}
	for _, tt := range errTests {
		if _, err := tm.ValidateCode(tt.req); fhir.KindOf(err) != tt.kind {
			t.Errorf("%s: err = %v, want kind %v", tt.name, err, tt.kind)
		}
	}
}

func codesOf(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Code
	}
	return out
}

func TestExpand(t *testing.T) {
	tm := newTest(t)
	vs := func(id string) string { return CanonicalBase + "/ValueSet/" + id }
	tests := []struct {
		name      string
		req       ExpandRequest
		wantTotal int
		wantFirst []string // the first codes of the page, in order
		wantAll   []string // the whole page, when given
	}{
		{"hypertension block", ExpandRequest{URL: vs("hypertension")}, 6, nil, []string{"I10", "I11", "I11.9", "I12", "I13", "I15"}},
		{"no diacritics", ExpandRequest{URL: vs("icd-10-vn"), Filter: "tang huyet ap"}, 6, []string{"I15", "I10"}, nil},
		{"upper case with diacritics", ExpandRequest{URL: vs("icd-10-vn"), Filter: "TĂNG HUYẾT ÁP"}, 6, []string{"I15", "I10"}, nil},
		{"decomposed input", ExpandRequest{URL: vs("icd-10-vn"), Filter: norm.NFD.String("Bệnh đái tháo đường không phụ thuộc insulin, không có biến chứng")}, 9, []string{"E11.9"}, nil},
		{"dd folds to d", ExpandRequest{URL: vs("chronic-conditions"), Filter: "dai thao duong khong phu thuoc insulin, khong co bien chung"}, 9, []string{"E11.9"}, nil},
		{"phrase before scattered words", ExpandRequest{URL: vs("icd-10-vn"), Filter: "suy tim"}, 0, []string{"I50", "I50.0", "I50.9", "I11.9"}, nil},
		{"english words", ExpandRequest{URL: vs("icd-10-vn"), Filter: "kidney stage 4"}, 1, nil, []string{"N18.4"}},
		{"code prefix", ExpandRequest{URL: vs("icd-10-vn"), Filter: "n18"}, 7, []string{"N18", "N18.1"}, nil},
		{"words in any order", ExpandRequest{URL: vs("icd-10-vn"), Filter: "giai đoạn 3 thận"}, 1, nil, []string{"N18.3"}},
		{"drug name", ExpandRequest{URL: vs("atc-vn"), Filter: "amlodipin"}, 1, nil, []string{"C08CA01"}},
		{"loinc vietnamese", ExpandRequest{URL: vs("vital-signs"), Filter: "huyet ap"}, 3, []string{"85354-9", "8480-6", "8462-4"}, nil},
		{"paging", ExpandRequest{URL: vs("hypertension"), Offset: 2, Count: 2}, 6, nil, []string{"I11.9", "I12"}},
		{"offset past end", ExpandRequest{URL: vs("hypertension"), Offset: 50}, 6, nil, []string{}},
		{"implicit is-a", ExpandRequest{URL: SystemICD10 + "?fhir_vs=isa/N18"}, 7, []string{"N18"}, nil},
		{"r4 core", ExpandRequest{URL: "http://hl7.org/fhir/ValueSet/administrative-gender"}, 4, nil, []string{"male", "female", "other", "unknown"}},
		{"r4 core filter", ExpandRequest{URL: "http://hl7.org/fhir/ValueSet/administrative-gender", Filter: "fem"}, 1, nil, []string{"female"}},
		{"r4 with Sen's displays", ExpandRequest{URL: "http://hl7.org/fhir/ValueSet/observation-vitalsignresult", Filter: "nhip tho"}, 1, nil, []string{"9279-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := tm.Expand(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			got := codesOf(x.Contains)
			if tt.wantTotal > 0 && x.Total != tt.wantTotal {
				t.Errorf("total %d, want %d (%v)", x.Total, tt.wantTotal, got)
			}
			if tt.wantAll != nil && !slices.Equal(got, tt.wantAll) {
				t.Errorf("got %v, want %v", got, tt.wantAll)
			}
			if len(got) < len(tt.wantFirst) || !slices.Equal(got[:len(tt.wantFirst)], tt.wantFirst) {
				t.Errorf("got %v, want it to start with %v", got, tt.wantFirst)
			}
		})
	}
	x, err := tm.Expand(ExpandRequest{URL: vs("atc-vn"), Filter: "metformin", DisplayLanguage: "en"})
	if err != nil || len(x.Contains) != 1 || x.Contains[0].Display != "metformin" {
		t.Errorf("displayLanguage en: %+v, %v", x, err)
	}
	errTests := []struct {
		req  ExpandRequest
		kind fhir.Kind
	}{
		{ExpandRequest{URL: "http://example.org/none"}, fhir.KindNotFound},
		{ExpandRequest{}, fhir.KindInvalid},
		{ExpandRequest{URL: vs("atc-vn"), Count: MaxCount + 1}, fhir.KindInvalid},
		{ExpandRequest{URL: vs("atc-vn"), Offset: -1}, fhir.KindInvalid},
	}
	for _, tt := range errTests {
		if _, err := tm.Expand(tt.req); fhir.KindOf(err) != tt.kind {
			t.Errorf("Expand(%+v): err = %v, want kind %v", tt.req, err, tt.kind)
		}
	}
}
