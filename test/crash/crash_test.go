package crash

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// marker is the identifier system of everything the harness writes.
const marker = "urn:sen:crash"

// writers is the number of concurrent clients driving writes.
const writers = 4

func cycles(tb testing.TB) int {
	tb.Helper()
	if v := os.Getenv("SEN_CRASH_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			tb.Fatalf("SEN_CRASH_CYCLES=%q: want a positive number", v)
		}
		return n
	}
	return 100
}

func TestCrashSQLite(t *testing.T) {
	gate(t)
	bin := buildSen(t)
	dir := t.TempDir()
	h := &harness{t: t, bin: bin, serveArgs: []string{"--data-dir", dir},
		checkArgs: []string{"--data-dir", dir}}
	h.run(cycles(t))
}

// harness holds what survives the kills: the acknowledged writes.
type harness struct {
	t         *testing.T
	bin       string
	serveArgs []string
	checkArgs []string
	rnd       *rand.Rand
	http      *http.Client

	acked    []string         // transaction tags the server answered 200
	pending  []string         // tags sent but unanswered at the last kill
	unacked  int              // unanswered transactions over all cycles
	lostAck  int              // … of which committed (the answer was lost)
	versions map[string]int64 // counter id → last acknowledged version
}

// outcome of one cycle's client.
type clientLog struct {
	acked, pending []string
	counter        string
	version        int64
}

func (h *harness) run(n int) {
	t := h.t
	h.rnd = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	h.http = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: writers}}
	h.versions = map[string]int64{}
	began := time.Now()
	for cycle := range n {
		srv := start(t, h.bin, h.serveArgs...) // a clean start after every kill
		h.verify(srv, cycle)
		logs := h.drive(srv, cycle)
		if p := srv.panics(); p != "" {
			t.Fatalf("cycle %d: the server logged a panic:\n%s", cycle, p)
		}
		for _, l := range logs {
			h.acked = append(h.acked, l.acked...)
			h.pending = append(h.pending, l.pending...)
			h.unacked += len(l.pending)
			if l.version > h.versions[l.counter] {
				h.versions[l.counter] = l.version
			}
		}
		if cycle%10 == 9 || cycle == n-1 {
			if out, err := runSen(h.bin, append([]string{"check"}, h.checkArgs...)...); err != nil {
				t.Fatalf("cycle %d: sen check after SIGKILL: %v\n%s", cycle, err, out)
			}
		}
	}
	srv := start(t, h.bin, h.serveArgs...)
	h.verify(srv, n)
	h.verifyTotals(srv)
	srv.stop(t)
	t.Logf("%d SIGKILLs in %s: %d transactions present whole (%d committed without an answer); %d unanswered, none half-present",
		n, time.Since(began).Round(time.Second), len(h.acked), h.lostAck, h.unacked)
}

// drive runs the writers until a random moment, then kills the server.
// Each writer loops: a transaction (a Patient and two Observations with
// one tag), then an If-Match update of its own counter resource.
func (h *harness) drive(srv *server, cycle int) []clientLog {
	ctx, cancel := context.WithCancel(context.Background())
	logs := make([]clientLog, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := &logs[w]
			l.counter = fmt.Sprintf("crash-w%d", w)
			version := h.versions[l.counter]
			for seq := 0; ctx.Err() == nil; seq++ {
				tag := fmt.Sprintf("c%d-w%d-s%d", cycle, w, seq)
				status, _, err := h.do(ctx, srv, "POST", "", transaction(tag))
				switch {
				case err != nil:
					l.pending = append(l.pending, tag)
					return
				case status != http.StatusOK:
					h.t.Errorf("transaction %s: status %d", tag, status)
					return
				}
				l.acked = append(l.acked, tag)
				var ifMatch []string // none on the first write: the resource does not exist yet
				if version > 0 {
					ifMatch = []string{"If-Match", `W/"` + strconv.FormatInt(version, 10) + `"`}
				}
				status, body, err := h.do(ctx, srv, "PUT", "/Basic/"+l.counter, counter(l.counter, seq), ifMatch...)
				if err != nil {
					return
				}
				if status != http.StatusOK && status != http.StatusCreated {
					h.t.Errorf("update %s at version %d: status %d: %.300s", l.counter, version, status, body)
					return
				}
				var res struct{ Meta struct{ VersionID string } }
				_ = json.Unmarshal(body, &res)
				v, err := strconv.ParseInt(res.Meta.VersionID, 10, 64)
				if err != nil || v != version+1 {
					h.t.Errorf("update %s from version %d answered version %q", l.counter, version, res.Meta.VersionID)
					return
				}
				version = v
				l.version = v
			}
		}()
	}
	time.Sleep(time.Duration(20+h.rnd.IntN(300)) * time.Millisecond)
	srv.kill()
	cancel()
	wg.Wait()
	return logs
}

// verify checks, after a restart, the writes of the previous cycle: every
// acknowledged transaction whole, every unacknowledged one whole or absent,
// every counter at (or, if an unacknowledged update committed, one past)
// its acknowledged version with a gap-free history.
func (h *harness) verify(srv *server, cycle int) {
	t := h.t
	for _, tag := range h.acked {
		if !strings.HasPrefix(tag, fmt.Sprintf("c%d-", cycle-1)) {
			continue
		}
		if p, o := h.count(srv, tag); p != 1 || o != 2 {
			t.Fatalf("after restart %d: acknowledged transaction %s has %d Patient and %d Observation, want 1 and 2", cycle, tag, p, o)
		}
	}
	for _, tag := range h.pending {
		p, o := h.count(srv, tag)
		switch {
		case p == 0 && o == 0:
		case p == 1 && o == 2:
			h.acked = append(h.acked, tag) // committed, the answer was lost: fine
			h.lostAck++
		default:
			t.Fatalf("after restart %d: unacknowledged transaction %s is half present: %d Patient, %d Observation", cycle, tag, p, o)
		}
	}
	h.pending = nil
	for id, v := range h.versions {
		got := h.version(srv, id)
		if got != v && got != v+1 {
			t.Fatalf("after restart %d: Basic/%s at version %d, acknowledged %d", cycle, id, got, v)
		}
		h.versions[id] = got
		if n := h.historyLen(srv, id); int64(n) != got {
			t.Fatalf("after restart %d: Basic/%s version %d has %d history entries", cycle, id, got, n)
		}
	}
}

