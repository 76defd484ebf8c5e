package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/record"
)

// smsGateway records the texts a fake SMS gateway was asked to send.
type smsGateway struct {
	mu   sync.Mutex
	sent []string
	srv  *httptest.Server
}

func newSMSGateway(tb testing.TB) *smsGateway {
	g := &smsGateway{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.sent = append(g.sent, string(b))
		g.mu.Unlock()
		io.WriteString(w, `{"status":"queued","data":{"message_id":"gw-1"}}`)
	}))
	tb.Cleanup(g.srv.Close)
	return g
}

func (g *smsGateway) texts() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.sent...)
}

var rxFixture = []string{
	`{"resourceType":"Patient","id":"p1","name":[{"text":"Nguyễn Văn An"}],"gender":"male","birthDate":"1960-05-01",
	  "identifier":[{"system":"https://sen-emr.github.io/fhir/sid/cccd","value":"001060012345"}],
	  "telecom":[{"system":"phone","value":"0912000001","use":"mobile"}]}`,
	`{"resourceType":"Patient","id":"p2","name":[{"text":"Trần Thị Bình"}],"gender":"female","birthDate":"1970-01-01",
	  "telecom":[{"system":"phone","value":"0912000002","use":"mobile"}]}`,
	`{"resourceType":"Practitioner","id":"dr","name":[{"text":"BS. Lê Hoa"}],"identifier":[{"system":"https://sen-emr.github.io/fhir/sid/cchn","value":"000123/BYT-CCHN"}]}`,
	`{"resourceType":"Condition","id":"htn","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
	  "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"I10"}],"text":"Tăng huyết áp"},"subject":{"reference":"Patient/p1"}}`,
	`{"resourceType":"Condition","id":"dm","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
	  "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"E11"}],"text":"Đái tháo đường"},"subject":{"reference":"Patient/p2"}}`,
}

func medRequest(id, patient, status string, days int) string {
	return `{"resourceType":"MedicationRequest","id":"` + id + `","status":"` + status + `","intent":"order",
	  "subject":{"reference":"Patient/` + patient + `"},"requester":{"reference":"Practitioner/dr"},"authoredOn":"2026-03-02T09:00:00+07:00",
	  "medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01","display":"Amlodipin 5 mg"}],"text":"Amlodipin 5 mg"},
	  "dosageInstruction":[{"text":"1 viên mỗi sáng"}],
	  "dispenseRequest":{"quantity":{"value":30,"unit":"viên"},"expectedSupplyDuration":{"value":` + itoa(int64(days)) + `,"unit":"ngày"}}}`
}

func openRxApp(t *testing.T, dir string, sms *smsGateway, now *time.Time) *testApp {
	t.Helper()
	a := newTestApp(t, func(f *serverFlags) {
		f.noAuth, f.dataDir = true, dir
		f.national = nationalFlags{facility: "01013", rxSystem: "fake"}
		f.channels = defaultChannelFlags()
		f.channels.smsURL = sms.srv.URL + "/send"
	})
	a.national.now = func() time.Time { return *now }
	return a
}

