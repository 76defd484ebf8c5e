package chat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Messages reach Sen from three media: the patient app's chat (/me/chat),
// an SMS gateway's inbound callback and the Zalo Official Account
// webhook. This file holds what they share and what can be checked
// without I/O: the conversation turn as FHIR Communications, the text
// kept of a message, and the webhooks' payloads and signatures. The
// server (cmd/sen) finds the patient, records the message through
// alert.Scanner.CheckIn and sends the answer back.

// SystemConversation codes the Communications that keep a conversation
// (Communication.category): ConversationMessage for what the patient
// (or their caregiver) wrote, ConversationReply for Sen's answer. They
// are apart from SystemCheckIn, so that a conversation turn is never
// taken for a side-effect report.
const (
	SystemConversation  = "https://sen-emr.github.io/fhir/CodeSystem/conversation"
	ConversationMessage = "patient-message"
	ConversationReply   = "sen-reply"
)

// Identifier systems of inbound messages: the gateway's message id, kept
// on the patient's message so that a gateway's retry of the same
// delivery is recognised and not recorded twice.
const (
	SystemInboundSMS  = "https://sen-emr.github.io/fhir/sid/inbound-sms"
	SystemInboundZalo = "https://sen-emr.github.io/fhir/sid/inbound-zalo"
	// SystemZaloUser is the Patient identifier holding the patient's Zalo
	// user id as the Official Account sees it (the webhook's sender.id).
	SystemZaloUser = "https://sen-emr.github.io/fhir/sid/zalo-user"
)

// Media a message arrives by (Communication.medium.text, as the reminder
// receipts name their channel).
const (
	MediumWeb  = "web"
	MediumSMS  = "sms"
	MediumZalo = "zalo"
)

// MaxStoredRunes bounds the text of a message kept in the record; a
// longer message is kept cut, with "…" (the rules read MaxRunes anyway).
const MaxStoredRunes = 2000

