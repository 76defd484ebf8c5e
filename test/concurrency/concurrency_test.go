package concurrency

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
)

const clients = 16

// TestIfMatchNoLostUpdates: 16 clients increment a counter held in one
// resource by read-modify-write with If-Match. Every answer is 200 or
// 412; the final counter equals the number of 200s (no lost update); every
// 200 returned a distinct version; the history is 1..n with no gap.
func TestIfMatchNoLostUpdates(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			c := serve(t, b.open(t))
			if code, _, body := c.do(t, "PUT", "/Basic/counter", counterBody(0)); code != http.StatusCreated {
				t.Fatalf("create counter: %d %s", code, body)
			}
			const perClient = 10 // successful increments each
			var mu sync.Mutex
			versions := map[string]bool{}
			conflicts := 0
			var wg sync.WaitGroup
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for done := 0; done < perClient; {
						code, _, body := c.do(t, "GET", "/Basic/counter", "")
						if code != http.StatusOK {
							t.Errorf("read: %d %s", code, body)
							return
						}
						n, v := counterOf(t, body)
						code, _, body = c.do(t, "PUT", "/Basic/counter", counterBody(n+1), "If-Match", `W/"`+v+`"`)
						switch code {
						case http.StatusOK:
							_, nv := counterOf(t, body)
							mu.Lock()
							if versions[nv] {
								t.Errorf("version %s answered twice", nv)
							}
							versions[nv] = true
							mu.Unlock()
							done++
						case http.StatusPreconditionFailed:
							mu.Lock()
							conflicts++
							mu.Unlock()
						default:
							t.Errorf("update: status %d, want 200 or 412: %s", code, body)
							return
						}
					}
				}()
			}
			wg.Wait()
			code, _, body := c.do(t, "GET", "/Basic/counter", "")
			if code != http.StatusOK {
				t.Fatalf("read: %d", code)
			}
			n, v := counterOf(t, body)
			if want := clients * perClient; n != want {
				t.Errorf("counter = %d after %d acknowledged increments: lost updates", n, want)
			}
			if want := strconv.Itoa(clients*perClient + 1); v != want {
				t.Errorf("version = %s, want %s", v, want)
			}
			checkHistory(t, c, "/Basic/counter", clients*perClient+1)
			t.Logf("%d increments, %d conflicts answered 412", clients*perClient, conflicts)
		})
	}
}

// TestConditionalCreateOnce: 16 clients create the same patient with the
// same If-None-Exist at once, several rounds: exactly one 201 per round,
// the others 200 with that resource, and one match in the store.
func TestConditionalCreateOnce(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			c := serve(t, b.open(t))
			for round := range 5 {
				value := fmt.Sprintf("cccd-%d", round)
				body := fmt.Sprintf(`{"resourceType":"Patient","identifier":[{"system":"urn:test","value":%q}]}`, value)
				cond := "identifier=" + url.QueryEscape("urn:test|"+value)
				ids, codes := race(t, func() (int, string) {
					code, _, resp := c.do(t, "POST", "/Patient", body, "If-None-Exist", cond)
					return code, idOf(resp)
				})
				if codes[http.StatusCreated] != 1 || codes[http.StatusOK] != clients-1 {
					t.Errorf("round %d: statuses %v, want one 201 and %d 200", round, codes, clients-1)
				}
				if len(ids) != 1 {
					t.Errorf("round %d: %d distinct ids answered, want 1: %v", round, len(ids), ids)
				}
				if n := total(t, c, "/Patient?"+cond); n != 1 {
					t.Errorf("round %d: %d patients match, want 1", round, n)
				}
			}
		})
	}
}

