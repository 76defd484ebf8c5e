package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/rest/resttest"
)

// TestBigTransaction posts the 60 MB, 25,000-entry transaction: refused
// with 413 at the default 16 MB limit, accepted with the limit raised.
func TestBigTransaction(t *testing.T) {
	if testing.Short() {
		t.Skip("60 MB transaction")
	}
	shared := resttest.SharedDir(t, "../..")
	body := string(resttest.ReadBz2(t, filepath.Join(shared, "fhir", "big-tx", "big-transaction.json.bz2")))

	h, _ := newTestHandler(t, nil, nil)
	if w := do(t, h, "POST", "/fhir", body); w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("default limit: %d, want 413", w.Code)
	}
	h, _ = newTestHandler(t, nil, func(c *Config) { c.MaxBodyBytes = 128 << 20 })
	// Its conditional references name organisations, practitioners and
	// locations its Synthea run kept in bundles that are not shipped:
	// create one per identifier named.
	targets := map[string]bool{}
	for _, m := range condRef.FindAllStringSubmatch(body, -1) {
		targets[m[1]+"|"+m[2]+"|"+m[3]] = true
	}
	var entries []string
	for k := range targets {
		p := strings.SplitN(k, "|", 3)
		res := fmt.Sprintf(`{"resourceType":%q,"identifier":[{"system":%q,"value":%q}]}`, p[0], p[1], p[2])
		entries = append(entries, fmt.Sprintf(`{"resource":%s,"request":{"method":"POST","url":%q}}`, res, p[0]))
	}
	if w := do(t, h, "POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[`+strings.Join(entries, ",")+`]}`); w.Code != http.StatusOK {
		t.Fatalf("referenced resources: %d %.500s", w.Code, w.Body.String())
	}
	w := do(t, h, "POST", "/fhir", body)
	if w.Code != http.StatusOK {
		t.Fatalf("raised limit: %d %.1000s", w.Code, w.Body.String())
	}
	var resp bundle
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Entry) != 25000 {
		t.Errorf("%d response entries, want 25000", len(resp.Entry))
	}
}

var condRef = regexp.MustCompile(`"reference": ?"([A-Za-z]+)\?identifier=([^|"]+)\|([^"]+)"`)
