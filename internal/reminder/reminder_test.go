package reminder

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/clinical/medication"
)

var ict = time.FixedZone("ICT", 7*3600)

func at(d, h, m int) time.Time { return time.Date(2025, 6, d, h, m, 0, 0, ict) }

func TestPlan(t *testing.T) {
	p := Policy{Lead: 15 * time.Minute, QuietStart: 21*time.Hour + 30*time.Minute, QuietEnd: 6 * time.Hour, Loc: ict}
	tests := []struct {
		name string
		dose time.Time
		want string // send time, "" when dropped
	}{
		{"breakfast", at(2, 7, 0), "06:45"},
		{"dinner", at(2, 18, 30), "18:15"},
		{"bedtime inside quiet hours: dropped", at(2, 22, 0), ""},
		{"early dose: moved to quiet end", at(2, 6, 10), "06:00"},
		{"at quiet end", at(2, 6, 15), "06:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Plan("Patient/p", "Amlodipin", []time.Time{tt.dose}, p)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if len(rs) == 1 {
				got = rs[0].SendAt.In(ict).Format("15:04")
			}
			if got != tt.want {
				t.Errorf("send at %q, want %q", got, tt.want)
			}
		})
	}
	a, _ := Plan("Patient/p", "Amlodipin", []time.Time{at(2, 7, 0)}, p)
	b, _ := Plan("Patient/p", "Amlodipin", []time.Time{at(2, 7, 0)}, p)
	if a[0].ID != b[0].ID {
		t.Error("re-planning changed the reminder id")
	}
	if _, err := Plan("", "x", nil, p); err == nil {
		t.Error("no patient: no error")
	}
	r := PlanRefill("Patient/p", "Amlodipin", time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC), p)
	if got := r.SendAt.In(ict).Format("2006-01-02 15:04"); got != "2025-06-07 08:00" {
		t.Errorf("refill reminder at %s", got)
	}
}

func TestDispatchRetriesAndChannels(t *testing.T) {
	now := at(2, 6, 45)
	fake := &Fake{FailFirst: 2}
	chans := []Channel{
		SMS{Transport: fake, Endpoint: "https://sms.test/send", Sender: "SEN"},
		Zalo{Transport: fake, Endpoint: "https://zns.test/message", TemplateID: "123"},
	}
	for _, ch := range chans {
		t.Run(ch.Name(), func(t *testing.T) {
			fake.FailFirst, fake.calls, fake.Sent = 2, 0, nil
			clock := now
			d := Dispatcher{Channel: ch, Now: func() time.Time { return clock }, MaxAttempts: 3, Backoff: time.Minute,
				Address: func(string) (string, bool, bool) { return "+84912345678", false, true }}
			rs, _ := Plan("Patient/p", "Amlodipin 5 mg", []time.Time{at(2, 7, 0), at(2, 18, 30)}, Policy{Loc: ict})
			rs = d.Dispatch(context.Background(), rs) // first fails; the evening one is not due
			if rs[0].State != Pending || rs[0].Attempts != 1 || !rs[0].NextTry.Equal(now.Add(time.Minute)) || rs[1].Attempts != 0 {
				t.Fatalf("after try 1: %+v", rs[0])
			}
			rs = d.Dispatch(context.Background(), rs) // backoff not over: nothing
			if rs[0].Attempts != 1 {
				t.Fatalf("retried before backoff")
			}
			clock = now.Add(time.Minute)
			rs = d.Dispatch(context.Background(), rs) // fails again, next in 2 min
			clock = now.Add(3 * time.Minute)
			rs = d.Dispatch(context.Background(), rs) // succeeds
			if rs[0].State != Sent || rs[0].Attempts != 3 || rs[0].Receipt == "" {
				t.Fatalf("after try 3: %+v", rs[0])
			}
			rs = d.Dispatch(context.Background(), rs)
			if n := len(fake.Posts()); n != 1 {
				t.Errorf("%d deliveries, want exactly 1", n)
			}
			body := fake.Posts()[0].Body
			if ch.Name() == "sms" && !strings.Contains(body, "Sen nhac: den gio uong Amlodipin 5 mg") {
				t.Errorf("sms body not folded Vietnamese: %s", body)
			}
			if ch.Name() == "zalo" && !strings.Contains(body, `"template_id":"123"`) {
				t.Errorf("zalo body: %s", body)
			}
			if c, err := rs[0].Communication(ch.Name()); err != nil || !strings.Contains(string(c), `"resourceType":"Communication"`) {
				t.Errorf("receipt: %s %v", c, err)
			}
		})
	}
	// Always failing: gives up after MaxAttempts.
	fake.FailFirst, fake.calls = 100, 0
	clock := now
	d := Dispatcher{Channel: chans[0], Now: func() time.Time { return clock }, MaxAttempts: 2,
		Address: func(string) (string, bool, bool) { return "+84912345678", false, true }}
	rs, _ := Plan("Patient/p", "Amlodipin", []time.Time{at(2, 7, 0)}, Policy{Loc: ict})
	for range 5 {
		rs = d.Dispatch(context.Background(), rs)
		clock = clock.Add(time.Hour)
	}
	if rs[0].State != Failed || rs[0].Attempts != 2 {
		t.Errorf("always failing: %+v", rs[0])
	}
	// No consent: cancelled, never sent.
	d.Address = func(string) (string, bool, bool) { return "", false, false }
	rs, _ = Plan("Patient/p", "Amlodipin", []time.Time{at(2, 7, 0)}, Policy{Loc: ict})
	if rs = d.Dispatch(context.Background(), rs); rs[0].State != Cancelled {
		t.Errorf("no consent: %+v", rs[0])
	}
}

func TestCancelAndSnooze(t *testing.T) {
	rs, _ := Plan("Patient/p", "Amlodipin", []time.Time{at(2, 7, 0), at(3, 7, 0)}, Policy{Loc: ict})
	Cancel(rs, func(_ string, due time.Time) bool { return due.Equal(at(2, 7, 0)) })
	if rs[0].State != Cancelled || rs[1].State != Pending {
		t.Errorf("cancel: %v %v", rs[0].State, rs[1].State)
	}
	before := rs[1].SendAt
	rs[1].Snooze(10 * time.Minute)
	if !rs[1].SendAt.Equal(before.Add(10 * time.Minute)) {
		t.Error("snooze did not move the reminder")
	}
}

func TestEscalation(t *testing.T) {
	now := at(5, 12, 0)
	confs := []medication.Confirmation{
		{Scheduled: at(2, 7, 0), Taken: at(2, 7, 5)},
		{Scheduled: at(3, 7, 0)}, {Scheduled: at(4, 7, 0)}, {Scheduled: at(5, 7, 0)},
		{Scheduled: at(5, 11, 0)}, // not overdue yet (2 h window)
	}
	missed := ConsecutiveMissed(confs, now, 0)
	if missed != 3 {
		t.Fatalf("consecutive missed = %d, want 3", missed)
	}
	tests := []struct {
		n       int
		consent bool
		want    bool
	}{{3, true, true}, {4, true, false}, {3, false, false}}
	for _, tt := range tests {
		task, ok, err := Escalation("Patient/p", "CareTeam/c", missed, tt.n, tt.consent, now)
		if err != nil || ok != tt.want || (ok && !strings.Contains(string(task), `"owner":{"reference":"CareTeam/c"}`)) {
			t.Errorf("n=%d consent=%v: ok=%v err=%v %s", tt.n, tt.consent, ok, err, task)
		}
	}
}
