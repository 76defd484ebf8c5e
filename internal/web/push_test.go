package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/web"
	"github.com/sen-emr/sen/internal/web/webtest"
)

// fakePush records subscriptions; endpoints containing "bad" are refused.
type fakePush struct {
	mu   sync.Mutex
	subs map[string][]string // patient → "endpoint p256dh auth"
}

func (*fakePush) PublicKey() string { return "BPubKeyForTests" }

func (f *fakePush) Subscribe(_ context.Context, patient, endpoint, p256dh, auth string) error {
	if strings.Contains(endpoint, "bad") {
		return fmt.Errorf("%w: not a push service", web.ErrBadPushSubscription)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs[patient] = append(f.subs[patient], endpoint+" "+p256dh+" "+auth)
	return nil
}

func (f *fakePush) Unsubscribe(_ context.Context, patient, endpoint string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keep []string
	for _, s := range f.subs[patient] {
		if !strings.HasPrefix(s, endpoint+" ") {
			keep = append(keep, s)
		}
	}
	f.subs[patient] = keep
	return nil
}

func (c *client) postJSON(path, body string, origin string) int {
	c.tb.Helper()
	req, _ := http.NewRequest("POST", c.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	noFollow := *c.http
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := noFollow.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// The patient app offers reminders by Web Push when the server has a
// VAPID key: the today page carries the key, and POST /me/push stores the
// browser's subscription for the patient signed in.
func TestPushSubscription(t *testing.T) {
	push := &fakePush{subs: map[string][]string{}}
	a, err := webtest.NewApp(webtest.Options{Patients: 6, Push: push})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, a, "")
	pid := patientOnMeds(t, c)
	// Not signed in: sent to sign in, nothing stored.
	sub := `{"endpoint":"https://fcm.googleapis.com/fcm/send/x1","keys":{"p256dh":"BKey","auth":"QXV0aA"}}`
	if st := c.postJSON("/me/push", sub, c.srv.URL); st != http.StatusSeeOther {
		t.Errorf("anonymous: status %d", st)
	}
	c.signInPatient(pid, "patient")
	mustContain(t, "today", c.get("/me"), 200, `id="push" data-key="BPubKeyForTests"`, "Nhận lời nhắc uống thuốc trên máy này")
	tests := []struct {
		name, body, origin string
		want               int
	}{
		{"subscribe", sub, c.srv.URL, http.StatusNoContent},
		{"another origin", sub, "https://evil.example", http.StatusForbidden},
		{"not JSON", `endpoint=x`, c.srv.URL, http.StatusBadRequest},
		{"no endpoint", `{"keys":{}}`, c.srv.URL, http.StatusBadRequest},
		{"refused by the store", `{"endpoint":"https://bad.example/x","keys":{"p256dh":"k","auth":"a"}}`, c.srv.URL, http.StatusBadRequest},
		{"too large", `{"endpoint":"https://fcm.googleapis.com/` + strings.Repeat("x", 9000) + `"}`, c.srv.URL, http.StatusBadRequest},
	}
	for _, tt := range tests {
		if st := c.postJSON("/me/push", tt.body, tt.origin); st != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, st, tt.want)
		}
	}
	if got := push.subs[pid]; len(got) != 1 || got[0] != "https://fcm.googleapis.com/fcm/send/x1 BKey QXV0aA" {
		t.Errorf("stored %v", push.subs)
	}
	if st := c.postJSON("/me/push/delete", `{"endpoint":"https://fcm.googleapis.com/fcm/send/x1"}`, c.srv.URL); st != http.StatusNoContent {
		t.Errorf("unsubscribe: status %d", st)
	}
	if got := push.subs[pid]; len(got) != 0 {
		t.Errorf("after unsubscribe: %v", got)
	}
	// Without push configured: no button, and the endpoint is not there.
	plain := newClient(t, testApp(t), "")
	plain.signInPatient(patientOnMeds(t, plain), "patient")
	if r := plain.get("/me"); strings.Contains(r.body, `id="push"`) {
		t.Error("push offered without a VAPID key")
	}
	if st := plain.postJSON("/me/push", sub, plain.srv.URL); st != http.StatusNotFound {
		t.Errorf("push not configured: status %d", st)
	}
}
