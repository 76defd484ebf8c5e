package subscription

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// LogHandler serves GET /fhir/Subscription/{id}/$deliveries: the latest
// delivery attempts (newest first, _count up to 1000, default 100) as a
// Parameters resource with one "delivery" part each. The Subscription is
// read first through reader, so whoever may not read the Subscription
// (the access guard decides, from the request's context) gets its error,
// not the log.
func (h *Hub) LogHandler(reader store.Reader) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if _, err := reader.Read(r.Context(), "Subscription", id); err != nil {
			writeOutcome(w, err)
			return
		}
		limit := 100
		if c := r.URL.Query().Get("_count"); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil || n < 1 || n > 1000 {
				writeOutcome(w, fhir.Errorf(fhir.KindInvalid, "_count must be a whole number from 1 to 1000, got %q", c))
				return
			}
			limit = n
		}
		entries, err := h.cfg.Log.List(r.Context(), "Subscription/"+id, limit)
		if err != nil {
			h.cfg.Logger.Error("subscription: read delivery log", "err", err)
			writeOutcome(w, &fhir.Error{Kind: fhir.KindInternal, Msg: "could not read the delivery log"})
			return
		}
		params := []any{}
		for _, e := range entries {
			parts := []any{
				map[string]any{"name": "resource", "valueString": e.Resource},
				map[string]any{"name": "idempotencyKey", "valueString": e.IdempotencyKey},
				map[string]any{"name": "attempt", "valueInteger": e.Attempt},
				map[string]any{"name": "time", "valueInstant": e.At.UTC().Format(time.RFC3339Nano)},
				map[string]any{"name": "outcome", "valueCode": e.Outcome},
				map[string]any{"name": "durationMs", "valueInteger": e.Duration.Milliseconds()},
			}
			if e.HTTPStatus != 0 {
				parts = append(parts, map[string]any{"name": "httpStatus", "valueInteger": e.HTTPStatus})
			}
			if e.Error != "" {
				parts = append(parts, map[string]any{"name": "error", "valueString": e.Error})
			}
			params = append(params, map[string]any{"name": "delivery", "part": parts})
		}
		w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
		json.NewEncoder(w).Encode(map[string]any{"resourceType": "Parameters", "parameter": params}) //nolint:errcheck // the client went away
	})
}

func writeOutcome(w http.ResponseWriter, err error) {
	k := fhir.KindOf(err)
	msg := err.Error()
	if k == fhir.KindInternal {
		msg = "internal server error"
	}
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	w.WriteHeader(k.Status())
	json.NewEncoder(w).Encode(map[string]any{"resourceType": "OperationOutcome", //nolint:errcheck // the client went away
		"issue": []any{map[string]any{"severity": "error", "code": k.IssueCode(), "diagnostics": msg}}})
}
