package rest

import (
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
)

// Limits bound what one request may ask of the server, so that a hostile
// or mistaken client gets a clear OperationOutcome instead of exhausting
// memory, stack or the database. Zero fields take the defaults below.
// (Body size is Config.MaxBodyBytes; header size and timeouts belong to
// the http.Server.)
type Limits struct {
	// MaxDepth is the deepest nesting of JSON objects and arrays accepted
	// in a body (default 100; R4 resources nest about 20 deep, a Bundle
	// adds 4). Deeper input is refused before any parser recurses into it.
	MaxDepth int
	// MaxBundleEntries is the most entries a batch or transaction may
	// hold (default 50,000).
	MaxBundleEntries int
	// MaxCount caps _count (default 1000): a larger one is reduced, with a
	// warning in the searchset's OperationOutcome entry.
	MaxCount int
	// MaxOffset is the largest _offset (default 10,000): deep offsets make
	// the database skip that many rows; clients page with the next links.
	MaxOffset int
}

const (
	defaultMaxDepth   = 100
	defaultMaxEntries = 50000
	defaultMaxCount   = 1000
	defaultMaxOffset  = 10000
)

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// checkDepth refuses JSON nested deeper than max. It scans bytes only
// (strings skipped), so it costs far less than the parse it protects.
func checkDepth(body []byte, max int) error {
	depth, inStr, esc := 0, false, false
	for _, c := range body {
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
			if depth > max {
				return fhir.Errorf(fhir.KindTooCostly,
					"the JSON body nests deeper than %d levels / dữ liệu JSON lồng nhau quá %d cấp", max, max)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// checkBodyDepth applies MaxDepth to JSON bodies (media types ending in
// json); forms and other media types are not nested.
func (s *server) checkBodyDepth(body []byte, mediaType string) error {
	if !strings.HasSuffix(strings.ToLower(mediaType), "json") {
		return nil
	}
	return checkDepth(body, orDefault(s.cfg.Limits.MaxDepth, defaultMaxDepth))
}

// checkEntries applies MaxBundleEntries.
func (s *server) checkEntries(n int) error {
	if max := orDefault(s.cfg.Limits.MaxBundleEntries, defaultMaxEntries); n > max {
		return fhir.Errorf(fhir.KindTooLarge,
			"the Bundle has %d entries, more than the limit of %d; split it / Bundle có %d mục, vượt giới hạn %d", n, max, n, max).At("Bundle.entry")
	}
	return nil
}

// checkWindow bounds a search's result window: _count above MaxCount is
// reduced (with a warning), _offset above MaxOffset is refused.
func (s *server) checkWindow(q *search.Query) error {
	if max := orDefault(s.cfg.Limits.MaxOffset, defaultMaxOffset); q.Offset > max {
		return fhir.Errorf(fhir.KindTooCostly,
			"_offset %d is beyond the limit of %d; follow the bundle's next links instead / _offset vượt giới hạn %d, hãy dùng liên kết next", q.Offset, max, max)
	}
	if max := orDefault(s.cfg.Limits.MaxCount, defaultMaxCount); q.Count > max {
		q.Warnings = append(q.Warnings, fmt.Sprintf("_count %d reduced to the maximum of %d / _count giảm xuống tối đa %d", q.Count, max, max))
		q.Count = max
	}
	return nil
}