// A finalised prescription gets a national code as it is written, is
// submitted to the national system, and the code reaches the patient by
// SMS, once, across restarts; a draft gets nothing.
func TestEPrescriptionSubmittedAndTexted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sms := newSMSGateway(t)
	now := time.Now()
	a := openRxApp(t, dir, sms, &now)
	a.put(t, rxFixture...)
	prefer := map[string]string{"Prefer": "return=representation"}

	status, body := a.do(t, "PUT", "/fhir/MedicationRequest/rx1", "", prefer, medRequest("rx1", "p1", "active", 30))
	if status != 201 && status != 200 {
		t.Fatalf("PUT MedicationRequest: %d %s", status, body)
	}
	code1 := record.PrescriptionCodeOf([]byte(body))
	if !strings.HasPrefix(code1, "01013") || !strings.HasSuffix(code1, "-C") {
		t.Fatalf("the stored prescription carries code %q; body %s", code1, body)
	}
	// Two requests of one prescription in one transaction share a code.
	bundle := `{"resourceType":"Bundle","type":"transaction","entry":[
	  {"resource":` + medRequest("rx2", "p2", "active", 30) + `,"request":{"method":"PUT","url":"MedicationRequest/rx2"}},
	  {"resource":` + medRequest("rx3", "p2", "active", 20) + `,"request":{"method":"PUT","url":"MedicationRequest/rx3"}},
	  {"resource":` + medRequest("draft", "p2", "draft", 30) + `,"request":{"method":"PUT","url":"MedicationRequest/draft"}}]}`
	if status, body := a.do(t, "POST", "/fhir", "", nil, bundle); status != 200 {
		t.Fatalf("transaction: %d %s", status, body)
	}
	read := func(id string) string {
		r, err := a.store.Read(ctx, "MedicationRequest", id)
		if err != nil {
			t.Fatal(err)
		}
		return record.PrescriptionCodeOf(r.JSON)
	}
	code2 := read("rx2")
	if code2 == "" || code2 == code1 || read("rx3") != code2 {
		t.Fatalf("codes rx1 %q rx2 %q rx3 %q: want one shared new code for rx2 and rx3", code1, code2, read("rx3"))
	}
	if c := read("draft"); c != "" {
		t.Errorf("a draft got code %q", c)
	}
	// Rewriting a coded request keeps its code.
	if status, body := a.do(t, "PUT", "/fhir/MedicationRequest/rx1", "", prefer, strings.Replace(medRequest("rx1", "p1", "active", 30),
		`"intent":"order",`, `"intent":"order","groupIdentifier":{"system":"`+record.RxCodeSystem+`","value":"`+code1+`"},`, 1)); status != 200 ||
		record.PrescriptionCodeOf([]byte(body)) != code1 {
		t.Fatalf("update of a coded request: %d %s", status, body)
	}

	// The system is down for the first attempt; nothing has been sent
	// when the server stops.
	a.national.rx.(*record.FakePrescriptionSystem).FailFirst = 1
	if _, err := a.national.runner.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	firstRun := a.national.rx.(*record.FakePrescriptionSystem).Sent()
	a.close()

	// After a restart (a new process: a fresh fake system), the queued
	// work is done, once.
	now = now.Add(2 * time.Hour)
	b := openRxApp(t, dir, sms, &now)
	for range 3 {
		if _, err := b.national.runner.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sent := append(firstRun, b.national.rx.(*record.FakePrescriptionSystem).Sent()...)
	if len(sent) != 2 {
		t.Fatalf("%d prescriptions submitted, want 2: %+v", len(sent), sent)
	}
	lines := map[string]int{}
	for _, rx := range sent {
		lines[rx.MaDonThuoc] = len(rx.ThongTinDonThuoc)
		if len(rx.ChanDoan) == 0 || rx.MaCSKCB != "01013" || rx.HoTenBacSi != "BS. Lê Hoa" {
			t.Errorf("prescription %s: diagnoses %v, facility %q, doctor %q", rx.MaDonThuoc, rx.ChanDoan, rx.MaCSKCB, rx.HoTenBacSi)
		}
	}
	if lines[code1] != 1 || lines[code2] != 2 {
		t.Errorf("medicines per prescription %v, want %s:1 %s:2", lines, code1, code2)
	}
	texts := sms.texts()
	if len(texts) != 2 {
		t.Fatalf("%d texts sent, want 2: %v", len(texts), texts)
	}
	// The SMS channel writes Vietnamese without diacritics and numbers
	// in international form.
	for _, want := range []struct{ code, phone string }{{code1, "84912000001"}, {code2, "84912000002"}} {
		found := false
		for _, s := range texts {
			if strings.Contains(s, want.code) && strings.Contains(s, "Ma don thuoc") && strings.Contains(s, `"to":"`+want.phone+`"`) {
				found = true
			}
		}
		if !found {
			t.Errorf("no text with code %s to %s: %v", want.code, want.phone, texts)
		}
	}
	receipts, err := os.ReadFile(filepath.Join(dir, "record-receipts.jsonl"))
	if err != nil || !strings.Contains(string(receipts), code1) || !strings.Contains(string(receipts), code2) {
		t.Errorf("receipts: %v %s", err, receipts)
	}
	b.close()

	// Another restart repeats nothing: the sweep finds the same codes,
	// whose jobs are done.
	now = now.Add(time.Hour)
	c := openRxApp(t, dir, sms, &now)
	if _, err := c.national.runner.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.national.rx.(*record.FakePrescriptionSystem).Sent(); len(got) != 0 || len(sms.texts()) != 2 {
		t.Errorf("after a second restart: %d submissions, %d texts; want 0 and 2", len(got), len(sms.texts()))
	}
	for _, code := range []string{code1, code2} {
		j, err := c.national.queue.Get(ctx, jobRxNotify+":"+code)
		if err != nil || j.State != job.Done {
			t.Errorf("text job of %s: %+v %v", code, j, err)
		}
	}
}

