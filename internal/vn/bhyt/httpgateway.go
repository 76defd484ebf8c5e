package bhyt

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// HTTPGateway is the Gateway over the social-insurance (BHXH) gateway's
// HTTP API (REGULATIONS.md §2 [C]):
//
//   - token: POST {BaseURL}/api/token/take, form-encoded username and the
//     password as upper-case hex MD5;
//   - check-in: POST {BaseURL}/api/qd130/checkInKcbQd3176, loaiHoSo=0;
//   - claim: POST {BaseURL}/api/qd130/guiHoSoXmlQD4750, loaiHoSo=130, maTinh,
//     maCSKCB, fileHSBase64;
//   - answer: maKetQua, maGiaoDich, thoiGianTiepNhan (yyyyMMddHHmmss),
//     thongDiep.
//
// Assumed [M], to confirm with the facility's gateway contract: the token
// answer's shape ({"maKetQua", "APIKey": {"access_token", "id_token",
// "expires_in"}}), the token passed as query parameters token, id_token
// and username with a JSON body, and "000" meaning accepted. A network
// error, a timeout, HTTP 5xx or 429 are temporary (retried by the sending
// queue); an answer with another result code is a rejection (ErrRejected).
// Safe for concurrent use.
type HTTPGateway struct {
	BaseURL  string // e.g. https://egw.baohiemxahoi.gov.vn
	Username string
	Password string // plain; sent as MD5 as the gateway requires
	Client   *http.Client
	Now      func() time.Time

	mu      sync.Mutex
	token   string
	idToken string
	expires time.Time
}

func (g *HTTPGateway) client() *http.Client {
	if g.Client != nil {
		return g.Client
	}
	return &http.Client{Timeout: 60 * time.Second}
}

func (g *HTTPGateway) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// temporary marks an error the queue should retry.
type temporary struct{ err error }

func (t temporary) Error() string { return t.err.Error() }
func (t temporary) Unwrap() error { return t.err }

