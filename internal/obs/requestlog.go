package obs

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// RequestIDHeader carries a request's id in and out, so that a log line of
// a proxy, of Sen and of a client can be joined.
const RequestIDHeader = "X-Request-Id"

type requestIDKey struct{}

// RequestID returns the request id RequestLog put in ctx ("" if none).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// RequestLog gives every request an id — the caller's X-Request-Id when it
// is a plausible one (1–128 visible ASCII characters), a new UUID otherwise
// — echoes it in the response header and the request context, and logs one
// line per request when it ends: method, path (without the query, which
// may hold patient identifiers), interaction, status, bytes, duration and
// id. Server errors log at Error level, client errors at Info.
func RequestLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = uuid.NewString()
		}
		w.Header().Set(RequestIDHeader, id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		sw := wrap(w)
		next.ServeHTTP(sw, r)
		code := sw.code()
		level := slog.LevelInfo
		if code >= 500 {
			level = slog.LevelError
		}
		interaction, _ := Route(r.Method, r.URL.Path)
		log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("interaction", interaction),
			slog.Int("status", code),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", r.RemoteAddr),
		)
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}
