package chat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	long := strings.Repeat("bị ho ", 600) // 3,600 runes
	tests := []struct {
		name, in, want string
	}{
		{"vietnamese kept", "  Đã uống thuốc sáng rồi ạ  ", "Đã uống thuốc sáng rồi ạ"},
		{"emoji and other scripts kept", "uống rồi 👍 咳嗽 سعال", "uống rồi 👍 咳嗽 سعال"},
		{"control characters dropped, line breaks kept", "a\x00b\x07c\nd\te\r", "abc\nd\te"},
		{"invalid utf-8 dropped", "u\xffống", "uống"},
		{"only spaces", " \n\t ", ""},
		{"long cut with an ellipsis", long, strings.TrimSpace(string([]rune(long)[:MaxStoredRunes])) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CleanText(tt.in)
			if got != tt.want {
				t.Errorf("CleanText = %q, want %q", ShortText(got, 60), ShortText(tt.want, 60))
			}
			if !utf8.ValidString(got) || utf8.RuneCountInString(got) > MaxStoredRunes+1 {
				t.Errorf("invalid or too long: %d runes", utf8.RuneCountInString(got))
			}
		})
	}
}

func TestVerifySMS(t *testing.T) {
	body := []byte(`{"from":"0912000001","text":"uong roi"}`)
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write(body)
	sig := hex.EncodeToString(mac.Sum(nil))
	tests := []struct {
		name   string
		mode   SMSAuth
		secret string
		header string
		ok     bool
	}{
		{"secret matches", SMSAuthSecret, "s3cret", "s3cret", true},
		{"secret differs", SMSAuthSecret, "s3cret", "s3cre", false},
		{"secret header missing", SMSAuthSecret, "s3cret", "", false},
		{"no secret configured", SMSAuthSecret, "", "", false},
		{"hmac bare hex", SMSAuthHMAC, "s3cret", sig, true},
		{"hmac with prefix", SMSAuthHMAC, "s3cret", "sha256=" + sig, true},
		{"hmac upper-case hex", SMSAuthHMAC, "s3cret", strings.ToUpper(sig), true},
		{"hmac of another body", SMSAuthHMAC, "s3cret", hex.EncodeToString(sha256.New().Sum(nil)), false},
		{"hmac under another secret", SMSAuthHMAC, "other", sig, false},
		{"hmac not hex", SMSAuthHMAC, "s3cret", "zz", false},
		{"the secret itself is not an hmac", SMSAuthHMAC, "s3cret", "s3cret", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySMS(tt.mode, tt.secret, tt.header, body)
			if (err == nil) != tt.ok {
				t.Fatalf("VerifySMS = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrBadSignature) {
				t.Errorf("error %v does not wrap ErrBadSignature", err)
			}
		})
	}
	if err := VerifySMS("basic", "s", "s", body); err == nil || errors.Is(err, ErrBadSignature) {
		t.Errorf("unknown mode: %v, want a configuration error", err)
	}
}