// A prescription the record cannot support (no diagnosis, too long a
// supply) fails for good, with the reason kept on the job; nothing is sent.
func TestEPrescriptionIncomplete(t *testing.T) {
	ctx := context.Background()
	sms := newSMSGateway(t)
	now := time.Now()
	a := openRxApp(t, t.TempDir(), sms, &now)
	a.put(t, rxFixture...)
	a.put(t, `{"resourceType":"Patient","id":"p3","telecom":[{"system":"phone","value":"0912000003"}]}`)
	tests := []struct {
		name, id, patient string
		days              int
		wantErr           string
	}{
		{"no diagnosis", "nodx", "p3", 30, "no diagnosis"},
		{"over 30 days", "long", "p1", 60, "30-day limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := a.do(t, "PUT", "/fhir/MedicationRequest/"+tt.id, "", map[string]string{"Prefer": "return=representation"}, medRequest(tt.id, tt.patient, "active", tt.days))
			if status != 201 && status != 200 {
				t.Fatalf("PUT: %d %s", status, body)
			}
			code := record.PrescriptionCodeOf([]byte(body))
			if _, err := a.national.runner.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			j, err := a.national.queue.Get(ctx, jobRxSubmit+":"+code)
			if err != nil || j.State != job.Failed || !strings.Contains(j.LastError, tt.wantErr) {
				t.Errorf("job %+v, %v; want failed with %q", j, err, tt.wantErr)
			}
		})
	}
	if n := len(a.national.rx.(*record.FakePrescriptionSystem).Sent()); n != 0 || len(sms.texts()) != 0 {
		t.Errorf("%d submitted, %d texts; want none", n, len(sms.texts()))
	}
}

