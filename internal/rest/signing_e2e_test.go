package rest_test

// End-to-end test of $sign and the X-Sen-Signature read header: a final
// Composition signed over HTTP by its author reads as "valid", a change
// makes it "changed", a draft or another person's signature is refused.

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

func newSigningKey(tb testing.TB, now time.Time) *sign.LocalKey {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "BS. Lê Thị Hoa"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	k, err := sign.NewLocalKey(key, []*x509.Certificate{cert})
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func TestSignOperationEndToEnd(t *testing.T) {
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
	// The signed-in user comes from a header here; sen serve takes it from
	// the access token.
	signing := &rest.Signing{Key: newSigningKey(t, now), Signer: func(r *http.Request) (string, string, error) {
		return r.Header.Get("X-Test-User"), "", nil
	}}
	srv := httptest.NewServer(rest.New(rest.Config{Store: db, Indexer: ix, Model: model,
		Parser: rest.QueryParserFunc(func(typ string, p url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, p, strict)
		}),
		Now: func() time.Time { return now }, Signing: signing}))
	defer srv.Close()
	do := func(method, path, body, user string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/fhir+json")
		if user != "" {
			req.Header.Set("X-Test-User", user)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}
	note := func(status, advice string) string {
		return `{"resourceType":"Composition","id":"c1","status":"` + status + `","type":{"text":"Giấy ra viện"},"date":"2026-03-02","author":[{"reference":"Practitioner/d1"}],"title":"Giấy ra viện","section":[{"title":"Lời dặn","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">` + advice + `</div>"}}]}`
	}
	if code, body, _ := do("PUT", "/fhir/Composition/c1", note("preliminary", "Tái khám sau 30 ngày"), ""); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}

	steps := []struct {
		name              string
		method, path      string
		body, user        string
		wantCode          int
		wantBody, wantHdr string
	}{
		{"unsigned read", "GET", "/fhir/Composition/c1", "", "", 200, "", rest.SignatureUnsigned},
		{"draft refused", "POST", "/fhir/Composition/c1/$sign", "", "Practitioner/d1", 422, "finalised", ""},
		{"finalise", "PUT", "/fhir/Composition/c1", note("final", "Tái khám sau 30 ngày"), "", 200, "", ""},
		{"no signer", "POST", "/fhir/Composition/c1/$sign", "", "", 400, "who signs", ""},
		{"not the author", "POST", "/fhir/Composition/c1/$sign", "", "Practitioner/d2", 403, "not an author", ""},
		{"signing for another", "POST", "/fhir/Composition/c1/$sign?who=Practitioner/d1", "", "Practitioner/d2", 403, "cannot sign as", ""},
		{"patient cannot sign", "POST", "/fhir/Composition/c1/$sign", "", "Patient/p1", 403, "not a practitioner", ""},
		{"not a document", "POST", "/fhir/Patient/p1/$sign", "", "Practitioner/d1", 400, "can be signed", ""},
		{"author signs", "POST", "/fhir/Composition/c1/$sign", "", "Practitioner/d1", 201, `"Composition/c1/_history/2"`, ""},
		{"signed read", "GET", "/fhir/Composition/c1", "", "", 200, "", rest.SignatureValid},
		{"verify", "GET", "/fhir/Composition/c1/$verify", "", "", 200, "signature valid", ""},
		{"change after signing", "PUT", "/fhir/Composition/c1", note("amended", "Tái khám sau 60 ngày"), "", 200, "", ""},
		{"changed read", "GET", "/fhir/Composition/c1", "", "", 200, "", rest.SignatureChanged},
		{"verify names the change", "GET", "/fhir/Composition/c1/$verify", "", "", 200, "section[0].text.div", ""},
		{"re-sign the amendment", "POST", "/fhir/Composition/c1/$sign", `{"resourceType":"Parameters","parameter":[{"name":"role","valueCode":"author"}]}`, "Practitioner/d1", 201, `"Composition/c1/_history/3"`, ""},
		{"amendment signed", "GET", "/fhir/Composition/c1", "", "", 200, "", rest.SignatureValid},
	}
	for _, st := range steps {
		code, body, hdr := do(st.method, st.path, st.body, st.user)
		if code != st.wantCode || !strings.Contains(body, st.wantBody) {
			t.Fatalf("%s: got %d %s, want %d containing %q", st.name, code, body, st.wantCode, st.wantBody)
		}
		if got := hdr.Get(rest.SignatureHeader); got != st.wantHdr {
			t.Fatalf("%s: %s = %q, want %q", st.name, rest.SignatureHeader, got, st.wantHdr)
		}
	}
}

func TestNoSigningNoHeader(t *testing.T) {
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
	h := rest.New(rest.Config{Store: db, Indexer: ix, Model: model,
		Parser: rest.QueryParserFunc(func(typ string, p url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, p, strict)
		})})
	req := httptest.NewRequest("POST", "/fhir/Composition/c1/$sign?who=Practitioner/d1", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusNotFound {
		t.Fatalf("$sign without a key: got %d, want 404", w.Code)
	}
}