// login gets (or reuses) the access token.
func (g *HTTPGateway) login(ctx context.Context, force bool) (token, idToken string, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !force && g.token != "" && g.now().Before(g.expires) {
		return g.token, g.idToken, nil
	}
	sum := md5.Sum([]byte(g.Password))
	form := url.Values{"username": {g.Username}, "password": {strings.ToUpper(hex.EncodeToString(sum[:]))}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(g.BaseURL, "/")+"/api/token/take", strings.NewReader(form.Encode()))
	if err != nil {
		return "", "", fmt.Errorf("bhxh gateway token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	body, status, err := g.send(req)
	if err != nil {
		return "", "", err
	}
	var ans struct {
		Code   string `json:"maKetQua"`
		APIKey struct {
			AccessToken string `json:"access_token"`
			IDToken     string `json:"id_token"`
			ExpiresIn   int    `json:"expires_in"`
		} `json:"APIKey"`
	}
	if err := json.Unmarshal(body, &ans); err != nil || ans.APIKey.AccessToken == "" {
		if status == http.StatusUnauthorized || status == http.StatusForbidden || ans.Code == "401" {
			return "", "", fmt.Errorf("bhxh gateway token: account refused (HTTP %d, code %s) / cổng BHXH từ chối tài khoản", status, ans.Code)
		}
		return "", "", temporary{fmt.Errorf("bhxh gateway token: HTTP %d, no access token", status)}
	}
	life := time.Duration(ans.APIKey.ExpiresIn) * time.Second
	if life <= 0 {
		life = 30 * time.Minute
	}
	g.token, g.idToken, g.expires = ans.APIKey.AccessToken, ans.APIKey.IDToken, g.now().Add(life-time.Minute)
	return g.token, g.idToken, nil
}

// send runs req and reads the answer; transport failures, 5xx and 429 are
// temporary.
func (g *HTTPGateway) send(req *http.Request) ([]byte, int, error) {
	resp, err := g.client().Do(req)
	if err != nil {
		return nil, 0, temporary{fmt.Errorf("bhxh gateway %s: %w", req.URL.Path, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, resp.StatusCode, temporary{fmt.Errorf("bhxh gateway %s: read answer: %w", req.URL.Path, err)}
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return nil, resp.StatusCode, temporary{fmt.Errorf("bhxh gateway %s: HTTP %d", req.URL.Path, resp.StatusCode)}
	}
	return body, resp.StatusCode, nil
}

// wireReceipt is the gateway's answer as sent.
type wireReceipt struct {
	Code        string `json:"maKetQua"`
	Transaction string `json:"maGiaoDich"`
	Received    string `json:"thoiGianTiepNhan"`
	Message     string `json:"thongDiep"`
}

// call posts a JSON body to path with the token, once more with a fresh
// token when the first is refused.
func (g *HTTPGateway) call(ctx context.Context, path, maLK string, payload map[string]any) (Receipt, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return Receipt{}, err
	}
	for attempt := 0; attempt < 2; attempt++ {
		token, idToken, err := g.login(ctx, attempt > 0)
		if err != nil {
			return Receipt{}, err
		}
		q := url.Values{"token": {token}, "id_token": {idToken}, "username": {g.Username}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(g.BaseURL, "/")+path+"?"+q.Encode(), bytes.NewReader(body))
		if err != nil {
			return Receipt{}, fmt.Errorf("bhxh gateway %s: %w", path, err)
		}
		req.Header.Set("Content-Type", "application/json")
		ans, status, err := g.send(req)
		if err != nil {
			return Receipt{}, err
		}
		if status == http.StatusUnauthorized && attempt == 0 {
			continue // the token expired early: log in again
		}
		var w wireReceipt
		if err := json.Unmarshal(ans, &w); err != nil || w.Code == "" {
			return Receipt{}, temporary{fmt.Errorf("bhxh gateway %s: HTTP %d, unreadable answer", path, status)}
		}
		r := Receipt{MaLK: maLK, Code: w.Code, Transaction: w.Transaction, Message: w.Message}
		if w.Received != "" {
			if t, err := ParseReceiptTime(w.Received); err == nil {
				r.Received = t
			}
		}
		if !r.Accepted() {
			return r, fmt.Errorf("%s %s: code %s %s: %w", path, maLK, r.Code, r.Message, ErrRejected)
		}
		return r, nil
	}
	return Receipt{}, temporary{errors.New("bhxh gateway: token refused twice")}
}

// CheckIn sends XML0.
func (g *HTTPGateway) CheckIn(ctx context.Context, maCSKCB string, xml0 []byte) (Receipt, error) {
	maLK := ""
	if t, ok := TableByName("XML0"); ok {
		if rows, _ := ParseTable(t, xml0); len(rows) > 0 {
			maLK = rows[0]["MA_LK"]
		}
	}
	return g.call(ctx, "/api/qd130/checkInKcbQd3176", maLK, map[string]any{"loaiHoSo": 0, "maCSKCB": maCSKCB,
		"fileHSBase64": base64.StdEncoding.EncodeToString(xml0)})
}

// Submit sends the claim envelope.
func (g *HTTPGateway) Submit(ctx context.Context, sub Submission) (Receipt, error) {
	return g.call(ctx, "/api/qd130/guiHoSoXmlQD4750", sub.MaLK, map[string]any{"loaiHoSo": 130, "maTinh": sub.MaTinh,
		"maCSKCB": sub.MaCSKCB, "fileHSBase64": base64.StdEncoding.EncodeToString(sub.Envelope)})
}

var _ Gateway = (*HTTPGateway)(nil)

// Handler serves the fake gateway over the HTTP API HTTPGateway speaks, so
// that tests and the demo exercise the real client: a token for any
// account, then check-ins and claims decoded and handed to CheckIn and
// Submit. A temporary failure answers 503; a rejection answers 200 with
// the refusal code, as the gateway does.
func (g *FakeGateway) Handler() http.Handler {
	const token = "fake-access-token"
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("POST /api/token/take", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("username") == "" || len(r.FormValue("password")) != 32 {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"maKetQua": "401"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"maKetQua": "200", "APIKey": map[string]any{
			"access_token": token, "id_token": "fake-id-token", "token_type": "bearer", "expires_in": 3600}})
	})
	handle := func(send func(ctx context.Context, in map[string]any, file []byte) (Receipt, error)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("token") != token {
				writeJSON(w, http.StatusUnauthorized, wireReceipt{Code: "401", Message: "token"})
				return
			}
			var in map[string]any
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				writeJSON(w, http.StatusBadRequest, wireReceipt{Code: "400", Message: "body"})
				return
			}
			s, _ := in["fileHSBase64"].(string)
			file, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				writeJSON(w, http.StatusOK, wireReceipt{Code: "400", Message: "fileHSBase64"})
				return
			}
			rc, err := send(r.Context(), in, file)
			if err != nil && rc.Code == "" {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
			writeJSON(w, http.StatusOK, wireReceipt{Code: rc.Code, Transaction: rc.Transaction,
				Received: rc.Received.In(vnZone).Format("20060102150405"), Message: rc.Message})
		}
	}
	mux.HandleFunc("POST /api/qd130/checkInKcbQd3176", handle(func(ctx context.Context, in map[string]any, file []byte) (Receipt, error) {
		cs, _ := in["maCSKCB"].(string)
		return g.CheckIn(ctx, cs, file)
	}))
	mux.HandleFunc("POST /api/qd130/guiHoSoXmlQD4750", handle(func(ctx context.Context, in map[string]any, file []byte) (Receipt, error) {
		maTinh, _ := in["maTinh"].(string)
		cs, _ := in["maCSKCB"].(string)
		maLK := ""
		if tables, _, err := OpenEnvelope(file); err == nil {
			if t, ok := TableByName("XML1"); ok {
				if rows, _ := ParseTable(t, tables["XML1"]); len(rows) > 0 {
					maLK = rows[0]["MA_LK"]
				}
			}
		}
		return g.Submit(ctx, Submission{MaLK: maLK, MaTinh: maTinh, MaCSKCB: cs, Envelope: file})
	}))
	return mux
}
