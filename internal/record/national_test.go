package record

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAssignPrescriptionCode(t *testing.T) {
	body := func(status, intent, extra string) []byte {
		return []byte(`{"resourceType":"MedicationRequest","id":"m","status":"` + status + `","intent":"` + intent + `"` + extra + `}`)
	}
	tests := []struct {
		name      string
		body      []byte
		shared    string
		wantCode  string // "new": a fresh valid code; "": none
		unchanged bool
	}{
		{"active order gets a code", body("active", "order", ""), "", "new", false},
		{"active original-order gets a code", body("active", "original-order", ""), "", "new", false},
		{"completed without a code is history: none", body("completed", "order", ""), "", "", true},
		{"completed keeps its code", body("completed", "order", `,"groupIdentifier":{"value":"79001zzzzzzz-C"}`), "", "79001zzzzzzz-C", true},
		{"second request of a prescription shares it", body("active", "order", ""), "01013abcdefg-C", "01013abcdefg-C", false},
		{"a coded request keeps its code", body("active", "order", `,"groupIdentifier":{"value":"79001zzzzzzz-N"}`), "01013abcdefg-C", "79001zzzzzzz-N", true},
		{"draft", body("draft", "order", ""), "", "", true},
		{"proposal", body("active", "proposal", ""), "", "", true},
		{"a malformed group identifier is replaced", body("active", "order", `,"groupIdentifier":{"value":"RX-1"}`), "", "new", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code, err := AssignPrescriptionCode(tt.body, "01013", tt.shared, nil)
			if err != nil {
				t.Fatal(err)
			}
			switch tt.wantCode {
			case "new":
				if !ValidPrescriptionCode(code) || !strings.HasPrefix(code, "01013") || !strings.HasSuffix(code, "-C") {
					t.Errorf("code %q", code)
				}
			default:
				if code != tt.wantCode {
					t.Errorf("code %q, want %q", code, tt.wantCode)
				}
			}
			if tt.unchanged != bytes.Equal(out, tt.body) {
				t.Errorf("body changed: %v, want %v: %s", !bytes.Equal(out, tt.body), !tt.unchanged, out)
			}
			if tt.wantCode != "" && PrescriptionCodeOf(out) != code {
				t.Errorf("stored code %q, returned %q", PrescriptionCodeOf(out), code)
			}
		})
	}
	if _, _, err := AssignPrescriptionCode(body("active", "order", ""), "0101", "", nil); err == nil {
		t.Error("a 4-character facility code was accepted")
	}
}

func TestSignHealthBook(t *testing.T) {
	e := &HealthBookEpisode{MaDinhDanh: "001060012345", Dot: DotDieuTri{MaDot: "e1"}, TomTat: "I10 Tăng huyết áp"}
	var signed []byte
	err := SignHealthBook(e, func(p []byte) (string, error) { signed = p; return "jws..sig", nil })
	if err != nil || e.ChuKy != "jws..sig" {
		t.Fatalf("sign: %v, ChuKy %q", err, e.ChuKy)
	}
	again, _ := e.SignedPayload()
	if !bytes.Equal(signed, again) || bytes.Contains(signed, []byte("chu_ky")) {
		t.Errorf("the signed payload must be the episode without ChuKy, and stable: %s / %s", signed, again)
	}
	e.TomTat = "changed"
	if changed, _ := e.SignedPayload(); bytes.Equal(changed, signed) {
		t.Error("a changed summary has the same payload")
	}
	if err := SignHealthBook(&HealthBookEpisode{}, func([]byte) (string, error) { return "", nil }); err == nil {
		t.Error("an empty signature was accepted")
	}
	if err := SignHealthBook(&HealthBookEpisode{}, func([]byte) (string, error) { return "", errors.New("hsm down") }); err == nil {
		t.Error("a signer failure was ignored")
	}
}

// The HTTP clients map the answers: 2xx with a receipt, 409 "already
// there", other 4xx final, 429/5xx temporary.
func TestNationalHTTPClients(t *testing.T) {
	var status int
	var answer string
	var gotAuth, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotAuth, gotBody = r.Header.Get("Authorization"), string(b)
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	rxs := &HTTPPrescriptionSystem{URL: srv.URL, Token: "tok"}
	hb := &HTTPHealthBook{URL: srv.URL, Token: "tok"}
	rx := &Prescription{MaDonThuoc: "01013abcdefg-C"}
	ep := &HealthBookEpisode{ChuKy: "sig", Dot: DotDieuTri{MaDot: "e1"}}
	tests := []struct {
		name        string
		status      int
		answer      string
		wantReceipt string
		wantErr     error // nil: none; errTemporary: an error that is neither sentinel
	}{
		{"accepted with a receipt field", 200, `{"ma_tiep_nhan":"TN-1"}`, "TN-1", nil},
		{"accepted with a plain body", 201, `ACK-7`, "ACK-7", nil},
		{"accepted without a receipt", 200, ``, "", errTemporary},
		{"duplicate", 409, `{"message":"exists"}`, "", ErrPrescriptionExists},
		{"rejected", 400, `{"message":"bad payload"}`, "", ErrRejected},
		{"rate limited", 429, ``, "", errTemporary},
		{"down", 503, ``, "", errTemporary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, answer = tt.status, tt.answer
			got, err := rxs.Send(context.Background(), rx)
			checkAnswer(t, "prescription", got, err, tt.wantReceipt, tt.wantErr)
			if gotAuth != "Bearer tok" || !strings.Contains(gotBody, `"ma_don_thuoc":"01013abcdefg-C"`) {
				t.Errorf("request: auth %q body %s", gotAuth, gotBody)
			}
			want := tt.wantErr
			if want == ErrPrescriptionExists {
				want = ErrRejected // a health book has no duplicate answer
			}
			got, err = hb.Push(context.Background(), ep)
			checkAnswer(t, "health book", got, err, tt.wantReceipt, want)
			var sent map[string]any
			if json.Unmarshal([]byte(gotBody), &sent) != nil || sent["chu_ky"] != "sig" {
				t.Errorf("health-book body %s", gotBody)
			}
		})
	}
}

var errTemporary = errors.New("temporary")

func checkAnswer(t *testing.T, what, got string, err error, want string, wantErr error) {
	t.Helper()
	switch {
	case wantErr == nil:
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", what, got, err, want)
		}
	case wantErr == errTemporary:
		if err == nil || errors.Is(err, ErrRejected) || errors.Is(err, ErrPrescriptionExists) {
			t.Errorf("%s: got %q, %v; want a temporary error", what, got, err)
		}
	default:
		if !errors.Is(err, wantErr) {
			t.Errorf("%s: got %v; want %v", what, err, wantErr)
		}
	}
}
