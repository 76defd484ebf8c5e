package reminder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// GatewayError is a delivery a gateway refused or could not take.
// Temporary errors (time-outs, connection failures, HTTP 5xx, 408, 429)
// are worth retrying later; the others (HTTP 4xx, an error in the
// gateway's JSON answer, an invalid address) are not, and a Router moves
// on to the patient's next channel instead.
type GatewayError struct {
	Status    int    // HTTP status, 0 when no answer came
	Code      string // the gateway's own error code, if it gave one
	Message   string // the gateway's message (or the transport error)
	Temporary bool
}

func (e *GatewayError) Error() string {
	var b strings.Builder
	b.WriteString("gateway")
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": error %s", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Permanent reports whether err says that sending the same message again
// through the same channel cannot succeed: a refusal by the gateway or an
// address the channel cannot use. Other errors (unknown ones included)
// are retried.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUndeliverable) || errors.Is(err, ErrNoAddress) {
		return true
	}
	var ge *GatewayError
	if errors.As(err, &ge) {
		return !ge.Temporary
	}
	return false
}

// ErrNoAddress is returned (wrapped) by a channel that has no usable
// address for the patient: no or an invalid mobile number, no push
// subscription. It is permanent.
var ErrNoAddress = errors.New("no address on this channel / không có địa chỉ trên kênh này")

// Answer reads a gateway's HTTP answer: the receipt id on success, a
// *GatewayError otherwise.
type Answer func(status int, body []byte) (receipt string, err error)

// HTTP is the Transport of HTTP gateways: it POSTs the JSON body with the
// configured headers (an API key, a bearer token, Zalo's access_token)
// and reads the answer with Answer. Retries are not its business: the
// job queue retries temporary errors with backoff. It is safe for
// concurrent use.
type HTTP struct {
	// Client sends the requests; nil uses a client with a 15 s time-out.
	// Never http.DefaultClient: it has no time-out.
	Client *http.Client
	// Header is added to every request.
	Header http.Header
	// Answer reads the answer; nil is GenericAnswer.
	Answer Answer
}

// maxAnswer bounds how much of a gateway's answer is read.
const maxAnswer = 64 << 10

var defaultClient = &http.Client{Timeout: 15 * time.Second}

// Post sends body to endpoint.
func (h HTTP) Post(ctx context.Context, endpoint string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", &GatewayError{Message: err.Error()} // a malformed endpoint: configuration, not retried
	}
	for k, vs := range h.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	c := h.Client
	if c == nil {
		c = defaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", &GatewayError{Message: transportMessage(err), Temporary: true}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return "", &GatewayError{Status: resp.StatusCode, Message: transportMessage(err), Temporary: true}
	}
	answer := h.Answer
	if answer == nil {
		answer = GenericAnswer
	}
	return answer(resp.StatusCode, b)
}

// transportMessage names a time-out plainly; other errors as they are
// (without the URL, which may carry a key in its query).
func transportMessage(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return "timed out / hết thời gian chờ"
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return ue.Unwrap().Error()
	}
	return err.Error()
}

// temporaryStatus: server errors, request time-out and rate limiting.
func temporaryStatus(status int) bool {
	return status >= 500 || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests
}

