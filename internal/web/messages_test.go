package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/i18n"
)

// Every message id the templates and handlers name must exist in both
// catalogs. Ids built at run time ("role.%s", "obs."+code, ...) are
// checked through their known completions.
func TestMessageIDsExist(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	vi, en := cat.IDs(i18n.Vietnamese), cat.IDs(i18n.English)
	used := map[string]string{} // id -> where
	tmplRef := regexp.MustCompile(`\bt "([a-zA-Z0-9_.-]+)"`)
	goRef := regexp.MustCompile(`"((?:error|rx|record|pharmacy|me|alert|work|chart|find|home|signin|landing|summary|when|sum)\.[a-zA-Z0-9_.-]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		re := goRef
		if strings.HasSuffix(f, ".html") {
			re = tmplRef
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = f
		}
	}
	dynamic := map[string][]string{
		"role.":      {RoleClinician, RolePharmacist, RolePatient, RoleCaregiver},
		"gender.":    {"male", "female", "other", "unknown"},
		"find.kind.": {string(findName), string(findCCCD), string(findBHYT), string(findPhone), string(findBirth)},
		"day.":       {"ok", "late", "part", "miss", "pend", "none"},
		"crit.":      {"low", "high", "unable-to-assess"},
		"audit.":     {"C", "R", "U", "D", "E"},
	}
	for prefix, xs := range dynamic {
		for _, x := range xs {
			used[prefix+x] = "dynamic"
		}
	}
	for _, code := range obsOrder() {
		used["obs."+code] = "obsOrder"
	}
	for _, w := range whenOptions() {
		used[w.MsgID] = "whenOptions"
	}
	if len(used) < 150 {
		t.Fatalf("found only %d message ids in use; is the scan broken?", len(used))
	}
	for id, where := range used {
		if !slices.Contains(vi, id) {
			t.Errorf("%s: message %q missing from vi.json", where, id)
		}
		if !slices.Contains(en, id) {
			t.Errorf("%s: message %q missing from en.json", where, id)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		q     string
		kind  findKind
		param string
		value string
	}{
		{"nguyen van an", findName, "name", "nguyen van an"},
		{"Nguyễn", findName, "name", "Nguyễn"},
		{"017087498434", findCCCD, "identifier", "https://sen-emr.github.io/fhir/sid/cccd|017087498434"},
		{"017 087 498 434", findCCCD, "identifier", "https://sen-emr.github.io/fhir/sid/cccd|017087498434"},
		{"gd4262613187790", findBHYT, "identifier", "https://sen-emr.github.io/fhir/sid/bhyt|GD4262613187790"},
		{"0813878513", findPhone, "telecom", "+84813878513"},
		{"+84 813 878 513", findPhone, "telecom", "+84813878513"},
		{"21/08/1987", findBirth, "birthdate", "1987-08-21"},
		{"1987-08-21", findBirth, "birthdate", "1987-08-21"},
		{"12345", findName, "name", "12345"}, // not a phone, CCCD or date
		{"31/02/1990", findName, "name", "31/02/1990"},
	}
	for _, tt := range tests {
		kind, params := classify(tt.q)
		if kind != tt.kind || params.Get(tt.param) != tt.value {
			t.Errorf("classify(%q) = %s %v, want %s %s=%s", tt.q, kind, params, tt.kind, tt.param, tt.value)
		}
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/app/patients/1", "/app/patients/1"},
		{"", "/x"},
		{"//evil.example/", "/x"},
		{"https://evil.example/", "/x"},
		{"/\\evil.example", "/x"},
		{"app", "/x"},
	}
	for _, tt := range tests {
		if got := localPath(tt.in, "/x"); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
