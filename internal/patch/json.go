package patch

import (
	"errors"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"github.com/sen-emr/sen/internal/fhir"
)

// ApplyJSON applies an RFC 6902 JSON Patch document to doc and returns the
// patched JSON. A malformed patch is KindInvalid; a patch that cannot be
// applied (missing path, failed test op) is KindUnprocessable, as the FHIR
// patch interaction asks for 422 in that case.
//
// Spec: https://hl7.org/fhir/R4/http.html#patch, RFC 6902.
func ApplyJSON(doc, patchDoc []byte) ([]byte, error) {
	p, err := jsonpatch.DecodePatch(patchDoc)
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: "malformed JSON Patch document", Err: err}
	}
	opts := jsonpatch.NewApplyOptions()
	// RFC 6902 4.1: missing parents are an error, never created.
	opts.EnsurePathExistsOnAdd = false
	out, err := p.ApplyWithOptions(doc, opts)
	if err != nil {
		msg := "JSON Patch cannot be applied"
		var ae *jsonpatch.AccumulatedCopySizeError
		if !errors.As(err, &ae) {
			msg += ": " + err.Error()
		}
		return nil, &fhir.Error{Kind: fhir.KindUnprocessable, Msg: msg, Err: err}
	}
	return out, nil
}