func TestParseSMS(t *testing.T) {
	tests := []struct {
		name, ctype, body string
		want              SMS
		err               bool
	}{
		{"json", "application/json", `{"from":"+84912000001","text":"Đã uống","id":"m-1"}`, SMS{"+84912000001", "Đã uống", "m-1"}, false},
		{"json aliases, numeric id", "application/json; charset=utf-8", `{"msisdn":"84912000001","message":"quen uong","message_id":12345}`, SMS{"84912000001", "quen uong", "12345"}, false},
		{"form", "application/x-www-form-urlencoded", "from=0912000001&body=b%E1%BB%8B+ho&sid=SM1", SMS{"0912000001", "bị ho", "SM1"}, false},
		{"empty text is allowed", "application/json", `{"from":"0912000001","text":""}`, SMS{From: "0912000001"}, false},
		{"no sender", "application/json", `{"text":"uong roi"}`, SMS{}, true},
		{"not json", "application/json", `from=1`, SMS{}, true},
		{"json array", "application/json", `["from"]`, SMS{}, true},
		{"bad form", "application/x-www-form-urlencoded", "from=%zz", SMS{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSMS(tt.ctype, []byte(tt.body))
			if (err != nil) != tt.err {
				t.Fatalf("ParseSMS error %v, want error %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("ParseSMS = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestVerifyZalo(t *testing.T) {
	const app, secret = "2553928453557884079", "oa-s3cret"
	body := []byte(`{"app_id":"2553928453557884079","event_name":"user_send_text","sender":{"id":"6142494823"},` +
		`"recipient":{"id":"3662729599332560487"},"message":{"text":"bị ho khan","msg_id":"cb31dff1"},"timestamp":"1699003881354"}`)
	// The documented MAC, computed independently of ZaloSignature.
	sum := sha256.Sum256([]byte(app + string(body) + "1699003881354" + secret))
	mac := hex.EncodeToString(sum[:])
	if got := ZaloSignature(app, body, "1699003881354", secret); got != mac {
		t.Fatalf("ZaloSignature = %s, want %s", got, mac)
	}
	numeric := []byte(`{"app_id":2553928453557884079,"event_name":"follow","timestamp":1699003881354}`)
	sumN := sha256.Sum256([]byte(app + string(numeric) + "1699003881354" + secret))
	tests := []struct {
		name         string
		app, secret  string
		header       string
		body         []byte
		wantSig, bad bool // wantSig: ErrBadSignature; bad: another error
	}{
		{"mac= prefix", app, secret, "mac=" + mac, body, false, false},
		{"bare hex", app, secret, mac, body, false, false},
		{"numbers for ids and timestamp", app, secret, hex.EncodeToString(sumN[:]), numeric, false, false},
		{"wrong secret", app, "other", "mac=" + mac, body, true, false},
		{"another app", "1111", secret, "mac=" + mac, body, true, false},
		{"body changed", app, secret, "mac=" + mac, []byte(strings.Replace(string(body), "bị ho khan", "uống rồi", 1)), true, false},
		{"no header", app, secret, "", body, true, false},
		{"not configured", "", "", "mac=" + mac, body, true, false},
		{"not json", app, secret, "mac=" + mac, []byte("hello"), false, true},
		{"no timestamp", app, secret, "mac=" + mac, []byte(`{"app_id":"2553928453557884079"}`), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyZalo(tt.app, tt.secret, tt.header, tt.body)
			switch {
			case tt.wantSig:
				if !errors.Is(err, ErrBadSignature) {
					t.Fatalf("VerifyZalo = %v, want ErrBadSignature", err)
				}
			case tt.bad:
				if err == nil || errors.Is(err, ErrBadSignature) {
					t.Fatalf("VerifyZalo = %v, want a parse error", err)
				}
			case err != nil:
				t.Fatalf("VerifyZalo: %v", err)
			}
		})
	}
	e, err := VerifyZalo(app, secret, "mac="+mac, body)
	if err != nil {
		t.Fatal(err)
	}
	want := ZaloEvent{AppID: app, Event: ZaloTextEvent, Sender: "6142494823", Text: "bị ho khan", MsgID: "cb31dff1", Timestamp: "1699003881354"}
	if e != want {
		t.Errorf("event %+v, want %+v", e, want)
	}
}

func TestTurnResources(t *testing.T) {
	at := time.Date(2025, 6, 30, 19, 5, 0, 0, time.FixedZone("ICT", 7*3600))
	turn := Turn{ID: "6f1c", Patient: "Patient/p1", Medium: MediumSMS, Text: "quên uống tối qua", Received: at,
		GatewaySystem: SystemInboundSMS, GatewayID: "gw-9", Intent: Missed, Recorded: []string{"MedicationAdministration/a1"},
		Reply: "Sen đã ghi nhận", ReplyLang: "vi"}
	rs, err := turn.Resources()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("%d resources, want 2", len(rs))
	}
	type comm struct {
		ResourceType string
		Identifier   []struct{ System, Value string }
		Category     []struct {
			Coding []struct{ System, Code string }
		}
		Medium       []struct{ Text string }
		Sender       struct{ Reference string }
		Recipient    []struct{ Reference string }
		About        []struct{ Reference string }
		InResponseTo []struct {
			Identifier struct{ System, Value string }
		}
		Payload  []struct{ ContentString string }
		Language string
		Sent     string
	}
	var msg, reply comm
	if err := json.Unmarshal(rs[0], &msg); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rs[1], &reply); err != nil {
		t.Fatal(err)
	}
	if msg.ResourceType != "Communication" || msg.Category[0].Coding[0].Code != ConversationMessage || msg.Sender.Reference != "Patient/p1" ||
		msg.Payload[0].ContentString != "quên uống tối qua" || msg.Medium[0].Text != "sms" || len(msg.About) != 1 ||
		msg.About[0].Reference != "MedicationAdministration/a1" || msg.Sent != "2025-06-30T19:05:00+07:00" {
		t.Errorf("message %+v", msg)
	}
	if len(msg.Identifier) != 2 || msg.Identifier[0].Value != "urn:uuid:6f1c" || msg.Identifier[1] != (struct{ System, Value string }{SystemInboundSMS, "gw-9"}) {
		t.Errorf("identifiers %+v", msg.Identifier)
	}
	if reply.Category[0].Coding[0].Code != ConversationReply || reply.Recipient[0].Reference != "Patient/p1" || reply.Language != "vi" ||
		reply.Payload[0].ContentString != "Sen đã ghi nhận" || len(reply.InResponseTo) != 1 || reply.InResponseTo[0].Identifier.Value != "urn:uuid:6f1c" {
		t.Errorf("reply %+v", reply)
	}
	caregiver := turn
	caregiver.Sender, caregiver.GatewayID, caregiver.Recorded = "RelatedPerson/c1", "", nil
	rs, err = caregiver.Resources()
	if err != nil {
		t.Fatal(err)
	}
	msg, reply = comm{}, comm{}
	_ = json.Unmarshal(rs[0], &msg)
	_ = json.Unmarshal(rs[1], &reply)
	if msg.Sender.Reference != "RelatedPerson/c1" || reply.Recipient[0].Reference != "RelatedPerson/c1" || len(msg.Identifier) != 1 || msg.About != nil {
		t.Errorf("caregiver's turn: %+v / %+v", msg, reply)
	}
	if _, err := (Turn{Patient: "Patient/p1", Received: at}).Resources(); err == nil {
		t.Error("a turn without id: no error")
	}
}
