package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	untranslated = regexp.MustCompile(`\[[a-z]+(\.[A-Za-z0-9-]+)+\]`)
	patientLink  = regexp.MustCompile(`href="/app/patients/([0-9a-f-]{36})"`)
	pickPatient  = regexp.MustCompile(`name="patient" value="([^"]+)"`)
	doseForm     = regexp.MustCompile(`name="rx" value="([^"]+)"><input type="hidden" name="at" value="(\d+)"`)
)

// patientOnMeds returns a patient with active prescriptions (the patient
// app's picker lists them).
func patientOnMeds(tb testing.TB, c *client) string {
	tb.Helper()
	m := pickPatient.FindStringSubmatch(c.get("/me/signin").body)
	if m == nil {
		tb.Fatal("no patient with active prescriptions in the test population")
	}
	return m[1]
}

func TestLandingAndStatic(t *testing.T) {
	c := newClient(t, testApp(t), "")
	mustContain(t, "landing vi", c.get("/"), 200, `lang="vi"`, "Ứng dụng cho nhân viên y tế", `href="/app"`, `href="/me"`)
	c.lang = "en-US,en;q=0.9"
	mustContain(t, "landing en", c.get("/"), 200, `lang="en"`, "Clinician app", "Patient app")
	for _, p := range []string{"/static/app.css", "/static/app.js", "/static/me.js", "/me/sw.js", "/me/manifest.webmanifest", "/static/icon.svg"} {
		if r := c.get(p); r.status != 200 || len(r.body) == 0 {
			t.Errorf("%s: status %d", p, r.status)
		}
	}
	// Small pages for slow connections: the whole shell stays small.
	if n := len(c.get("/static/app.css").body) + len(c.get("/static/me.js").body); n > 16<<10 {
		t.Errorf("patient app shell is %d bytes, want < 16 KiB", n)
	}
}

func TestLanguageSwitch(t *testing.T) {
	c := newClient(t, testApp(t), "vi")
	r := c.get("/lang?set=en&back=%2Fapp%2Fsignin")
	mustContain(t, "after switch", r, 200, `lang="en"`, "Sign in")
	// The cookie wins over Accept-Language from now on.
	mustContain(t, "cookie kept", c.get("/"), 200, `lang="en"`)
	// Off-site redirects are refused.
	if r := c.get("/lang?set=vi&back=//evil.example/"); !strings.HasSuffix(strings.TrimSuffix(r.url, "?"), "/") || strings.Contains(r.url, "evil") {
		t.Errorf("open redirect: ended at %s", r.url)
	}
	if r := c.get("/lang?set=fr"); r.status != 400 {
		t.Errorf("unsupported language: status %d, want 400", r.status)
	}
}

func TestSignInRequired(t *testing.T) {
	c := newClient(t, testApp(t), "vi")
	for _, p := range []string{"/app", "/app/patients?q=an", "/app/worklists", "/app/pharmacy"} {
		r := c.get(p)
		if !strings.HasPrefix(r.url, "/app/signin") {
			t.Errorf("%s: ended at %s, want the sign-in page", p, r.url)
		}
	}
	for _, p := range []string{"/me", "/me/missed", "/me/medicines", "/me/results", "/me/access"} {
		r := c.get(p)
		if !strings.HasPrefix(r.url, "/me/signin") {
			t.Errorf("%s: ended at %s, want the sign-in page", p, r.url)
		}
	}
	mustContain(t, "app sign-in", c.get("/app/signin"), 200, "Không xác thực — chỉ dùng để thử nghiệm", `name="role" value="clinician"`)
	mustContain(t, "me sign-in", c.get("/me/signin"), 200, "Tôi là người bệnh", "Tôi chăm sóc người này")
}

func TestClinicianPages(t *testing.T) {
	a := testApp(t)
	for _, tt := range []struct {
		lang  string
		wants map[string][]string // path -> content
	}{
		{"vi", map[string][]string{
			"/app":                   {"Tìm người bệnh", "Người bệnh vừa xem"},
			"/app/patients?q=nguyen": {"Tìm theo tên", "Nguyễn"},
			"/app/worklists":         {"Tuân thủ điều trị thấp", "Quá hẹn tái khám", "Việc đang mở"},
			"/app/pharmacy":          {"Nhà thuốc — đơn chờ cấp", "Cấp thuốc"},
		}},
		{"en", map[string][]string{
			"/app":                   {"Find a patient", "Recent patients"},
			"/app/patients?q=nguyen": {"By name", "Nguyễn"},
			"/app/worklists":         {"Low adherence", "Overdue follow-ups", "Open tasks"},
			"/app/pharmacy":          {"Pharmacy — prescriptions to dispense", "Dispense"},
		}},
	} {
		c := newClient(t, a, tt.lang)
		c.signInClinician("clinician")
		for path, wants := range tt.wants {
			mustContain(t, tt.lang+" "+path, c.get(path), 200, append(wants, `lang="`+tt.lang+`"`)...)
		}
	}
}