// TestConditionalUpdateOnce: 16 clients PUT Patient?identifier=… at once
// on an empty store: one creates (201), the rest update it (200), and the
// history of the one resource has 16 versions without gaps.
func TestConditionalUpdateOnce(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			c := serve(t, b.open(t))
			body := `{"resourceType":"Patient","identifier":[{"system":"urn:test","value":"bhyt-1"}],"active":true}`
			cond := "identifier=" + url.QueryEscape("urn:test|bhyt-1")
			ids, codes := race(t, func() (int, string) {
				code, _, resp := c.do(t, "PUT", "/Patient?"+cond, body)
				return code, idOf(resp)
			})
			if codes[http.StatusCreated] != 1 || codes[http.StatusOK] != clients-1 {
				t.Errorf("statuses %v, want one 201 and %d 200", codes, clients-1)
			}
			if len(ids) != 1 {
				t.Fatalf("%d distinct ids, want 1: %v", len(ids), ids)
			}
			if n := total(t, c, "/Patient?"+cond); n != 1 {
				t.Errorf("%d patients match, want 1", n)
			}
			for id := range ids {
				checkHistory(t, c, "/Patient/"+id, clients)
			}
		})
	}
}

// TestTransactionConditionalCreateOnce: the same, inside transactions
// (Bundle entries with ifNoneExist), the form Synthea bundles use.
func TestTransactionConditionalCreateOnce(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			c := serve(t, b.open(t))
			bundle := `{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:6a7d1e3c-0f5b-4c47-9d8e-2b1f3e4a5c6d","resource":{"resourceType":"Organization","identifier":[{"system":"urn:test","value":"bv-1"}],"name":"Bệnh viện 1"},"request":{"method":"POST","url":"Organization","ifNoneExist":"identifier=urn:test|bv-1"}}]}`
			_, codes := race(t, func() (int, string) {
				code, _, _ := c.do(t, "POST", "", bundle)
				return code, ""
			})
			if codes[http.StatusOK] != clients {
				t.Errorf("statuses %v, want %d 200", codes, clients)
			}
			if n := total(t, c, "/Organization?identifier="+url.QueryEscape("urn:test|bv-1")); n != 1 {
				t.Errorf("%d organisations, want 1", n)
			}
		})
	}
}

// race runs fn on 16 goroutines released together and tallies the
// statuses and non-empty ids.
func race(t *testing.T, fn func() (int, string)) (ids map[string]bool, codes map[int]int) {
	t.Helper()
	ids, codes = map[string]bool{}, map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	startGun := make(chan struct{})
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGun
			code, id := fn()
			mu.Lock()
			defer mu.Unlock()
			codes[code]++
			if id != "" {
				ids[id] = true
			}
		}()
	}
	close(startGun)
	wg.Wait()
	return ids, codes
}

func counterBody(n int) string {
	return fmt.Sprintf(`{"resourceType":"Basic","id":"counter","code":{"text":"counter"},"extension":[{"url":"urn:test:n","valueInteger":%d}]}`, n)
}

func counterOf(tb testing.TB, body []byte) (int, string) {
	tb.Helper()
	var r struct {
		Meta      struct{ VersionID string }
		Extension []struct{ ValueInteger int }
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Extension) != 1 {
		tb.Fatalf("not a counter: %s", body)
	}
	return r.Extension[0].ValueInteger, r.Meta.VersionID
}

func idOf(body []byte) string {
	var r struct{ ID string }
	_ = json.Unmarshal(body, &r)
	return r.ID
}

func total(tb testing.TB, c *client, path string) int {
	tb.Helper()
	code, _, body := c.do(tb, "GET", path+"&_total=accurate", "")
	var b struct{ Total *int }
	if code != http.StatusOK || json.Unmarshal(body, &b) != nil || b.Total == nil {
		tb.Fatalf("GET %s: %d %s", path, code, body)
	}
	return *b.Total
}

// checkHistory asserts versions n, n-1 … 1 in the instance history.
func checkHistory(tb testing.TB, c *client, path string, n int) {
	tb.Helper()
	code, _, body := c.do(tb, "GET", path+"/_history?_count=1000", "")
	var b struct {
		Entry []struct {
			Resource struct{ Meta struct{ VersionID string } }
		}
	}
	if code != http.StatusOK || json.Unmarshal(body, &b) != nil {
		tb.Fatalf("history %s: %d %.300s", path, code, body)
	}
	if len(b.Entry) != n {
		tb.Fatalf("history %s: %d versions, want %d", path, len(b.Entry), n)
	}
	for i, e := range b.Entry {
		if want := strconv.Itoa(n - i); e.Resource.Meta.VersionID != want {
			tb.Errorf("history %s: entry %d is version %s, want %s", path, i, e.Resource.Meta.VersionID, want)
		}
	}
}
