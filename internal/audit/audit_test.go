package audit

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

var (
	ixOnce  sync.Once
	indexer *search.Indexer
)

func testIndexer(tb testing.TB) *search.Indexer {
	tb.Helper()
	ixOnce.Do(func() {
		var err error
		indexer, err = search.NewIndexer(r4.Load())
		if err != nil {
			tb.Fatal(err)
		}
	})
	return indexer
}

func openStore(tb testing.TB) store.Store {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// writeEvents records n read events by a doctor on patients p0..p(n%3) and
// returns the writer, flushed.
func writeEvents(tb testing.TB, st store.Store, anchor Anchor, n int) *Writer {
	tb.Helper()
	ctx := context.Background()
	w, err := Open(ctx, Config{Store: st, Indexer: testIndexer(tb), Anchor: anchor, Batch: 7})
	if err != nil {
		tb.Fatal(err)
	}
	base := time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		w.Record(Event{Time: base.Add(time.Duration(i) * time.Minute), Interaction: "read", Action: ActionRead, Outcome: 200,
			Agent: "Practitioner/d1", AgentName: "BS. Trần Văn An", AgentRole: "doctor", AgentRoleVI: "Bác sĩ",
			AgentOrg: "Organization/h1", AgentOrgName: "Bệnh viện Đa khoa tỉnh", User: "u-d1",
			Patients: []string{"p" + string(rune('0'+i%3))}, Resources: []string{"Observation/o1"}, Purpose: []string{"TREAT"}})
	}
	if err := w.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	return w
}

func kinds(rep *Report) string {
	var k []string
	for _, p := range rep.Problems {
		k = append(k, p.Kind)
	}
	return strings.Join(k, ",")
}

// eventBySeq finds the stored AuditEvent with sequence seq.
func eventBySeq(tb testing.TB, st store.Store, seq int64) (id string, body []byte) {
	tb.Helper()
	page, err := st.Search(context.Background(), &search.Query{Type: "AuditEvent", Count: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range page.Resources {
		l, _ := readLink(r.JSON)
		if l.Seq == seq {
			return r.ID, r.JSON
		}
	}
	tb.Fatalf("no event %d", seq)
	return "", nil
}

func TestChainTamperDetection(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(tb testing.TB, st store.Store, ix *search.Indexer)
		want   string // problem kinds, comma-separated
	}{
		{"intact", func(testing.TB, store.Store, *search.Indexer) {}, ""},
		{"altered middle event", func(tb testing.TB, st store.Store, ix *search.Indexer) {
			id, body := eventBySeq(tb, st, 5)
			put(tb, st, ix, id, []byte(strings.Replace(string(body), "Trần Văn An", "Someone Else", 1)))
		}, "modified,altered"},
		{"deleted middle event", func(tb testing.TB, st store.Store, ix *search.Indexer) {
			id, _ := eventBySeq(tb, st, 9)
			del(tb, st, id)
		}, "missing"},
		{"deleted newest event", func(tb testing.TB, st store.Store, ix *search.Indexer) {
			id, _ := eventBySeq(tb, st, 20)
			del(tb, st, id)
		}, "truncated"},
		{"altered newest event", func(tb testing.TB, st store.Store, ix *search.Indexer) {
			id, body := eventBySeq(tb, st, 20)
			put(tb, st, ix, id, []byte(strings.Replace(string(body), `"outcome":"0"`, `"outcome":"4"`, 1)))
		}, "modified,altered"},
		{"forged unchained event", func(tb testing.TB, st store.Store, ix *search.Indexer) {
			put(tb, st, ix, "forged", []byte(`{"resourceType":"AuditEvent","id":"forged","type":{"code":"rest"},"recorded":"2026-03-04T05:06:00Z","agent":[{"requestor":true}],"source":{"observer":{"display":"x"}}}`))
		}, "unchained"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			anchor := &MemoryAnchor{}
			w := writeEvents(t, st, anchor, 20)
			defer w.Close(context.Background())
			tt.tamper(t, st, testIndexer(t))
			head, _ := anchor.Load()
			rep, err := Verify(context.Background(), st, &head)
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(rep); got != tt.want {
				t.Errorf("problems: got %q, want %q (%v)", got, tt.want, rep.Problems)
			}
		})
	}
}

