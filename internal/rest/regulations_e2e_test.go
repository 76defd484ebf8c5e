package rest_test

// End-to-end test of $verify: a Composition signed by its author, stored
// with its Provenance in SQLite, verified over HTTP, then changed and
// reported as changed with the changed path named.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/sign"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

func TestVerifyOperationEndToEnd(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(rest.New(rest.Config{Store: db, Indexer: ix, Model: model,
		Parser: rest.QueryParserFunc(func(typ string, p url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, p, strict)
		}),
		Now: func() time.Time { return now }}))
	defer srv.Close()
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/fhir+json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	note := `{"resourceType":"Composition","id":"c1","status":"final","type":{"text":"Giấy ra viện"},"date":"2026-03-02","author":[{"reference":"Practitioner/d1"}],"title":"Giấy ra viện","section":[{"title":"Lời dặn","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Tái khám sau 30 ngày</div>"}}]}`
	if code, body := do("PUT", "/fhir/Composition/c1", note); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	_, stored := do("GET", "/fhir/Composition/c1", "")

	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "BS. Trần Văn Bình"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	k, err := sign.NewLocalKey(key, []*x509.Certificate{cert})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := sign.Sign(ctx, k, sign.Request{Target: "Composition/c1/_history/1", Resource: []byte(stored),
		Who: "Practitioner/d1", Role: sign.RoleAuthor, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := do("POST", "/fhir/Provenance", string(prov)); code != 201 {
		t.Fatalf("provenance: %d %s", code, body)
	}

	code, body := do("GET", "/fhir/Composition/c1/$verify", "")
	if code != 200 || !strings.Contains(body, `"severity":"information"`) || !strings.Contains(body, "signature valid") {
		t.Fatalf("signed: %d %s", code, body)
	}
	changed := strings.Replace(note, "30 ngày", "60 ngày", 1)
	if code, body := do("PUT", "/fhir/Composition/c1", changed); code != 200 {
		t.Fatalf("update: %d %s", code, body)
	}
	code, body = do("GET", "/fhir/Composition/c1/$verify", "")
	if code != 200 || !strings.Contains(body, `"severity":"error"`) || !strings.Contains(body, "changed after it was signed") ||
		!strings.Contains(body, "section[0].text.div") {
		t.Fatalf("changed: %d %s", code, body)
	}
	if code, body = do("GET", "/fhir/Patient/nobody/$export-record", ""); code != 404 {
		t.Fatalf("export of a missing patient: %d %s", code, body)
	}
}
