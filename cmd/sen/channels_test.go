package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/reminder"
	"github.com/sen-emr/sen/internal/search"
)

func defaultChannelFlags() channelFlags {
	return channelFlags{smsKeyHeader: "Authorization", zaloURL: reminder.ZaloEndpoint, pushHosts: reminder.DefaultPushHosts}
}

func TestOpenChannels(t *testing.T) {
	key := mustKey(t)
	tests := []struct {
		name   string
		edit   func(*channelFlags)
		err    string // substring, "" for success
		banner string // substring of the start-up line
	}{
		{"none: log only", nil, "", "No reminder channel configured"},
		{"sms", func(f *channelFlags) { f.smsURL = "https://sms.example.vn/send" }, "", "Reminders go out by: sms"},
		{"all three, in fallback order", func(f *channelFlags) {
			f.smsURL, f.zaloToken, f.zaloTemplate, f.vapidSubject = "https://sms.example.vn/send", "tok", "301122", "mailto:ops@benhvien.vn"
		}, "", "push → zalo → sms"},
		{"given VAPID key", func(f *channelFlags) { f.vapidSubject, f.vapidPrivateKey = "https://benhvien.vn", key.Private }, "", "by: push"},
		{"zalo without template", func(f *channelFlags) { f.zaloToken = "tok" }, "--zalo-template", ""},
		{"bad sms url", func(f *channelFlags) { f.smsURL = "sms.example.vn" }, "--sms-url", ""},
		{"bad zalo url", func(f *channelFlags) { f.zaloToken, f.zaloTemplate, f.zaloURL = "t", "1", "ftp://x" }, "--zalo-url", ""},
		{"bad vapid subject", func(f *channelFlags) { f.vapidSubject = "ops@benhvien.vn" }, "--vapid-subject", ""},
		{"bad vapid key", func(f *channelFlags) { f.vapidSubject, f.vapidPrivateKey = "mailto:a@b.vn", "not-a-key" }, "--vapid-private-key", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := defaultChannelFlags()
			if tt.edit != nil {
				tt.edit(&f)
			}
			c, err := openChannels(context.Background(), &f, t.TempDir(), slog.New(slog.DiscardHandler))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("openChannels: %v, want an error naming %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.close()
			b := c.banner()
			if !strings.Contains(b, tt.banner) || !strings.Contains(b, "nhắc") {
				t.Errorf("banner %q, want %q in Vietnamese and English", b, tt.banner)
			}
			if f.vapidPrivateKey != "" && (c.keys != key || c.web.PublicKey() != key.Public) {
				t.Errorf("keys %+v, want the given ones", c.keys)
			}
		})
	}
}

func mustKey(t testing.TB) reminder.VAPID {
	k, err := reminder.NewVAPID()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// VAPID keys are generated into the data directory on first start and
// kept; nothing secret reaches the output of sen config.
func TestChannelSecrets(t *testing.T) {
	dir := t.TempDir()
	f := defaultChannelFlags()
	f.vapidSubject = "mailto:ops@benhvien.vn"
	var keys []reminder.VAPID
	for range 2 {
		c, err := openChannels(context.Background(), &f, dir, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, c.keys)
		c.close()
	}
	if keys[0] != keys[1] || keys[0].Public == "" {
		t.Errorf("keys changed across restarts: %v", keys)
	}
	if fi, err := os.Stat(filepath.Join(dir, "vapid.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("vapid.json: %v %v", fi, err)
	}
	secrets := map[string]string{
		"SEN_SMS_KEY": "sms-s3cret", "SEN_ZALO_TOKEN": "zalo-s3cret", "SEN_VAPID_PRIVATE_KEY": keys[0].Private,
		"SEN_SMS_URL": "https://sms.example.vn/send?apikey=url-s3cret", "SEN_SMS_BRANDNAME": "BV-TINH",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	out, err := runCmd(t, "config")
	if err != nil {
		t.Fatalf("sen config: %v\n%s", err, out)
	}
	for k, v := range secrets {
		if k != "SEN_SMS_BRANDNAME" && strings.Contains(out, strings.TrimPrefix(v, "https://sms.example.vn/send?apikey=")) {
			t.Errorf("sen config printed %s", k)
		}
	}
	for _, want := range []string{"sms-key", "zalo-token", "vapid-private-key", "apikey=xxxxx", "BV-TINH", "vapid-subject", "push-hosts"} {
		if !strings.Contains(out, want) {
			t.Errorf("sen config lacks %q:\n%s", want, out)
		}
	}
}

// A serving Sen configured with an SMS gateway: the background loop
// plans the patient's 08:00 dose, sends the reminder through the HTTP
// transport to the (fake) gateway, and keeps the receipt as a
// Communication. The patient prefers Zalo, which is not configured.
func TestServeRemindsBySMS(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	var auth []string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		mu.Lock()
		got = append(got, m)
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		io.WriteString(w, `{"status":"queued","data":{"message_id":"gw-0001"}}`)
	}))
	defer gw.Close()
	now := func() time.Time { return time.Date(2025, 6, 30, 7, 50, 0, 0, vnLoc()) }
	a := newTestApp(t, func(f *serverFlags) {
		f.appClock = now
		f.channels = defaultChannelFlags()
		f.channels.smsURL, f.channels.smsKey, f.channels.smsBrandname = gw.URL+"/send", "k-s3cret", "SEN"
	})
	if b := a.chans.banner(); !strings.Contains(b, "qua / Reminders go out by: sms") || strings.Contains(b, "s3cret") {
		t.Errorf("start-up line %q", b)
	}
	a.put(t,
		`{"resourceType":"Patient","id":"p1","telecom":[{"system":"phone","value":"0912 000 001","use":"mobile"}],
		"extension":[{"url":"`+reminder.ExtReminders+`","valueBoolean":true},{"url":"`+reminder.ExtReminderChannel+`","valueCode":"zalo"}]}`,
		`{"resourceType":"MedicationRequest","id":"r1","status":"active","intent":"order","subject":{"reference":"Patient/p1"},
		"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01","display":"Amlodipin 5 mg"}]},
		"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00"],"boundsPeriod":{"start":"2025-06-01"}}}}]}`)
	ctx := context.Background()
	stop, err := a.jobs.start(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	q, err := search.ParseQuery(r4.Load(), "Communication", url.Values{"subject": {"Patient/p1"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	var comms []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && len(comms) == 0; time.Sleep(50 * time.Millisecond) {
		page, err := a.store.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Resources {
			comms = append(comms, string(r.JSON))
		}
	}
	stop()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("the gateway got %d messages, want 1: %v", len(got), got)
	}
	if got[0]["to"] != "84912000001" || got[0]["from"] != "SEN" || auth[0] != "Bearer k-s3cret" ||
		got[0]["text"] != "Sen nhac: den gio uong Amlodipin 5 mg luc 08:00. Tra loi 1 neu da uong, 2 neu chua." {
		t.Errorf("gateway got %v with Authorization %q", got[0], auth[0])
	}
	if len(comms) != 1 || !strings.Contains(comms[0], `"medium":[{"text":"sms"}]`) || !strings.Contains(comms[0], "gateway receipt gw-0001") {
		t.Errorf("receipts: %v", comms)
	}
}
