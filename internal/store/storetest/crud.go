package storetest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

func body(typ, id, rest string) []byte {
	if rest != "" {
		rest = "," + rest
	}
	return []byte(`{"resourceType":"` + typ + `","id":"` + id + `"` + rest + `}`)
}

// metaOf decodes meta.versionId and meta.lastUpdated from a stored body.
func metaOf(tb testing.TB, b []byte) (string, string) {
	tb.Helper()
	var h fhir.Header
	if err := json.Unmarshal(b, &h); err != nil {
		tb.Fatalf("stored JSON is invalid: %v\n%s", err, b)
	}
	return h.Meta.VersionID, h.Meta.LastUpdated
}

func testCRUD(t *testing.T, s store.Store) {
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	w := store.Write{Type: "Patient", ID: "a", JSON: body("Patient", "a", `"active":true`),
		Index: search.Indexed{Entries: []search.Entry{tokenE("active", "", "true")}, Patients: []string{"a"}}}
	v1 := put(t, s, w)
	if v1.VersionID != 1 || v1.Type != "Patient" || v1.ID != "a" || v1.Deleted {
		t.Fatalf("create returned %+v, want Patient/a version 1", v1)
	}
	if v1.LastUpdated.Before(before) || v1.LastUpdated.After(time.Now().Add(time.Second)) {
		t.Errorf("lastUpdated %v is not now", v1.LastUpdated)
	}
	vid, lu := metaOf(t, v1.JSON)
	if vid != "1" {
		t.Errorf("stored meta.versionId = %q, want 1", vid)
	}
	if ts, err := time.Parse(time.RFC3339Nano, lu); err != nil || !ts.Equal(v1.LastUpdated) {
		t.Errorf("stored meta.lastUpdated = %q, want %v", lu, v1.LastUpdated)
	}

	got, err := s.Read(ctx, "Patient", "a")
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if string(got.JSON) != string(v1.JSON) || got.VersionID != 1 || !got.LastUpdated.Equal(v1.LastUpdated) {
		t.Errorf("read got %d %v %s, want %d %v %s", got.VersionID, got.LastUpdated, got.JSON, 1, v1.LastUpdated, v1.JSON)
	}

	w.JSON = body("Patient", "a", `"active":false`)
	v2 := put(t, s, w)
	if v2.VersionID != 2 || !v2.LastUpdated.After(v1.LastUpdated) {
		t.Fatalf("update returned version %d at %v, want 2 after %v", v2.VersionID, v2.LastUpdated, v1.LastUpdated)
	}
	old, err := s.VRead(ctx, "Patient", "a", 1)
	if err != nil || string(old.JSON) != string(v1.JSON) {
		t.Fatalf("vread 1 = %v, %v; want the first version", old, err)
	}
	if _, err := s.VRead(ctx, "Patient", "a", 9); err == nil {
		t.Fatal("vread of a missing version succeeded")
	} else {
		wantKind(t, err, fhir.KindNotFound)
	}

	d, err := del(s, "Patient", "a", 0)
	if err != nil || d == nil || d.VersionID != 3 || !d.Deleted {
		t.Fatalf("delete = %+v, %v; want delete version 3", d, err)
	}
	r, err := s.Read(ctx, "Patient", "a")
	wantKind(t, err, fhir.KindGone)
	if r == nil || !r.Deleted || r.VersionID != 3 {
		t.Errorf("read of a deleted resource returned %+v, want the delete version 3", r)
	}
	_, err = s.VRead(ctx, "Patient", "a", 3)
	wantKind(t, err, fhir.KindGone)
	if d, err := del(s, "Patient", "a", 0); err != nil || d != nil {
		t.Errorf("second delete = %v, %v; want nil, nil", d, err)
	}
	if d, err := del(s, "Patient", "nobody", 0); err != nil || d != nil {
		t.Errorf("delete of an absent resource = %v, %v; want nil, nil", d, err)
	}

	v4 := put(t, s, w)
	if v4.VersionID != 4 {
		t.Errorf("recreate after delete got version %d, want 4", v4.VersionID)
	}
	_, err = s.Read(ctx, "Patient", "zzz")
	wantKind(t, err, fhir.KindNotFound)
	check(t, s)
}

