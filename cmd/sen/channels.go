package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/reminder"
	"github.com/sen-emr/sen/internal/web"
)

// channelFlags configure how sen serve reaches patients with reminders.
// With none set, reminders are only written to the log.
type channelFlags struct {
	smsURL, smsKey, smsKeyHeader, smsBrandname string
	zaloURL, zaloToken, zaloTemplate           string
	vapidSubject, vapidPrivateKey              string
	pushHosts                                  []string
}

func (f *channelFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.smsURL, "sms-url", "", "SMS gateway endpoint (JSON POST); empty: no SMS / địa chỉ cổng SMS")
	fl.StringVar(&f.smsKey, "sms-key", "", "SMS gateway API key (secret) / khoá API cổng SMS")
	fl.StringVar(&f.smsKeyHeader, "sms-key-header", "Authorization", `header carrying --sms-key ("Authorization" sends "Bearer KEY")`)
	fl.StringVar(&f.smsBrandname, "sms-brandname", "", "SMS sender brandname / tên thương hiệu gửi SMS")
	fl.StringVar(&f.zaloURL, "zalo-url", reminder.ZaloEndpoint, "Zalo ZNS send-template endpoint")
	fl.StringVar(&f.zaloToken, "zalo-token", "", "Zalo OA access token (secret); empty: no Zalo / mã truy cập Zalo OA")
	fl.StringVar(&f.zaloTemplate, "zalo-template", "", "approved ZNS template id with parameters medicine, time, kind")
	fl.StringVar(&f.vapidSubject, "vapid-subject", "", `Web Push contact ("mailto:…" or https URL); empty: no Web Push`)
	fl.StringVar(&f.vapidPrivateKey, "vapid-private-key", "", "VAPID private key (secret, base64url); empty: generated into --data-dir/vapid.json")
	fl.StringSliceVar(&f.pushHosts, "push-hosts", reminder.DefaultPushHosts, "push services browsers may subscribe through (host or parent domain)")
}

// channels are the reminder channels opened for a server.
type channels struct {
	channel reminder.Channel      // the Router, or nil: the log channel
	names   []string              // in fallback order
	push    *reminder.PushStore   // nil without Web Push
	keys    reminder.VAPID        // with Web Push
	policy  reminder.PushPolicy   // with Web Push
	web     web.PushSubscriptions // nil without Web Push
}

// openChannels checks the flags and opens what they configure: the SMS
// and Zalo gateways, and for Web Push the VAPID keys (generated into the
// data directory on first start unless given) and push.db. Nothing it
// logs or prints is secret.
func openChannels(ctx context.Context, f *channelFlags, dataDir string, log *slog.Logger) (*channels, error) {
	c := &channels{}
	var chans []reminder.Channel
	if f.vapidSubject != "" {
		if !strings.HasPrefix(f.vapidSubject, "mailto:") && !strings.HasPrefix(f.vapidSubject, "https://") {
			return nil, errors.New(`--vapid-subject: want "mailto:address" or an https URL / cần "mailto:địa-chỉ" hoặc URL https`)
		}
		var err error
		if f.vapidPrivateKey != "" {
			c.keys, err = reminder.VAPIDFromPrivate(f.vapidPrivateKey)
			if err != nil {
				return nil, fmt.Errorf("--vapid-private-key: %w", err)
			}
		} else {
			if err := os.MkdirAll(dataDir, 0o750); err != nil {
				return nil, fmt.Errorf("data directory: %w", err)
			}
			var created bool
			path := filepath.Join(dataDir, "vapid.json")
			c.keys, created, err = reminder.LoadOrCreateVAPID(path)
			if err != nil {
				return nil, err
			}
			if created {
				log.Info("generated a VAPID key pair for Web Push", "file", path)
			}
		}
		c.policy = reminder.PushPolicy{Hosts: f.pushHosts}
		c.push, err = reminder.OpenPushStore(ctx, filepath.Join(dataDir, "push.db"), c.policy)
		if err != nil {
			return nil, err
		}
		c.web = pushRegistry{store: c.push, public: c.keys.Public}
		chans = append(chans, &reminder.WebPush{Keys: c.keys, Subject: f.vapidSubject, Store: c.push, Policy: c.policy})
	}
	if f.zaloToken != "" {
		if f.zaloTemplate == "" {
			c.close()
			return nil, errors.New("--zalo-token needs --zalo-template (an approved ZNS template id) / cần mã mẫu ZNS đã duyệt")
		}
		if err := checkGatewayURL("--zalo-url", f.zaloURL); err != nil {
			c.close()
			return nil, err
		}
		chans = append(chans, reminder.NewZalo(f.zaloURL, f.zaloToken, f.zaloTemplate, nil))
	}
	if f.smsURL != "" {
		if err := checkGatewayURL("--sms-url", f.smsURL); err != nil {
			c.close()
			return nil, err
		}
		chans = append(chans, reminder.NewSMS(f.smsURL, f.smsKey, f.smsKeyHeader, f.smsBrandname, nil))
	}
	if len(chans) > 0 {
		c.channel = reminder.Router{Channels: chans}
		for _, ch := range chans {
			c.names = append(c.names, ch.Name())
		}
	}
	return c, nil
}

func checkGatewayURL(flag, v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%s: want an http(s) URL / cần một URL http(s)", flag)
	}
	return nil
}

// banner says, in Vietnamese and English, how reminders go out.
func (c *channels) banner() string {
	if c == nil || c.channel == nil {
		return "Chưa cấu hình kênh nhắc nhở (SMS, Zalo, Web Push): lời nhắc chỉ được ghi vào nhật ký.\n" +
			"No reminder channel configured (SMS, Zalo, Web Push): reminders are only written to the log.\n"
	}
	list := strings.Join(c.names, " → ")
	return fmt.Sprintf("Lời nhắc được gửi qua / Reminders go out by: %s\n", list)
}

func (c *channels) close() {
	if c != nil && c.push != nil {
		c.push.Close()
	}
}

// pushRegistry adapts the push store to the patient app.
type pushRegistry struct {
	store  *reminder.PushStore
	public string
}

func (p pushRegistry) PublicKey() string { return p.public }

func (p pushRegistry) Subscribe(ctx context.Context, patient, endpoint, p256dh, auth string) error {
	var s reminder.Subscription
	s.Endpoint, s.Keys.P256dh, s.Keys.Auth = endpoint, p256dh, auth
	if err := p.store.Subscribe(ctx, patient, s); err != nil {
		if errors.Is(err, reminder.ErrBadSubscription) {
			return fmt.Errorf("%w: %w", web.ErrBadPushSubscription, err)
		}
		return err
	}
	return nil
}

func (p pushRegistry) Unsubscribe(ctx context.Context, patient, endpoint string) error {
	return p.store.Remove(ctx, patient, endpoint)
}

var _ web.PushSubscriptions = pushRegistry{}