func TestSummary(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "vi")
	id := patientOnMeds(t, c)
	c.signInClinician("clinician")
	r := c.get("/app/patients/" + id)
	mustContain(t, "summary vi", r, 200, "Bệnh (ICD-10)", "Dị ứng", "Thuốc đang dùng và tuân thủ", "Các lần khám",
		"Nhóm chăm sóc", "Đồng ý chia sẻ dữ liệu", "CCCD", "Thẻ BHYT", `<meter`, `<svg class="chart"`, "Uống ")
	c.lang = "en"
	r = c.get("/app/patients/" + id)
	mustContain(t, "summary en", r, 200, "Problems (ICD-10)", "Current medicines and adherence", "Blood pressure (mmHg)", "Take ")
	// Opening a summary makes the patient recent.
	if !strings.Contains(c.get("/app").body, "/app/patients/"+id) {
		t.Error("opened patient not listed as recent")
	}
	if r := c.get("/app/patients/no-such-patient"); r.status != 404 {
		t.Errorf("unknown patient: status %d, want 404", r.status)
	}
	if r := c.get("/app/patients/bad%20id!"); r.status != 404 {
		t.Errorf("malformed id: status %d, want 404", r.status)
	}
}

func TestFindByIdentifiers(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "vi")
	id := patientOnMeds(t, c)
	c.signInClinician("clinician")
	sum := c.get("/app/patients/" + id).body
	field := func(label string) string {
		m := regexp.MustCompile(`<dt>` + regexp.QuoteMeta(label) + `</dt><dd>([^<]+)</dd>`).FindStringSubmatch(sum)
		if m == nil {
			t.Fatalf("summary lacks %s", label)
		}
		return m[1]
	}
	name := regexp.MustCompile(`<h1>([^<]+)</h1>`).FindStringSubmatch(sum)[1]
	for _, tt := range []struct{ what, q, kind string }{
		{"CCCD", field("CCCD"), "Tìm theo CCCD"},
		{"BHYT", field("Thẻ BHYT"), "Tìm theo thẻ BHYT"},
		{"phone", field("Điện thoại"), "Tìm theo số điện thoại"},
		{"folded name", foldASCII(name), "Tìm theo tên"},
	} {
		if tt.q == "—" {
			continue // this patient has no such identifier
		}
		r := c.get("/app/patients?q=" + url.QueryEscape(tt.q))
		mustContain(t, tt.what+" "+tt.q, r, 200, tt.kind, "/app/patients/"+id)
	}
}

// foldASCII strips Vietnamese diacritics the way a hurried typist would.
func foldASCII(s string) string {
	r := strings.NewReplacer("ễ", "e", "ế", "e", "ề", "e", "ể", "e", "ệ", "e", "ê", "e", "é", "e", "è", "e", "ẻ", "e", "ẽ", "e", "ẹ", "e",
		"ă", "a", "â", "a", "á", "a", "à", "a", "ả", "a", "ã", "a", "ạ", "a", "ấ", "a", "ầ", "a", "ẩ", "a", "ẫ", "a", "ậ", "a", "ắ", "a", "ằ", "a", "ẳ", "a", "ẵ", "a", "ặ", "a",
		"ô", "o", "ơ", "o", "ó", "o", "ò", "o", "ỏ", "o", "õ", "o", "ọ", "o", "ố", "o", "ồ", "o", "ổ", "o", "ỗ", "o", "ộ", "o", "ớ", "o", "ờ", "o", "ở", "o", "ỡ", "o", "ợ", "o",
		"ư", "u", "ú", "u", "ù", "u", "ủ", "u", "ũ", "u", "ụ", "u", "ứ", "u", "ừ", "u", "ử", "u", "ữ", "u", "ự", "u",
		"í", "i", "ì", "i", "ỉ", "i", "ĩ", "i", "ị", "i", "ý", "y", "ỳ", "y", "ỷ", "y", "ỹ", "y", "ỵ", "y", "đ", "d", "Đ", "D")
	return r.Replace(s)
}

func TestPatientPages(t *testing.T) {
	a := testApp(t)
	for _, tt := range []struct {
		lang  string
		wants map[string][]string
	}{
		{"vi", map[string][]string{
			"/me":           {"Chào ", "Hôm nay", "Đã uống", `rel="manifest"`},
			"/me/missed":    {"Liều đã quên (7 ngày)"},
			"/me/medicines": {"Thuốc của tôi", "Uống "},
			"/me/results":   {"Kết quả của tôi"},
			"/me/access":    {"Ai đã xem hồ sơ của tôi"},
		}},
		{"en", map[string][]string{
			"/me":           {"Hello, ", "Today", "Taken"},
			"/me/missed":    {"Missed doses (7 days)"},
			"/me/medicines": {"My medicines", "Take "},
			"/me/results":   {"My results"},
			"/me/access":    {"Who viewed my record"},
		}},
	} {
		c := newClient(t, a, tt.lang)
		c.signInPatient(patientOnMeds(t, c), "patient")
		for path, wants := range tt.wants {
			mustContain(t, tt.lang+" "+path, c.get(path), 200, append(wants, `lang="`+tt.lang+`"`)...)
		}
	}
}

// Slow connections: the patient app's pages stay small.
func TestPatientPageSize(t *testing.T) {
	c := newClient(t, testApp(t), "vi")
	c.signInPatient(patientOnMeds(t, c), "patient")
	for _, p := range []string{"/me", "/me/medicines", "/me/missed", "/me/results"} {
		if n := len(c.get(p).body); n > 24<<10 {
			t.Errorf("%s is %d bytes, want < 24 KiB", p, n)
		}
	}
}

func TestLargeText(t *testing.T) {
	c := newClient(t, testApp(t), "vi")
	c.signInPatient(patientOnMeds(t, c), "patient")
	if strings.Contains(c.get("/me").body, `class="me large"`) {
		t.Fatal("large text before choosing it")
	}
	mustContain(t, "large", c.get("/me/text?back=/me"), 200, `class="me large"`, "Chữ thường")
}
