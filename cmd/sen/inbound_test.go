package main

// The conversational check-in through the real server handler (openApp
// with sign-in, access control and audit on): the patient app's chat,
// the SMS gateway's callback and the Zalo OA webhook each record a
// message through alert.Scanner.CheckIn, keep the turn, raise the care
// team's alerts and answer on their medium; bad senders, bad secrets and
// bad bodies write nothing.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/chat"
	"github.com/sen-emr/sen/internal/clinical/alert"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/i18n"
	"github.com/sen-emr/sen/internal/reminder"
	"github.com/sen-emr/sen/internal/search"
)

// gateway is a fake HTTP gateway recording what it is sent.
type gateway struct {
	mu     sync.Mutex
	posts  []map[string]any
	answer string
	srv    *httptest.Server
}

func newGateway(tb testing.TB, answer string) *gateway {
	g := &gateway{answer: answer}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		g.mu.Lock()
		g.posts = append(g.posts, m)
		g.mu.Unlock()
		io.WriteString(w, g.answer)
	}))
	tb.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) sent() []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]map[string]any(nil), g.posts...)
}

const (
	inboundSMSSecret = "sms-s3cret"
	inboundZaloApp   = "2553928453557884079"
	inboundZaloKey   = "oa-s3cret"
)

// The clock: Monday 30 June 2025, 19:05 in Hà Nội. Metformin is due at
// 07:00 and 19:00, Amlodipin at 08:00.
var inboundNow = time.Date(2025, 6, 30, 19, 5, 0, 0, vnLoc())

type inboundApp struct {
	*testApp
	sms, zalo *gateway
}

func newInboundApp(tb testing.TB) *inboundApp {
	tb.Helper()
	sms := newGateway(tb, `{"status":"queued","id":"sms-1"}`)
	zalo := newGateway(tb, `{"error":0,"message":"Success","data":{"message_id":"z-1","user_id":"zu-1"}}`)
	a := newTestApp(tb, func(f *serverFlags) {
		f.appClock = func() time.Time { return inboundNow }
		f.channels = defaultChannelFlags()
		f.channels.smsURL, f.channels.zaloToken, f.channels.zaloTemplate = sms.srv.URL+"/send", "zalo-token", "301122"
		f.inbound = inboundFlags{smsSecret: inboundSMSSecret, zaloSecret: inboundZaloKey, zaloAppID: inboundZaloApp,
			zaloCSURL: zalo.srv.URL + "/v3.0/oa/message/cs", missedInARow: 3, window: dayDuration(14 * 24 * time.Hour)}
	})
	a.put(tb,
		`{"resourceType":"Patient","id":"p1","name":[{"family":"Nguyễn","given":["Văn","An"]}],
		"telecom":[{"system":"phone","value":"0912 000 001","use":"mobile"}],
		"identifier":[{"system":"`+chat.SystemZaloUser+`","value":"zu-1"}],
		"extension":[{"url":"`+reminder.ExtReminders+`","valueBoolean":true}]}`,
		`{"resourceType":"CareTeam","id":"ct1","status":"active","subject":{"reference":"Patient/p1"}}`,
		`{"resourceType":"MedicationRequest","id":"r1","status":"active","intent":"order","subject":{"reference":"Patient/p1"},"authoredOn":"2025-06-01",
		"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01"}],"text":"Amlodipin 5 mg"},
		"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00"],"boundsPeriod":{"start":"2025-06-01"}}}}]}`,
		`{"resourceType":"MedicationRequest","id":"r2","status":"active","intent":"order","subject":{"reference":"Patient/p1"},"authoredOn":"2025-06-01",
		"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"A10BA02"}],"text":"Metformin 500 mg"},
		"dosageInstruction":[{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","timeOfDay":["07:00:00","19:00:00"],"boundsPeriod":{"start":"2025-06-01"}}}}]}`,
		// Two people sharing one number, recorded in two forms.
		`{"resourceType":"Patient","id":"p2","telecom":[{"system":"phone","value":"+84987000002"}]}`,
		`{"resourceType":"Patient","id":"p3","telecom":[{"system":"phone","value":"0987000002"}]}`,
		`{"resourceType":"MedicationRequest","id":"r3","status":"active","intent":"order","subject":{"reference":"Patient/p2"},"authoredOn":"2025-06-01",
		"medicationCodeableConcept":{"text":"Losartan 50 mg"},
		"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["19:00:00"],"boundsPeriod":{"start":"2025-06-01"}}}}]}`)
	return &inboundApp{testApp: a, sms: sms, zalo: zalo}
}