// CleanText is the text of a message as it is kept: valid UTF-8, control
// characters other than line breaks and tabs removed, surrounding space
// trimmed, at most MaxStoredRunes characters. Any script and any emoji
// are kept as written.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			continue
		}
		if r == unicode.ReplacementChar {
			continue
		}
		if n == MaxStoredRunes {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// Turn is one exchange: a message received and Sen's answer.
type Turn struct {
	ID       string // a UUID naming the turn (the message's identifier, urn:uuid:…)
	Patient  string // "Patient/123"
	Sender   string // who wrote: "Patient/123", "RelatedPerson/…"; "" is the patient
	Medium   string // MediumWeb, MediumSMS, MediumZalo
	Text     string // the message (CleanText)
	Received time.Time
	// GatewaySystem and GatewayID identify the delivery (SystemInboundSMS
	// and the gateway's message id); empty for the web chat.
	GatewaySystem, GatewayID string
	Intent                   Intent
	Recorded                 []string // "Type/id" written for the message (about)
	Reply                    string   // Sen's answer as sent
	ReplyLang                string   // "vi" or "en"
}

// Resources returns the two Communications that keep the turn in the
// record, to be written in one transaction: the message (category
// ConversationMessage, sender the patient or caregiver, the turn's UUID
// and the gateway's message id as identifiers, about → the resources it
// was recorded as, the intent in a note) and the answer (category
// ConversationReply, recipient the sender, inResponseTo → the message by
// its identifier, language ReplyLang).
func (t Turn) Resources() ([][]byte, error) {
	if t.ID == "" || t.Patient == "" || t.Received.IsZero() {
		return nil, errors.New("chat: a turn needs an id, the patient and the time received")
	}
	subject := map[string]any{"reference": t.Patient}
	sender := subject
	if t.Sender != "" {
		sender = map[string]any{"reference": t.Sender}
	}
	ident := map[string]any{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:" + t.ID}
	ids := []any{ident}
	if t.GatewaySystem != "" && t.GatewayID != "" {
		ids = append(ids, map[string]any{"system": t.GatewaySystem, "value": t.GatewayID})
	}
	medium := []any{map[string]any{"text": t.Medium}}
	received := t.Received.Format(time.RFC3339)
	msg := map[string]any{
		"resourceType": "Communication", "status": "completed", "identifier": ids,
		"category": []any{map[string]any{"text": "Tin nhắn của người bệnh / Patient message",
			"coding": []any{map[string]any{"system": SystemConversation, "code": ConversationMessage}}}},
		"medium": medium, "subject": subject, "sender": sender, "sent": received, "received": received,
	}
	if t.Text != "" { // an empty message is kept as such: FHIR has no empty strings
		msg["payload"] = []any{map[string]any{"contentString": t.Text}}
	}
	if t.Intent != "" {
		msg["note"] = []any{map[string]any{"text": "Sen hiểu là / understood as: " + string(t.Intent)}}
	}
	var about []any
	for _, ref := range t.Recorded {
		about = append(about, map[string]any{"reference": ref})
	}
	if len(about) > 0 {
		msg["about"] = about
	}
	reply := map[string]any{
		"resourceType": "Communication", "status": "completed",
		"category": []any{map[string]any{"text": "Sen trả lời / Sen's answer",
			"coding": []any{map[string]any{"system": SystemConversation, "code": ConversationReply}}}},
		"medium": medium, "subject": subject, "recipient": []any{sender}, "sent": received,
		"inResponseTo": []any{map[string]any{"identifier": ident}},
		"payload":      []any{map[string]any{"contentString": t.Reply}},
	}
	if t.ReplyLang != "" {
		reply["language"] = t.ReplyLang
	}
	var out [][]byte
	for _, m := range []map[string]any{msg, reply} {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("chat: turn: %w", err)
		}
		out = append(out, b)
	}
	return out, nil
}

// ErrBadSignature is returned when a webhook's secret or signature does
// not match: the request did not come from the configured gateway.
var ErrBadSignature = errors.New("chat: webhook signature or secret does not match")

// SMSAuth is how an SMS gateway proves its inbound callbacks.
type SMSAuth string

const (
	// SMSAuthSecret: the shared secret itself in a header.
	SMSAuthSecret SMSAuth = "secret"
	// SMSAuthHMAC: hex HMAC-SHA256 of the raw body under the secret in a
	// header, optionally prefixed "sha256=".
	SMSAuthHMAC SMSAuth = "hmac"
)

// DefaultSMSHeader is the header of each SMSAuth when none is configured.
func (a SMSAuth) DefaultHeader() string {
	if a == SMSAuthHMAC {
		return "X-Sen-Signature"
	}
	return "X-Sen-Secret"
}

// VerifySMS checks an SMS callback: header is the value of the configured
// header, body the raw request body. Comparisons take constant time.
func VerifySMS(a SMSAuth, secret, header string, body []byte) error {
	if secret == "" || header == "" {
		return ErrBadSignature
	}
	switch a {
	case SMSAuthSecret:
		if hmac.Equal([]byte(header), []byte(secret)) {
			return nil
		}
	case SMSAuthHMAC:
		got, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(header), "sha256="))
		if err != nil {
			return ErrBadSignature
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		if hmac.Equal(got, m.Sum(nil)) {
			return nil
		}
	default:
		return fmt.Errorf("chat: unknown SMS authentication %q", a)
	}
	return ErrBadSignature
}

// SMS is an inbound text message from a gateway's callback.
type SMS struct {
	From string // the sender's number as the gateway gives it
	Text string
	ID   string // the gateway's message id ("" when it gives none)
}

