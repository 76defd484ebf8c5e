package obs

import "net/http"

// statusWriter remembers the status code and body size a handler wrote.
// Unwrap lets http.ResponseController reach the connection's Flush and
// deadlines through it.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// wrap returns w itself when an outer middleware already wrapped it, so
// that the logging and metrics layers share one wrapper.
func wrap(w http.ResponseWriter) *statusWriter {
	if sw, ok := w.(*statusWriter); ok {
		return sw
	}
	return &statusWriter{ResponseWriter: w}
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status sent, 200 when the handler wrote nothing (net/http's
// behaviour).
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