// verifyTotals checks that nothing but the acknowledged transactions (and
// those found whole) exists: no stray resources from torn writes.
func (h *harness) verifyTotals(srv *server) {
	p := h.total(srv, "/Patient?_summary=count&identifier="+url.QueryEscape(marker+"|"))
	o := h.total(srv, "/Observation?_summary=count&identifier="+url.QueryEscape(marker+"|"))
	if p != len(h.acked) || o != 2*len(h.acked) {
		h.t.Fatalf("%d Patients and %d Observations with the marker, want %d and %d", p, o, len(h.acked), 2*len(h.acked))
	}
}

func (h *harness) count(srv *server, tag string) (patients, observations int) {
	q := "?_summary=count&identifier=" + url.QueryEscape(marker+"|"+tag)
	return h.total(srv, "/Patient"+q), h.total(srv, "/Observation"+q)
}

func (h *harness) total(srv *server, path string) int {
	status, body, err := h.do(context.Background(), srv, "GET", path, "")
	if err != nil || status != http.StatusOK {
		h.t.Fatalf("GET %s: %d %v %.300s", path, status, err, body)
	}
	var b struct{ Total *int }
	if err := json.Unmarshal(body, &b); err != nil || b.Total == nil {
		h.t.Fatalf("GET %s: no total in %.300s", path, body)
	}
	return *b.Total
}

func (h *harness) version(srv *server, id string) int64 {
	status, body, err := h.do(context.Background(), srv, "GET", "/Basic/"+id, "")
	if err != nil || status != http.StatusOK {
		h.t.Fatalf("read Basic/%s: %d %v %.300s", id, status, err, body)
	}
	var res struct{ Meta struct{ VersionID string } }
	_ = json.Unmarshal(body, &res)
	v, err := strconv.ParseInt(res.Meta.VersionID, 10, 64)
	if err != nil {
		h.t.Fatalf("read Basic/%s: versionId %q", id, res.Meta.VersionID)
	}
	return v
}

func (h *harness) historyLen(srv *server, id string) int {
	// Page through the whole history: a resource updated in every round
	// can pass a page's 1,000 entries.
	var versions []string
	path := "/Basic/" + id + "/_history?_count=1000"
	for path != "" {
		status, body, err := h.do(context.Background(), srv, "GET", path, "")
		if err != nil || status != http.StatusOK {
			h.t.Fatalf("history Basic/%s: %d %v %.300s", id, status, err, body)
		}
		var b struct {
			Link  []struct{ Relation, URL string }
			Entry []struct {
				Resource struct{ Meta struct{ VersionID string } }
			}
		}
		if err := json.Unmarshal(body, &b); err != nil {
			h.t.Fatalf("history Basic/%s: %v", id, err)
		}
		for _, e := range b.Entry {
			versions = append(versions, e.Resource.Meta.VersionID)
		}
		path = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				_, rest, ok := strings.Cut(l.URL, "/fhir")
				if !ok {
					h.t.Fatalf("history Basic/%s: next link %q", id, l.URL)
				}
				path = rest
			}
		}
	}
	// Versions must be n, n-1, … 1: no gap, no duplicate.
	for i, v := range versions {
		if want := strconv.Itoa(len(versions) - i); v != want {
			h.t.Fatalf("history Basic/%s: entry %d is version %q, want %s", id, i, v, want)
		}
	}
	return len(versions)
}

// do sends one request; err is a transport failure (the server died).
func (h *harness) do(ctx context.Context, srv *server, method, path, body string, headers ...string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, srv.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := h.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

// transaction is a Bundle of one Patient and two Observations referring to
// it by urn:uuid, all carrying the tag as identifier.
func transaction(tag string) string {
	ident := fmt.Sprintf(`"identifier":[{"system":%q,"value":%q}]`, marker, tag)
	pat := "urn:uuid:" + uuidFor(tag)
	obs := func(code string) string {
		return fmt.Sprintf(`{"resource":{"resourceType":"Observation",%s,"status":"final","code":{"coding":[{"system":"http://loinc.org","code":%q}]},"subject":{"reference":%q},"valueQuantity":{"value":72,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}},"request":{"method":"POST","url":"Observation"}}`,
			ident, code, pat)
	}
	return fmt.Sprintf(`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":%q,"resource":{"resourceType":"Patient",%s,"name":[{"family":"Thử","given":["Nghiệm"]}]},"request":{"method":"POST","url":"Patient"}},%s,%s]}`,
		pat, ident, obs("8867-4"), obs("9279-1"))
}

func counter(id string, seq int) string {
	return fmt.Sprintf(`{"resourceType":"Basic","id":%q,"code":{"text":"crash counter %d"}}`, id, seq)
}

// uuidFor is a deterministic UUID-shaped string for a tag.
func uuidFor(tag string) string {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(tag); i++ {
		h = (h ^ uint64(tag[i])) * 1099511628211
	}
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, uint16(h>>4)&0xfff, h&0xffffffffffff)
}
