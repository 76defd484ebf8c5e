package rest

import (
	"errors"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/rawjson"
)

// rewriteRefs passes every string value of a "reference" property (at any
// depth: contained resources, extensions, backbone elements) through fn,
// keeping every other byte. It scans the raw JSON (rawjson) instead of
// re-encoding the document through a token decoder, which was a tenth of
// a transaction's CPU.
func rewriteRefs(body []byte, fn func(ref string) (string, error)) ([]byte, error) {
	out, err := rawjson.RewriteReferences(body, fn)
	if errors.Is(err, rawjson.ErrMalformed) {
		return nil, fhir.Errorf(fhir.KindInvalid, "%v", err)
	}
	return out, err
}