// httpError builds the error of a non-2xx answer, with the gateway's
// message when its body is JSON that has one.
func httpError(status int, body []byte) *GatewayError {
	e := &GatewayError{Status: status, Temporary: temporaryStatus(status)}
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil {
		e.Message = firstString(obj, "message", "error_description", "error_message", "description", "detail", "error")
		e.Code = firstString(obj, "code", "error_code", "errorCode")
		if e.Code == "" {
			if v, ok := obj["error"].(float64); ok {
				e.Code = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}
	if e.Message == "" {
		e.Message = snippet(body)
	}
	return e
}

// GenericAnswer reads the answer of a generic HTTP SMS gateway. A non-2xx
// status is an error carrying the gateway's message ("message",
// "error_description", "error" …). A 2xx answer is a success unless its
// JSON says otherwise ("success": false, a non-zero numeric "error" or
// "error_code", "status": "error"/"failed"); the receipt is the first of
// "id", "message_id", "messageId", "msg_id", "sid", "request_id", at the
// top level or under "data". A 2xx answer without JSON is accepted with
// the receipt "http-<status>".
func GenericAnswer(status int, body []byte) (string, error) {
	if status < 200 || status > 299 {
		return "", httpError(status, body)
	}
	var obj map[string]any
	if len(bytes.TrimSpace(body)) == 0 || json.Unmarshal(body, &obj) != nil {
		return "http-" + strconv.Itoa(status), nil
	}
	failed := false
	if v, ok := obj["success"].(bool); ok && !v {
		failed = true
	}
	for _, k := range []string{"error", "error_code"} {
		if v, ok := obj[k].(float64); ok && v != 0 {
			failed = true
		}
	}
	if s, ok := obj["status"].(string); ok && (strings.EqualFold(s, "error") || strings.EqualFold(s, "failed")) {
		failed = true
	}
	if failed {
		e := httpError(status, body)
		e.Temporary = false
		return "", e
	}
	keys := []string{"id", "message_id", "messageId", "msg_id", "sid", "request_id"}
	if r := firstString(obj, keys...); r != "" {
		return r, nil
	}
	if d, ok := obj["data"].(map[string]any); ok {
		if r := firstString(d, keys...); r != "" {
			return r, nil
		}
	}
	return "http-" + strconv.Itoa(status), nil
}

// ZaloAnswer reads the answer of Zalo's ZNS API:
// {"error":0,"message":"Success","data":{"msg_id":"…"}} on success. Zalo
// answers refusals with HTTP 200 and a non-zero "error" (an invalid
// token, a number not on Zalo, a template not approved, the daily quota
// spent …): permanent, so that the Router falls back to SMS. An answer
// that cannot be read is permanent too: the message may have gone out,
// and sending it again could remind the patient twice.
func ZaloAnswer(status int, body []byte) (string, error) {
	if status < 200 || status > 299 {
		return "", httpError(status, body)
	}
	var a struct {
		Error   *int   `json:"error"`
		Message string `json:"message"`
		Data    struct {
			MsgID string `json:"msg_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.Error == nil {
		return "", &GatewayError{Status: status, Message: "unreadable ZNS answer: " + snippet(body)}
	}
	if *a.Error != 0 {
		return "", &GatewayError{Status: status, Code: strconv.Itoa(*a.Error), Message: a.Message}
	}
	if a.Data.MsgID == "" {
		return "", &GatewayError{Status: status, Message: "ZNS answer without msg_id"}
	}
	return a.Data.MsgID, nil
}

func firstString(obj map[string]any, keys ...string) string {
	for _, k := range keys {
		switch v := obj[k].(type) {
		case string:
			if v != "" {
				return v
			}
		case float64:
			if k != "error" && k != "error_code" {
				return strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}
	return ""
}

// snippet is the start of an answer body, for error messages.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

var _ Transport = HTTP{}

// ZaloEndpoint is the ZNS API's "send a template message" address.
const ZaloEndpoint = "https://business.openapi.zalo.me/message/template"

// NewSMS returns the channel of a generic HTTP SMS gateway at endpoint.
// The API key goes in header keyHeader: "Authorization" (or "") sends
// "Bearer <key>", any other header name the bare key (e.g. X-API-Key).
// client nil uses a 15 s time-out.
func NewSMS(endpoint, key, keyHeader, brandname string, client *http.Client) SMS {
	h := http.Header{}
	if key != "" {
		if keyHeader == "" || strings.EqualFold(keyHeader, "Authorization") {
			h.Set("Authorization", "Bearer "+key)
		} else {
			h.Set(keyHeader, key)
		}
	}
	return SMS{Transport: HTTP{Client: client, Header: h, Answer: GenericAnswer}, Endpoint: endpoint, Sender: brandname}
}

// NewZalo returns the Zalo ZNS channel: the OA's access token in the
// access_token header, answers read by ZaloAnswer. endpoint "" is
// ZaloEndpoint.
func NewZalo(endpoint, accessToken, templateID string, client *http.Client) Zalo {
	if endpoint == "" {
		endpoint = ZaloEndpoint
	}
	h := http.Header{}
	h.Set("access_token", accessToken)
	return Zalo{Transport: HTTP{Client: client, Header: h, Answer: ZaloAnswer}, Endpoint: endpoint, TemplateID: templateID}
}