func put(tb testing.TB, st store.Store, ix *search.Indexer, id string, body []byte) {
	tb.Helper()
	idx, err := ix.Index("AuditEvent", body)
	if err != nil {
		tb.Fatal(err)
	}
	err = st.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Put(context.Background(), store.Write{Type: "AuditEvent", ID: id, JSON: body, Index: idx})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func del(tb testing.TB, st store.Store, id string) {
	tb.Helper()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Delete(context.Background(), "AuditEvent", id, 0)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestWriterContinuesChainAfterRestart(t *testing.T) {
	st := openStore(t)
	anchorPath := filepath.Join(t.TempDir(), "audit-head.json")
	w := writeEvents(t, st, FileAnchor{Path: anchorPath}, 5)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	w2 := writeEvents(t, st, FileAnchor{Path: anchorPath}, 4)
	defer w2.Close(context.Background())
	if got, want := w2.Head().Seq, int64(9); got != want {
		t.Fatalf("head seq: got %d, want %d", got, want)
	}
	head, err := FileAnchor{Path: anchorPath}.Load()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(context.Background(), st, &head)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Events != 9 {
		t.Fatalf("got %d events, problems %v; want 9 and none", rep.Events, rep.Problems)
	}
	// A lost anchor (crash before it was written) is repaired from the store.
	w3, err := Open(context.Background(), Config{Store: st, Indexer: testIndexer(t), Anchor: &MemoryAnchor{}})
	if err != nil {
		t.Fatal(err)
	}
	defer w3.Close(context.Background())
	if got := w3.Head(); got != head {
		t.Fatalf("head from store: got %+v, want %+v", got, head)
	}
}

func TestAccessLog(t *testing.T) {
	st := openStore(t)
	w := writeEvents(t, st, &MemoryAnchor{}, 6)
	w.Record(Event{Time: time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC), Interaction: "read", Action: ActionRead, Outcome: 200,
		Agent: "Practitioner/d2", AgentName: "BS. Lê Thị Hoa", AgentRole: "doctor", AgentRoleVI: "Bác sĩ", User: "u-d2",
		Patients: []string{"p1"}, Resources: []string{"Patient/p1"}, Purpose: []string{"BTG"}, Reason: "Cấp cứu, bệnh nhân bất tỉnh", BreakGlass: true})
	w.Record(Event{Time: time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC), Interaction: "read", Action: ActionRead, Outcome: 200,
		Agent: "Patient/p1", AgentName: "Nguyễn Văn Bình", User: "u-p1", Patients: []string{"p1"}})
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer w.Close(context.Background())
	tests := []struct {
		lang, wantFirst string
		wantN           int
	}{
		{"vi", "08:00 ngày 5/3/2026: BS. Lê Thị Hoa (Bác sĩ) đã xem thông tin cá nhân của bạn — truy cập khẩn cấp, lý do: Cấp cứu, bệnh nhân bất tỉnh.", 3},
		{"en", "08:00 on 5 Mar 2026: BS. Lê Thị Hoa (doctor) viewed your personal details — emergency access, reason: Cấp cứu, bệnh nhân bất tỉnh.", 3},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			got, err := AccessLog(context.Background(), st, "p1", tt.lang, 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantN {
				t.Fatalf("got %d entries, want %d: %+v", len(got), tt.wantN, got)
			}
			if got[0].Text != tt.wantFirst {
				t.Errorf("first entry:\n got %q\nwant %q", got[0].Text, tt.wantFirst)
			}
			if !strings.Contains(got[1].Text, "Bệnh viện Đa khoa tỉnh") {
				t.Errorf("second entry lacks the organisation: %q", got[1].Text)
			}
		})
	}
}