// ParseSMS reads a generic gateway's inbound callback: a JSON object or
// an HTML form (application/x-www-form-urlencoded), with the sender in
// "from" (or "msisdn", "phone", "sender"), the text in "text" (or
// "message", "body", "content") and the id in "id" (or "message_id",
// "messageId", "msg_id", "sid"). A missing sender is an error; an empty
// text is not (the patient is answered with the help text).
func ParseSMS(contentType string, body []byte) (SMS, error) {
	fields := map[string]string{}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return SMS{}, fmt.Errorf("chat: SMS callback: %w", err)
		}
		for k := range v {
			fields[k] = v.Get(k)
		}
	default: // JSON, whatever the gateway calls it
		var obj map[string]any
		if err := json.Unmarshal(body, &obj); err != nil {
			return SMS{}, fmt.Errorf("chat: SMS callback: not JSON or a form: %w", err)
		}
		for k, v := range obj {
			switch v := v.(type) {
			case string:
				fields[k] = v
			case float64:
				fields[k] = fmt.Sprintf("%.0f", v)
			}
		}
	}
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := strings.TrimSpace(fields[k]); v != "" {
				return v
			}
		}
		return ""
	}
	s := SMS{
		From: first("from", "msisdn", "phone", "sender"),
		Text: first("text", "message", "body", "content"),
		ID:   first("id", "message_id", "messageId", "msg_id", "sid"),
	}
	if s.From == "" {
		return SMS{}, errors.New("chat: SMS callback without a sender (from)")
	}
	if len(s.ID) > 200 {
		s.ID = s.ID[:200]
	}
	return s, nil
}

// ZaloEvent is a Zalo Official Account webhook event.
type ZaloEvent struct {
	AppID     string
	Event     string // "user_send_text", "follow", …
	Sender    string // the user's id as the OA sees it
	Text      string // message.text
	MsgID     string // message.msg_id
	Timestamp string // as sent (milliseconds since 1970)
}

// ZaloTextEvent is the event of a text a user sends the OA.
const ZaloTextEvent = "user_send_text"

// ParseZaloEvent reads a webhook body. Ids and the timestamp may come as
// strings or numbers; they are kept as the digits sent.
func ParseZaloEvent(body []byte) (ZaloEvent, error) {
	var raw struct {
		AppID     json.RawMessage `json:"app_id"`
		EventName string          `json:"event_name"`
		Sender    struct {
			ID json.RawMessage `json:"id"`
		} `json:"sender"`
		Message struct {
			Text  string          `json:"text"`
			MsgID json.RawMessage `json:"msg_id"`
		} `json:"message"`
		Timestamp json.RawMessage `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return ZaloEvent{}, fmt.Errorf("chat: Zalo event: %w", err)
	}
	e := ZaloEvent{AppID: scalar(raw.AppID), Event: raw.EventName, Sender: scalar(raw.Sender.ID),
		Text: raw.Message.Text, MsgID: scalar(raw.Message.MsgID), Timestamp: scalar(raw.Timestamp)}
	if e.AppID == "" || e.Timestamp == "" {
		return ZaloEvent{}, errors.New("chat: Zalo event without app_id or timestamp")
	}
	return e, nil
}

// scalar is a JSON string or number as text ("" for anything else).
func scalar(m json.RawMessage) string {
	var s string
	if json.Unmarshal(m, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(m, &n) == nil {
		return n.String()
	}
	return ""
}

// ZaloSignature is the MAC Zalo puts in the X-ZEvent-Signature header of
// a webhook call: hex SHA-256 of the app id, the raw body, the event's
// timestamp and the OA secret key, concatenated in that order
// (developers.zalo.me, "Xác thực webhook").
func ZaloSignature(appID string, body []byte, timestamp, oaSecret string) string {
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write(body)
	h.Write([]byte(timestamp))
	h.Write([]byte(oaSecret))
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyZalo checks a webhook call against the configured app id and OA
// secret key: the event's app_id must be ours and the header
// ("mac=<hex>" or the bare hex) its MAC. It returns the parsed event.
func VerifyZalo(appID, oaSecret, header string, body []byte) (ZaloEvent, error) {
	if appID == "" || oaSecret == "" {
		return ZaloEvent{}, ErrBadSignature
	}
	e, err := ParseZaloEvent(body)
	if err != nil {
		return ZaloEvent{}, err
	}
	if e.AppID != appID {
		return ZaloEvent{}, ErrBadSignature
	}
	got := strings.ToLower(strings.TrimSpace(header))
	got = strings.TrimPrefix(got, "mac=")
	want := ZaloSignature(appID, body, e.Timestamp, oaSecret)
	if !hmac.Equal([]byte(got), []byte(want)) {
		return ZaloEvent{}, ErrBadSignature
	}
	return e, nil
}

// ShortText is s cut to n runes, with "…" when it was longer (for log
// lines).
func ShortText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
