package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// PushSubscriptions registers the patient app's browsers for reminders by
// Web Push (the server wires internal/reminder's store to it). It is
// optional: without it the app offers no notifications.
type PushSubscriptions interface {
	// PublicKey is the server's VAPID public key (base64url), the
	// applicationServerKey browsers subscribe with.
	PublicKey() string
	// Subscribe stores a browser's subscription for a patient (a FHIR
	// id). An error wrapping ErrBadPushSubscription is the caller's
	// fault (HTTP 400).
	Subscribe(ctx context.Context, patientID, endpoint, p256dh, auth string) error
	// Unsubscribe forgets it; an unknown endpoint is not an error.
	Unsubscribe(ctx context.Context, patientID, endpoint string) error
}

// ErrBadPushSubscription marks a subscription the server cannot use.
var ErrBadPushSubscription = errors.New("invalid push subscription")

// pushJSON is PushSubscription.toJSON() as the browser sends it.
type pushJSON struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

func (h *Handler) readPush(w http.ResponseWriter, r *http.Request) (pid string, s pushJSON, ok bool, err error) {
	if h.cfg.Push == nil {
		return "", s, false, notFound("error.notfound")
	}
	_, pid, ok = h.patientUser(w, r)
	if !ok {
		return "", s, false, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<10))
	if err != nil {
		return "", s, false, badRequest("error.invalid", err)
	}
	if err := json.Unmarshal(b, &s); err != nil || s.Endpoint == "" {
		return "", s, false, badRequest("error.invalid", err)
	}
	return pid, s, true, nil
}

// mePushSubscribe stores the browser's push subscription (POST /me/push,
// JSON from PushSubscription.toJSON()) for the patient the user acts for.
func (h *Handler) mePushSubscribe(w http.ResponseWriter, r *http.Request) error {
	pid, s, ok, err := h.readPush(w, r)
	if !ok || err != nil {
		return err
	}
	if err := h.cfg.Push.Subscribe(r.Context(), pid, s.Endpoint, s.Keys.P256dh, s.Keys.Auth); err != nil {
		if errors.Is(err, ErrBadPushSubscription) {
			return badRequest("error.invalid", err)
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// mePushUnsubscribe forgets it (POST /me/push/delete, {"endpoint": …}).
func (h *Handler) mePushUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	pid, s, ok, err := h.readPush(w, r)
	if !ok || err != nil {
		return err
	}
	if err := h.cfg.Push.Unsubscribe(r.Context(), pid, s.Endpoint); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pushKey is the VAPID public key the today page hands to me.js ("" when
// the server sends no push notifications).
func (h *Handler) pushKey() string {
	if h.cfg.Push == nil {
		return ""
	}
	return h.cfg.Push.PublicKey()
}