// find returns the resources of typ matching params (read directly from
// the store).
func (a *inboundApp) find(tb testing.TB, typ string, params url.Values) []map[string]any {
	tb.Helper()
	p := url.Values{"_count": {"500"}}
	for k, v := range params {
		p[k] = v
	}
	q, err := search.ParseQuery(r4.Load(), typ, p, false)
	if err != nil {
		tb.Fatal(err)
	}
	page, err := a.store.Search(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	var out []map[string]any
	for _, r := range page.Resources {
		var m map[string]any
		if err := json.Unmarshal(r.JSON, &m); err != nil {
			tb.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// clinical counts what check-ins may write for a patient, apart from
// the conversation itself.
func (a *inboundApp) clinical(tb testing.TB, patient string) map[string]int {
	tb.Helper()
	n := map[string]int{}
	subj := url.Values{"subject": {"Patient/" + patient}}
	n["MedicationAdministration"] = len(a.find(tb, "MedicationAdministration", subj))
	for _, c := range a.find(tb, "Communication", subj) {
		if !strings.Contains(fmt.Sprint(c["category"]), chat.SystemConversation) {
			n["Communication"]++
		}
	}
	n["Flag"] = len(a.find(tb, "Flag", subj))
	n["Task"] = len(a.find(tb, "Task", url.Values{"patient": {"Patient/" + patient}}))
	return n
}

func (a *inboundApp) turns(tb testing.TB, patient string) []map[string]any {
	tb.Helper()
	return a.find(tb, "Communication", url.Values{"subject": {"Patient/" + patient}, "category": {chat.SystemConversation + "|"}, "_sort": {"sent"}})
}

// signInPatient adds a patient account for Patient/p1 and signs it in
// to the patient app; the client keeps the session cookie and does not
// follow redirects.
func (a *inboundApp) signInPatient(tb testing.TB) *http.Client {
	tb.Helper()
	hash, _ := auth.HashPassword("mat-khau-rat-dai")
	if err := a.sec.acc.AddUser(context.Background(), &auth.User{Username: "an", Name: "Nguyễn Văn An", Role: auth.RolePatient,
		FHIRUser: "Patient/p1", Patients: []string{"p1"}, PasswordHash: hash}); err != nil {
		tb.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(a.srv.URL+"/me/signin", url.Values{"username": {"an"}, "password": {"mat-khau-rat-dai"}, "next": {"/me/chat"}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign-in: %d", resp.StatusCode)
	}
	return c
}

func say(tb testing.TB, c *http.Client, base, text string, cookies ...*http.Cookie) *http.Response {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/me/chat", strings.NewReader(url.Values{"text": {text}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestWebChatCheckIn(t *testing.T) {
	a := newInboundApp(t)
	c := a.signInPatient(t)
	en := &http.Cookie{Name: i18n.CookieName, Value: "en"}
	type want struct {
		status    string // MedicationAdministration status, "" for none
		drug      string // its ATC code
		effective string
		comm      string // check-in Communication category code, "" for none
		reply     string // part of Sen's answer
	}
	steps := []struct {
		name string
		text string
		en   bool
		want want
	}{
		{"missed last night: the evening medicine", "quên uống tối qua", false,
			want{"not-done", "A10BA02", "2025-06-29T18:30:00+07:00", "", "Sen đã ghi nhận bác chưa uống liều này"}},
		{"taken now: the dose due now", "uống rồi", false,
			want{"completed", "A10BA02", "2025-06-30T19:05:00+07:00", "", "Cảm ơn bác đã xác nhận uống thuốc"}},
		{"named medicine, in English", "took my amlodipin this morning", true,
			want{"completed", "C08CA01", "2025-06-30T07:00:00+07:00", "", "Thank you for confirming your dose"}},
		{"side effect", "bị ho khan từ khi uống amlodipin", false,
			want{"", "", "", "side-effect", "Sen đã chuyển thông tin \"Ho khan\" cho bác sĩ"}},
		{"two medicines due this morning: Sen asks", "đã uống sáng nay", false,
			want{"", "", "", "", "Bác đang nói về thuốc nào ạ?"}},
		{"emoji and another script: not understood", "👍👍 咳嗽", false,
			want{"", "", "", "", "Xin lỗi, Sen chưa hiểu tin nhắn"}},
	}
	before := a.clinical(t, "p1")
	for i, st := range steps {
		var cookies []*http.Cookie
		if st.en {
			cookies = append(cookies, en)
		}
		resp := say(t, c, a.srv.URL, st.text, cookies...)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/me/chat?sent=1") {
			t.Fatalf("%s: POST /me/chat: %d %s", st.name, resp.StatusCode, resp.Header.Get("Location"))
		}
		turns := a.turns(t, "p1")
		if len(turns) != 2*(i+1) {
			t.Fatalf("%s: %d conversation Communications, want %d", st.name, len(turns), 2*(i+1))
		}
		msg, reply := turns[len(turns)-2], turns[len(turns)-1]
		if !strings.Contains(fmt.Sprint(msg["payload"]), st.text) || !strings.Contains(fmt.Sprint(reply["payload"]), st.want.reply) {
			t.Errorf("%s: turn %v → %v", st.name, msg["payload"], reply["payload"])
		}
		after := a.clinical(t, "p1")
		var refs []string
		for _, ab := range asList(msg["about"]) {
			refs = append(refs, fmt.Sprint(ab.(map[string]any)["reference"]))
		}
		switch {
		case st.want.status != "":
			if after["MedicationAdministration"] != before["MedicationAdministration"]+1 || len(refs) != 1 || !strings.HasPrefix(refs[0], "MedicationAdministration/") {
				t.Fatalf("%s: administrations %d → %d, about %v", st.name, before["MedicationAdministration"], after["MedicationAdministration"], refs)
			}
			ma := a.find(t, "MedicationAdministration", url.Values{"_id": {strings.TrimPrefix(refs[0], "MedicationAdministration/")}})[0]
			if ma["status"] != st.want.status || ma["effectiveDateTime"] != st.want.effective || !strings.Contains(fmt.Sprint(ma["medicationCodeableConcept"]), st.want.drug) {
				t.Errorf("%s: %v %v %v", st.name, ma["status"], ma["effectiveDateTime"], ma["medicationCodeableConcept"])
			}
		case st.want.comm != "":
			if after["Communication"] != before["Communication"]+1 || len(refs) != 1 {
				t.Fatalf("%s: check-in Communications %d → %d, about %v", st.name, before["Communication"], after["Communication"], refs)
			}
		default:
			if fmt.Sprint(after) != fmt.Sprint(before) || len(refs) != 0 {
				t.Errorf("%s: recorded something: %v → %v, about %v", st.name, before, after, refs)
			}
		}
		before = after
	}
	// The side effect reached the care team at once: a Flag and a Task
	// naming the medicine, owned by the care team.
	flags := a.find(t, "Flag", url.Values{"subject": {"Patient/p1"}, "code": {alert.SystemKind + "|side-effect"}})
	tasks := a.find(t, "Task", url.Values{"patient": {"Patient/p1"}, "code": {alert.SystemKind + "|side-effect"}})
	if len(flags) != 1 || len(tasks) != 1 || !strings.Contains(fmt.Sprint(flags[0]["code"]), "Amlodipin") ||
		fmt.Sprint(tasks[0]["owner"]) != "map[reference:CareTeam/ct1]" {
		t.Errorf("side-effect alert: flags %v tasks %v", flags, tasks)
	}
	se := a.find(t, "Communication", url.Values{"subject": {"Patient/p1"}, "category": {chat.SystemCheckIn + "|side-effect"}})
	if len(se) != 1 || !strings.Contains(fmt.Sprint(se[0]["reasonCode"]), "dry-cough") || !strings.Contains(fmt.Sprint(se[0]["topic"]), "C08CA01") {
		t.Errorf("side-effect report: %v", se)
	}

	// The page shows the conversation in order, with the answers.
	resp, err := c.Get(a.srv.URL + "/me/chat")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(page)
	if resp.StatusCode != 200 || strings.Count(body, `class="mine"`) != 6 || strings.Count(body, `class="sen"`) != 6 {
		t.Fatalf("GET /me/chat: %d\n%s", resp.StatusCode, body)
	}
	order := []string{"quên uống tối qua", "Sen đã ghi nhận bác chưa uống", "uống rồi", "took my amlodipin", "Thank you for confirming", "bị ho khan", "đã uống sáng nay", "Metformin 500 mg"}
	last := 0
	for _, s := range order {
		i := strings.Index(body[last:], s)
		if i < 0 {
			t.Fatalf("the page lacks %q after position %d", s, last)
		}
		last += i
	}
	if !strings.Contains(body, "Đã ghi vào hồ sơ") {
		t.Error("the page does not mark recorded messages")
	}
	// The page read the conversation as the patient, and it was audited.
	read := 0
	for _, e := range a.auditEvents(t, `"code":"web-view"`) {
		if strings.Contains(e, `"who":{"reference":"Patient/p1"`) && strings.Contains(e, `"Communication/`) {
			read++
		}
	}
	if read == 0 {
		t.Error("no AuditEvent of the patient reading the conversation")
	}

	// Empty and whitespace-only messages write nothing.
	n := len(a.turns(t, "p1"))
	if resp := say(t, c, a.srv.URL, "  \n "); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "empty=1") {
		t.Errorf("empty message: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if len(a.turns(t, "p1")) != n {
		t.Error("an empty message was kept")
	}
	// A patient cannot speak for someone else: the "acting for" cookie
	// naming another patient is ignored.
	say(t, c, a.srv.URL, "uống rồi", &http.Cookie{Name: "sen_for", Value: "p2"})
	if got := a.clinical(t, "p2"); got["MedicationAdministration"] != 0 || len(a.turns(t, "p2")) != 0 {
		t.Errorf("a message was recorded for Patient/p2: %v", got)
	}
	// Without a session: sign-in, nothing recorded.
	resp, err = http.Post(a.srv.URL+"/me/chat", "application/x-www-form-urlencoded", strings.NewReader("text=u%E1%BB%91ng+r%E1%BB%93i"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/me/signin" {
		t.Errorf("anonymous POST /me/chat ended at %s", resp.Request.URL)
	}
	// A form over the size limit is refused.
	big := say(t, c, a.srv.URL, strings.Repeat("ho ", 30000))
	if big.StatusCode != http.StatusBadRequest {
		t.Errorf("huge form: %d, want 400", big.StatusCode)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// postHook sends a webhook call and decodes the JSON answer.
func postHook(tb testing.TB, url_, ctype string, hdr map[string]string, body []byte) (int, map[string]any) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, url_, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestSMSWebhook(t *testing.T) {
	a := newInboundApp(t)
	ok := map[string]string{"X-Sen-Secret": inboundSMSSecret}
	tests := []struct {
		name       string
		hdr        map[string]string
		ctype      string
		body       string
		code       int
		status     string // the answer's status, or OperationOutcome for errors
		patient    string // whose record changes ("" none)
		administr  int    // administrations added for patient
		turns      int    // conversation Communications added for patient
		smsTo      string // the number answered ("" none)
		smsContain string
	}{
		{"taken, JSON, E.164 sender", ok, "application/json", `{"from":"+84912000001","text":"uong roi","id":"gw-1"}`,
			200, "recorded", "p1", 1, 2, "84912000001", "Cam on bac da xac nhan uong thuoc"},
		{"the gateway delivers the same message again", ok, "application/json", `{"from":"+84912000001","text":"uong roi","id":"gw-1"}`,
			200, "duplicate", "p1", 0, 0, "", ""},
		{"menu answer 2 by form, national number", ok, "application/x-www-form-urlencoded", "from=0912000001&text=2&id=gw-2",
			200, "recorded", "p1", 1, 2, "84912000001", "Sen da ghi nhan bac chua uong"},
		{"wrong secret", map[string]string{"X-Sen-Secret": "guess"}, "application/json", `{"from":"0912000001","text":"uong roi","id":"gw-3"}`,
			401, "OperationOutcome", "", 0, 0, "", ""},
		{"no secret", nil, "application/json", `{"from":"0912000001","text":"uong roi","id":"gw-4"}`,
			401, "OperationOutcome", "", 0, 0, "", ""},
		{"unknown number", ok, "application/json", `{"from":"0933000009","text":"uong roi","id":"gw-5"}`,
			200, "unknown-sender", "", 0, 0, "84933000009", "chua tim thay ho so"},
		{"two patients share the number", ok, "application/json", `{"from":"0987 000 002","text":"quen uong","id":"gw-6"}`,
			200, "ambiguous-sender", "", 0, 0, "84987000002", "gan voi nhieu ho so"},
		{"not a mobile number", ok, "application/json", `{"from":"024 3825 1234","text":"uong roi"}`,
			200, "unknown-sender", "", 0, 0, "", ""},
		{"emoji only: answered, nothing recorded", ok, "application/json", `{"from":"0912000001","text":"🙏🙏🙏","id":"gw-7"}`,
			200, "answered", "p1", 0, 2, "84912000001", "Xin loi, Sen chua hieu"},
		{"empty text: the help text", ok, "application/json", `{"from":"0912000001","text":"","id":"gw-8"}`,
			200, "answered", "p1", 0, 2, "84912000001", "Tra loi 1 neu da uong"},
		{"long text in another script", ok, "application/json", `{"from":"0912000001","text":"` + strings.Repeat("Я кашляю ", 400) + `","id":"gw-9"}`,
			200, "answered", "p1", 0, 2, "84912000001", ""},
		{"not JSON", ok, "application/json", `from=0912000001`, 400, "OperationOutcome", "", 0, 0, "", ""},
		{"no sender", ok, "application/json", `{"text":"uong roi"}`, 400, "OperationOutcome", "", 0, 0, "", ""},
		{"huge body", ok, "application/json", `{"from":"0912000001","text":"` + strings.Repeat("a", 70<<10) + `"}`,
			413, "OperationOutcome", "", 0, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			beforeAdm := map[string]int{}
			beforeTurns := map[string]int{}
			for _, p := range []string{"p1", "p2", "p3"} {
				beforeAdm[p] = a.clinical(t, p)["MedicationAdministration"]
				beforeTurns[p] = len(a.turns(t, p))
			}
			sent := len(a.sms.sent())
			code, ans := postHook(t, a.srv.URL+"/hooks/sms", tt.ctype, tt.hdr, []byte(tt.body))
			got := fmt.Sprint(ans["status"])
			if tt.status == "OperationOutcome" {
				got = fmt.Sprint(ans["resourceType"])
			}
			if code != tt.code || got != tt.status {
				t.Fatalf("answer %d %v, want %d %s", code, ans, tt.code, tt.status)
			}
			for _, p := range []string{"p1", "p2", "p3"} {
				wantAdm, wantTurns := beforeAdm[p], beforeTurns[p]
				if p == tt.patient {
					wantAdm += tt.administr
					wantTurns += tt.turns
				}
				if n := a.clinical(t, p)["MedicationAdministration"]; n != wantAdm {
					t.Errorf("Patient/%s: %d administrations, want %d", p, n, wantAdm)
				}
				if n := len(a.turns(t, p)); n != wantTurns {
					t.Errorf("Patient/%s: %d conversation Communications, want %d", p, n, wantTurns)
				}
			}
			posts := a.sms.sent()[sent:]
			if tt.smsTo == "" {
				if len(posts) != 0 {
					t.Errorf("answered by SMS: %v", posts)
				}
				return
			}
			if len(posts) != 1 || posts[0]["to"] != tt.smsTo || !strings.Contains(fmt.Sprint(posts[0]["text"]), tt.smsContain) || ans["delivered"] != true {
				t.Errorf("SMS answers %v (delivered %v), want one to %s containing %q", posts, ans["delivered"], tt.smsTo, tt.smsContain)
			}
		})
	}
	// The kept text is cut, never lost whole.
	turns := a.turns(t, "p1")
	for _, c := range turns {
		if s := fmt.Sprint(c["payload"]); strings.Contains(s, "Я кашляю") && (len([]rune(s)) > chat.MaxStoredRunes+40 || !strings.Contains(s, "…")) {
			t.Errorf("long message kept as %d runes", len([]rune(s)))
		}
	}
}

func zaloEvent(user, text, msgID string) []byte {
	return []byte(fmt.Sprintf(`{"app_id":%q,"event_name":"user_send_text","sender":{"id":%q},"recipient":{"id":"3662729599332560487"},`+
		`"message":{"text":%q,"msg_id":%q},"timestamp":"1751285100000","user_id_by_app":"979122185046046317"}`, inboundZaloApp, user, text, msgID))
}

func zaloMAC(body []byte, secret string) string {
	sum := sha256.Sum256([]byte(inboundZaloApp + string(body) + "1751285100000" + secret))
	return "mac=" + hex.EncodeToString(sum[:])
}

func TestZaloWebhook(t *testing.T) {
	a := newInboundApp(t)
	side := zaloEvent("zu-1", "bị chóng mặt quá", "zm-1")
	code, ans := postHook(t, a.srv.URL+"/hooks/zalo", "application/json", map[string]string{"X-ZEvent-Signature": zaloMAC(side, inboundZaloKey)}, side)
	if code != 200 || ans["status"] != "recorded" || ans["intent"] != "side-effect" || ans["delivered"] != true {
		t.Fatalf("side effect by Zalo: %d %v", code, ans)
	}
	posts := a.zalo.sent()
	if len(posts) != 1 || fmt.Sprint(posts[0]["recipient"]) != "map[user_id:zu-1]" || !strings.Contains(fmt.Sprint(posts[0]["message"]), "Chóng mặt") {
		t.Errorf("Zalo answers: %v", posts)
	}
	if n := a.clinical(t, "p1"); n["Communication"] != 1 || n["Flag"] != 1 || n["Task"] != 1 {
		t.Errorf("after the side effect: %v, want its report, a Flag and a Task", n)
	}
	turns := a.turns(t, "p1")
	if len(turns) != 2 || !strings.Contains(fmt.Sprint(turns[0]["identifier"]), "zm-1") || !strings.Contains(fmt.Sprint(turns[0]["medium"]), "zalo") {
		t.Errorf("turn: %v", turns)
	}

	bad := []struct {
		name string
		body []byte
		sig  string
	}{
		{"wrong key", zaloEvent("zu-1", "uống rồi", "zm-2"), zaloMAC(zaloEvent("zu-1", "uống rồi", "zm-2"), "guess")},
		{"body altered after signing", zaloEvent("zu-1", "uống rồi", "zm-3"), zaloMAC(zaloEvent("zu-1", "quên uống", "zm-3"), inboundZaloKey)},
		{"no signature", zaloEvent("zu-1", "uống rồi", "zm-4"), ""},
	}
	for _, b := range bad {
		code, ans := postHook(t, a.srv.URL+"/hooks/zalo", "application/json", map[string]string{"X-ZEvent-Signature": b.sig}, b.body)
		if code != 401 || ans["resourceType"] != "OperationOutcome" {
			t.Errorf("%s: %d %v, want 401", b.name, code, ans)
		}
	}
	if n := a.clinical(t, "p1"); n["MedicationAdministration"] != 0 || len(a.turns(t, "p1")) != 2 || len(a.zalo.sent()) != 1 {
		t.Errorf("a refused event wrote or answered: %v", n)
	}
	// An account linked to no patient: a polite answer, nothing written.
	stranger := zaloEvent("zu-9", "uống rồi", "zm-5")
	code, ans = postHook(t, a.srv.URL+"/hooks/zalo", "application/json", map[string]string{"X-ZEvent-Signature": zaloMAC(stranger, inboundZaloKey)}, stranger)
	if code != 200 || ans["status"] != "unknown-sender" || len(a.zalo.sent()) != 2 {
		t.Errorf("unknown Zalo user: %d %v", code, ans)
	}
	// Other events are acknowledged and ignored.
	follow := []byte(`{"app_id":"` + inboundZaloApp + `","event_name":"follow","follower":{"id":"zu-1"},"timestamp":"1751285100000"}`)
	code, ans = postHook(t, a.srv.URL+"/hooks/zalo", "application/json", map[string]string{"X-ZEvent-Signature": zaloMAC(follow, inboundZaloKey)}, follow)
	if code != 200 || ans["status"] != "ignored" {
		t.Errorf("follow event: %d %v", code, ans)
	}
	if len(a.turns(t, "p1")) != 2 {
		t.Error("an ignored event was kept")
	}
}

// "DUNG" stops reminders and "BAT" starts them again, as Sen's answers
// promise.
func TestSMSStopStart(t *testing.T) {
	a := newInboundApp(t)
	enrolled := func() bool {
		p := a.find(t, "Patient", url.Values{"_id": {"p1"}})[0]
		b, _ := json.Marshal(p)
		e, _ := reminder.ReadEnrolment(b)
		return e.Enrolled
	}
	for i, step := range []struct {
		text  string
		on    bool
		reply string
	}{{"DUNG", false, "Sen se ngung gui nhac"}, {"bật", true, "Sen se nhac bac uong thuoc tro lai"}} {
		body := fmt.Sprintf(`{"from":"0912000001","text":%q,"id":"s-%d"}`, step.text, i)
		code, ans := postHook(t, a.srv.URL+"/hooks/sms", "application/json", map[string]string{"X-Sen-Secret": inboundSMSSecret}, []byte(body))
		if code != 200 || enrolled() != step.on || !strings.Contains(fmt.Sprint(a.sms.sent()[i]["text"]), step.reply) {
			t.Errorf("%s: %d %v, enrolled %v, sent %v", step.text, code, ans, enrolled(), a.sms.sent())
		}
	}
}

func TestInboundFlags(t *testing.T) {
	tests := []struct {
		name string
		f    inboundFlags
		err  string
	}{
		{"zero value", inboundFlags{}, ""},
		{"alerts off", inboundFlags{missedInARow: 0, window: dayDuration(72 * time.Hour)}, ""},
		{"negative N", inboundFlags{missedInARow: -1}, "--missed-doses-alert"},
		{"window too short", inboundFlags{window: dayDuration(time.Minute)}, "--alert-window"},
		{"bad auth", inboundFlags{smsAuth: "basic"}, "--sms-inbound-auth"},
		{"secret without app id", inboundFlags{zaloSecret: "k"}, "--zalo-app-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openInbound(&tt.f, nil, chat.Classifier{}, "", http.NotFoundHandler(), nil, nil)
			if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
				t.Errorf("openInbound: %v, want %q", err, tt.err)
			}
		})
	}
	var d dayDuration
	for in, want := range map[string]time.Duration{"14d": 14 * 24 * time.Hour, "72h": 72 * time.Hour, "1d": 24 * time.Hour} {
		if err := d.Set(in); err != nil || time.Duration(d) != want {
			t.Errorf("Set(%q) = %v, %v", in, time.Duration(d), err)
		}
	}
	for _, in := range []string{"d", "1.5d", "two weeks", "-d"} {
		if err := d.Set(in); err == nil {
			t.Errorf("Set(%q) accepted", in)
		}
	}
	d = dayDuration(14 * 24 * time.Hour)
	if d.String() != "14d" {
		t.Errorf("String = %s", d.String())
	}
}

// sen config shows the check-in settings and hides their secrets.
func TestInboundConfigRedacted(t *testing.T) {
	for k, v := range map[string]string{"SEN_SMS_INBOUND_SECRET": "in-s3cret", "SEN_ZALO_OA_SECRET": "oa-s3cret", "SEN_ZALO_APP_ID": "2553928453557884079",
		"SEN_MISSED_DOSES_ALERT": "4", "SEN_ALERT_WINDOW": "21d"} {
		t.Setenv(k, v)
	}
	out, err := runCmd(t, "config")
	if err != nil {
		t.Fatalf("sen config: %v\n%s", err, out)
	}
	if strings.Contains(out, "in-s3cret") || strings.Contains(out, "oa-s3cret") {
		t.Errorf("sen config printed a secret:\n%s", out)
	}
	for _, want := range []string{"sms-inbound-secret", "xxxxx", "zalo-app-id", "2553928453557884079", "missed-doses-alert", "alert-window", "21d", "sms-inbound-auth"} {
		if !strings.Contains(out, want) {
			t.Errorf("sen config lacks %q", want)
		}
	}
}