// A finished episode's summary is signed with the facility key and pushed
// until the platform acknowledges it, through the persistent queue.
func TestHealthBookPushedUntilAcknowledged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Now()
	open := func() *testApp {
		a := newTestApp(t, func(f *serverFlags) {
			f.noAuth, f.dataDir = true, dir
			f.sign.demo = true
			f.national = nationalFlags{facility: "01013", hbURL: "fake"}
		})
		a.national.now = func() time.Time { return now }
		return a
	}
	a := open()
	a.put(t, rxFixture...)
	enc := `{"resourceType":"Encounter","id":"e1","status":"in-progress","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"},"period":{"start":"2026-03-02T08:00:00+07:00"}}`
	if status, body := a.do(t, "PUT", "/fhir/Encounter/e1", "", nil, enc); status != 201 {
		t.Fatalf("PUT Encounter: %d %s", status, body)
	}
	if _, err := a.national.runner.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(a.national.hb.(*record.FakeHealthBook).Acknowledged()); n != 0 {
		t.Fatalf("an open episode was pushed (%d)", n)
	}
	a.put(t, `{"resourceType":"Condition","id":"c-e1","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"I10"}],"text":"Tăng huyết áp"},
	  "subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e1"}}`)
	finished := strings.Replace(strings.Replace(enc, "in-progress", "finished", 1), `"start":"2026-03-02T08:00:00+07:00"`,
		`"start":"2026-03-02T08:00:00+07:00","end":"2026-03-02T09:00:00+07:00"`, 1)
	if status, body := a.do(t, "PUT", "/fhir/Encounter/e1", "", nil, finished); status != 200 {
		t.Fatalf("finish Encounter: %d %s", status, body)
	}
	// The platform is down twice; the job is retried with backoff.
	hb := a.national.hb.(*record.FakeHealthBook)
	hb.FailFirst = 2
	for i := range 3 {
		if _, err := a.national.runner.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			a.close() // a restart in the middle loses nothing
			a = open()
			hb = a.national.hb.(*record.FakeHealthBook)
			hb.FailFirst = 1
		}
		now = now.Add(2 * time.Hour)
	}
	if got := hb.Acknowledged(); len(got) != 1 || got[0] != "e1" {
		t.Fatalf("acknowledged %v, want [e1]", got)
	}
	j, err := a.national.queue.Get(ctx, jobHealthBook+":Encounter/e1/2")
	if err != nil || j.State != job.Done || j.Attempts != 3 {
		t.Errorf("push job %+v, %v; want done after 3 attempts", j, err)
	}
	receipts, _ := os.ReadFile(filepath.Join(dir, "record-receipts.jsonl"))
	var last map[string]string
	lines := strings.Split(strings.TrimSpace(string(receipts)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last["kind"] != jobHealthBook || !strings.HasPrefix(last["receipt"], "HB-ACK-") {
		t.Errorf("receipt %v, %v", last, err)
	}
}

// --healthbook without a signing key, or either system without a
// facility code, is refused at start.
func TestNationalFlags(t *testing.T) {
	tests := []struct {
		name  string
		flags nationalFlags
		want  string
	}{
		{"health book without a key", nationalFlags{facility: "01013", hbURL: "fake"}, "--sign-key"},
		{"no facility code", nationalFlags{rxSystem: "fake"}, "--facility-code"},
		{"bad facility code", nationalFlags{facility: "01-13", rxSystem: "fake"}, "--facility-code"},
		{"bad system", nationalFlags{facility: "01013", rxSystem: "ftp://x"}, "--rx-system"},
		{"missing token file", nationalFlags{facility: "01013", rxSystem: "https://dtqg.example.vn/api", rxToken: "/nonexistent"}, "--rx-token-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openNational(context.Background(), &tt.flags, t.TempDir(), nil, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

// The health-book signature is a detached JWS over the summary without
// ChuKy, verifiable with the facility certificate; a changed summary fails.
func TestHealthBookSignatureVerifies(t *testing.T) {
	key, _, err := demoKey(filepath.Join(t.TempDir(), "k.p12"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	n := &nationalSending{key: key}
	ep := &record.HealthBookEpisode{MaDinhDanh: "001060012345", Dot: record.DotDieuTri{MaDot: "e1"}, TomTat: "I10 Tăng huyết áp"}
	if err := record.SignHealthBook(ep, n.signJWS); err != nil {
		t.Fatal(err)
	}
	verify := func(e *record.HealthBookEpisode) error {
		payload, err := e.SignedPayload()
		if err != nil {
			return err
		}
		obj, err := jose.ParseDetached(e.ChuKy, payload, []jose.SignatureAlgorithm{key.Alg})
		if err != nil {
			return err
		}
		if len(obj.Signatures) != 1 || !hasX5C(e.ChuKy) {
			return errors.New("no x5c chain in the header")
		}
		_, err = obj.Verify(key.Chain[0].PublicKey)
		return err
	}
	if err := verify(ep); err != nil {
		t.Fatalf("the signature does not verify: %v", err)
	}
	tampered := *ep
	tampered.TomTat = "E11 Đái tháo đường"
	if err := verify(&tampered); err == nil {
		t.Error("a changed summary verified")
	}
}

// hasX5C reports whether a compact JWS's protected header carries x5c.
func hasX5C(jws string) bool {
	h, _, _ := strings.Cut(jws, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return false
	}
	var hdr struct {
		X5C []string `json:"x5c"`
	}
	return json.Unmarshal(b, &hdr) == nil && len(hdr.X5C) > 0
}