func testMeta(t *testing.T, s store.Store) {
	cases := []struct {
		name, in, want string
	}{
		{"no meta", `{"resourceType":"Basic","id":"m1","code":{"text":"x"}}`,
			`{"resourceType":"Basic","id":"m1","meta":{"versionId":"1","lastUpdated":"TS"},"code":{"text":"x"}}`},
		{"meta with other fields", `{"resourceType":"Basic","id":"m2","meta":{"profile":["http://x"]},"code":{"text":"x"}}`,
			`{"resourceType":"Basic","id":"m2","meta":{"versionId":"1","lastUpdated":"TS","profile":["http://x"]},"code":{"text":"x"}}`},
		{"stale meta replaced in place", "{\n  \"resourceType\": \"Basic\",\n  \"id\": \"m3\",\n  \"meta\": {\"lastUpdated\": \"2001-01-01T00:00:00Z\", \"versionId\": \"7\", \"tag\": []}\n}",
			"{\n  \"resourceType\": \"Basic\",\n  \"id\": \"m3\",\n  \"meta\": {\"lastUpdated\": \"TS\", \"versionId\": \"1\", \"tag\": []}\n}"},
		{"empty meta", `{"resourceType":"Basic","meta":{},"id":"m4"}`,
			`{"resourceType":"Basic","meta":{"versionId":"1","lastUpdated":"TS"},"id":"m4"}`},
		{"unicode and escapes kept", `{"id":"m5","resourceType":"Basic","text":{"div":"Nguy\u1ec5n \"A\" {}"}}`,
			`{"id":"m5","resourceType":"Basic","meta":{"versionId":"1","lastUpdated":"TS"},"text":{"div":"Nguy\u1ec5n \"A\" {}"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h fhir.Header
			if err := json.Unmarshal([]byte(c.in), &h); err != nil {
				t.Fatal(err)
			}
			got := put(t, s, store.Write{Type: "Basic", ID: h.ID, JSON: []byte(c.in)})
			_, lu := metaOf(t, got.JSON)
			want := strings.Replace(c.want, "TS", lu, 1)
			if string(got.JSON) != want {
				t.Errorf("stored\n%s\nwant\n%s", got.JSON, want)
			}
			r, err := s.Read(context.Background(), "Basic", h.ID)
			if err != nil || string(r.JSON) != want {
				t.Errorf("read back %s, %v; want %s", r.JSON, err, want)
			}
		})
	}
}

func testInvalid(t *testing.T, s store.Store) {
	cases := []struct {
		name string
		w    store.Write
	}{
		{"bad id", store.Write{Type: "Patient", ID: "a b", JSON: body("Patient", "a b", "")}},
		{"empty type", store.Write{Type: "", ID: "x", JSON: body("Patient", "x", "")}},
		{"type mismatch", store.Write{Type: "Patient", ID: "x", JSON: body("Observation", "x", "")}},
		{"id mismatch", store.Write{Type: "Patient", ID: "x", JSON: body("Patient", "y", "")}},
		{"not json", store.Write{Type: "Patient", ID: "x", JSON: []byte(`{"resourceType":"Patient",`)}},
		{"not an object", store.Write{Type: "Patient", ID: "x", JSON: []byte(`[1,2]`)}},
		{"meta not an object", store.Write{Type: "Patient", ID: "x", JSON: []byte(`{"resourceType":"Patient","meta":3}`)}},
		{"entry without param", store.Write{Type: "Patient", ID: "x", JSON: body("Patient", "x", ""),
			Index: search.Indexed{Entries: []search.Entry{{Type: search.TypeToken, Code: "a"}}}}},
		{"entry of unknown type", store.Write{Type: "Patient", ID: "x", JSON: body("Patient", "x", ""),
			Index: search.Indexed{Entries: []search.Entry{{Param: "p", Type: "weird"}}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tryPut(s, c.w)
			wantKind(t, err, fhir.KindInvalid)
		})
	}
	if _, err := s.Read(context.Background(), "Patient", "x"); fhir.KindOf(err) != fhir.KindNotFound {
		t.Errorf("a rejected write left something behind: %v", err)
	}
}

func testIfMatch(t *testing.T, s store.Store) {
	w := store.Write{Type: "Patient", ID: "im", JSON: body("Patient", "im", "")}
	put(t, s, w)
	put(t, s, w)
	cases := []struct {
		name    string
		ifMatch int64
		want    fhir.Kind // KindInternal: success
	}{
		{"stale", 1, fhir.KindPrecondition},
		{"future", 5, fhir.KindPrecondition},
		{"current", 2, fhir.KindInternal},
		{"now stale", 2, fhir.KindPrecondition},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := w
			w.IfMatch = c.ifMatch
			_, err := tryPut(s, w)
			if c.want == fhir.KindInternal {
				if err != nil {
					t.Fatalf("put with If-Match %d: %v", c.ifMatch, err)
				}
				return
			}
			wantKind(t, err, c.want)
		})
	}
	_, err := tryPut(s, store.Write{Type: "Patient", ID: "absent", JSON: body("Patient", "absent", ""), IfMatch: 1})
	wantKind(t, err, fhir.KindPrecondition)
	_, err = del(s, "Patient", "im", 1)
	wantKind(t, err, fhir.KindPrecondition)
	if d, err := del(s, "Patient", "im", 3); err != nil || d == nil || d.VersionID != 4 {
		t.Fatalf("delete with the right If-Match = %v, %v", d, err)
	}
}

func testCreateOnly(t *testing.T, s store.Store) {
	w := store.Write{Type: "Patient", ID: "co", JSON: body("Patient", "co", ""), CreateOnly: true}
	if r := put(t, s, w); r.VersionID != 1 {
		t.Fatalf("create got version %d", r.VersionID)
	}
	_, err := tryPut(s, w)
	wantKind(t, err, fhir.KindConflict)
	if _, err := del(s, "Patient", "co", 0); err != nil {
		t.Fatal(err)
	}
	if r, err := tryPut(s, w); err != nil || r.VersionID != 3 {
		t.Fatalf("create-only after delete = %v, %v; want version 3", r, err)
	}
}

func testRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	put(t, s, store.Write{Type: "Patient", ID: "keep", JSON: body("Patient", "keep", ""),
		Index: search.Indexed{Entries: []search.Entry{tokenE("gender", "", "male")}}})
	boom := fhir.Errorf(fhir.KindInvalid, "boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		for i := 0; i < 5; i++ {
			id := "rb" + strconv.Itoa(i)
			if _, err := tx.Put(ctx, store.Write{Type: "Patient", ID: id, JSON: body("Patient", id, ""),
				Index: search.Indexed{Entries: []search.Entry{tokenE("gender", "", "female")}, Patients: []string{id}}}); err != nil {
				return err
			}
		}
		if _, err := tx.Put(ctx, store.Write{Type: "Patient", ID: "keep", JSON: body("Patient", "keep", ""),
			Index: search.Indexed{Entries: []search.Entry{tokenE("gender", "", "female")}}}); err != nil {
			return err
		}
		if _, err := tx.Delete(ctx, "Patient", "keep", 0); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	if _, err := s.Read(ctx, "Patient", "rb0"); fhir.KindOf(err) != fhir.KindNotFound {
		t.Errorf("rolled-back create is visible: %v", err)
	}
	r, err := s.Read(ctx, "Patient", "keep")
	if err != nil || r.VersionID != 1 {
		t.Errorf("rolled-back update/delete is visible: %v, %v", r, err)
	}
	assertIDs(t, s, &search.Query{Type: "Patient", Clauses: []search.Clause{tokC("gender", "", "", "female")}}, nil)
	assertIDs(t, s, &search.Query{Type: "Patient", Clauses: []search.Clause{tokC("gender", "", "", "male")}}, []string{"keep"})
	h, err := s.History(ctx, store.HistoryQuery{})
	if err != nil || len(h.Resources) != 1 {
		t.Errorf("system history after rollback has %d versions (%v), want 1", len(h.Resources), err)
	}
	// A panicking fn also leaves nothing behind.
	func() {
		defer func() { recover() }()
		s.Update(ctx, func(tx store.Tx) error {
			tx.Put(ctx, store.Write{Type: "Patient", ID: "panic", JSON: body("Patient", "panic", "")})
			panic("boom")
		})
	}()
	if _, err := s.Read(ctx, "Patient", "panic"); fhir.KindOf(err) != fhir.KindNotFound {
		t.Errorf("write of a panicking transaction is visible: %v", err)
	}
	check(t, s)
}

func testTxReads(t *testing.T, s store.Store) {
	ctx := context.Background()
	var stale store.Tx
	err := s.Update(ctx, func(tx store.Tx) error {
		stale = tx
		if _, err := tx.Put(ctx, store.Write{Type: "Patient", ID: "own", JSON: body("Patient", "own", ""),
			Index: search.Indexed{Entries: []search.Entry{tokenE("gender", "", "other")}}}); err != nil {
			return err
		}
		r, err := tx.Read(ctx, "Patient", "own")
		if err != nil || r.VersionID != 1 {
			t.Errorf("read inside the transaction: %v, %v", r, err)
		}
		p, err := tx.Search(ctx, &search.Query{Type: "Patient", Clauses: []search.Clause{tokC("gender", "", "", "other")}})
		if err != nil || len(p.Resources) != 1 {
			t.Errorf("search inside the transaction: %v, %v", p, err)
		}
		h, err := tx.History(ctx, store.HistoryQuery{Type: "Patient", ID: "own"})
		if err != nil || len(h.Resources) != 1 {
			t.Errorf("history inside the transaction: %v, %v", h, err)
		}
		if _, err := tx.VRead(ctx, "Patient", "own", 1); err != nil {
			t.Errorf("vread inside the transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stale.Read(ctx, "Patient", "own"); err == nil {
		t.Error("a Tx used after Update returned still works")
	}
	if _, err := stale.Put(ctx, store.Write{Type: "Patient", ID: "late", JSON: body("Patient", "late", "")}); err == nil {
		t.Error("a Tx used after Update returned still writes")
	}
}
