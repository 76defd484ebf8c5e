package operation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/rawjson"
)

// errUnresolved marks a conditional reference that matched nothing yet; the
// importer retries the file once every other file has been read, since the
// bundle defining the target may come later.
var errUnresolved = errors.New("conditional reference matches no resource")

// resolver rewrites the references of imported resources to final
// Type/id form: urn:uuid fullUrls of the same bundle, and conditional
// references (Organization?identifier=sys|val) resolved against shared
// resources seen earlier in the import or already in the store.
type resolver struct {
	// byIdentifier maps "Type|system|value" (and "Type||value") of shared
	// resources seen in this import to "Type/id". Only types that others
	// refer to conditionally are kept (see sharedType), so memory stays
	// bounded by the number of organisations and practitioners, not
	// patients' records.
	byIdentifier map[string]string
	cache        map[string]string // conditional reference → Type/id
	// lookup asks the store for the ids matching a conditional reference;
	// nil means only this import's resources can match.
	lookup func(typ string, params url.Values) ([]string, error)
}

func newResolver(lookup func(string, url.Values) ([]string, error)) *resolver {
	return &resolver{byIdentifier: map[string]string{}, cache: map[string]string{}, lookup: lookup}
}

// sharedType reports whether resources of typ are commonly the target of
// conditional references in bulk data (Synthea refers to organisations,
// locations and practitioners by identifier).
func sharedType(typ string) bool {
	switch typ {
	case "Organization", "Location", "Practitioner", "PractitionerRole", "Medication",
		"HealthcareService", "Patient", "Device", "Endpoint":
		return true
	}
	return false
}

// remember records the identifiers of a shared resource.
func (rv *resolver) remember(typ, id string, body []byte) {
	var r struct {
		Identifier []struct{ System, Value string } `json:"identifier"`
	}
	if json.Unmarshal(body, &r) != nil {
		return
	}
	for _, ident := range r.Identifier {
		if ident.Value == "" {
			continue
		}
		rv.byIdentifier[typ+"|"+ident.System+"|"+ident.Value] = typ + "/" + id
		if _, ok := rv.byIdentifier[typ+"||"+ident.Value]; !ok {
			rv.byIdentifier[typ+"||"+ident.Value] = typ + "/" + id
		}
	}
}

// conditional resolves "Type?query" to "Type/id": errUnresolved when
// nothing matches, a KindMultipleMatches error when several do.
func (rv *resolver) conditional(ref string) (string, error) {
	if to, ok := rv.cache[ref]; ok {
		return to, nil
	}
	typ, query, _ := strings.Cut(ref, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return "", fhir.Errorf(fhir.KindInvalid, "conditional reference %q: %v", ref, err)
	}
	if vs := params["identifier"]; len(params) == 1 && len(vs) == 1 {
		sys, val, hasSys := strings.Cut(vs[0], "|")
		key := typ + "||" + vs[0]
		if hasSys {
			key = typ + "|" + sys + "|" + val
		}
		if to, ok := rv.byIdentifier[key]; ok {
			rv.cache[ref] = to
			return to, nil
		}
	}
	if rv.lookup == nil {
		return "", fmt.Errorf("%s: %w", ref, errUnresolved)
	}
	ids, err := rv.lookup(typ, params)
	if err != nil {
		return "", fmt.Errorf("conditional reference %s: %w", ref, err)
	}
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("%s: %w", ref, errUnresolved)
	case 1:
		rv.cache[ref] = typ + "/" + ids[0]
		return typ + "/" + ids[0], nil
	}
	return "", fhir.Errorf(fhir.KindMultipleMatches, "conditional reference %s matches %d resources", ref, len(ids))
}

// isConditional reports whether ref has the form Type?query.
func isConditional(ref string) bool {
	i := strings.IndexByte(ref, '?')
	if i < 1 || ref[0] < 'A' || ref[0] > 'Z' {
		return false
	}
	for _, c := range ref[:i] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// rewriteRefs returns body with the value of every "reference" member
// replaced by resolve's answer (rawjson.RewriteReferences), body itself
// when nothing changes.
func rewriteRefs(body []byte, resolve func(string) (string, error)) ([]byte, error) {
	out, err := rawjson.RewriteReferences(body, resolve)
	if errors.Is(err, rawjson.ErrMalformed) {
		return nil, fhir.Errorf(fhir.KindInvalid, "%v", err)
	}
	return out, err
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// inBundle is the part of a Bundle the importer reads.
type inBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Request  *struct {
			Method      string `json:"method"`
			URL         string `json:"url"`
			IfNoneExist string `json:"ifNoneExist"`
		} `json:"request"`
	} `json:"entry"`
}

// prepared is one input file turned into resources ready for ingest.
type prepared struct {
	bodies  [][]byte
	skipped int // entries not loaded: matched an existing resource, or GET/DELETE requests
}

// prepareJSON turns a JSON file (a Bundle or a single resource) into
// resource bodies with final ids and relative references.
func (rv *resolver) prepareJSON(body []byte) (*prepared, error) {
	typ, id, err := header(body)
	if err != nil {
		return nil, err
	}
	if typ != "Bundle" {
		b, err := rv.prepareOne(typ, id, id, body, nil)
		if err != nil {
			return nil, err
		}
		return &prepared{bodies: [][]byte{b}}, nil
	}
	var bn inBundle
	if err := json.Unmarshal(body, &bn); err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, "malformed Bundle: %v", err)
	}
	p := &prepared{}
	urls := map[string]string{} // fullUrl → Type/id
	type item struct {
		typ, id, oldID string
		body           []byte
	}
	items := make([]item, 0, len(bn.Entry))
	for i, e := range bn.Entry {
		if len(e.Resource) == 0 {
			p.skipped++
			continue
		}
		etyp, eid, err := header(e.Resource)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		id := eid
		if rq := e.Request; rq != nil {
			switch strings.ToUpper(rq.Method) {
			case "GET", "HEAD", "DELETE":
				p.skipped++
				continue
			case "PUT":
				if t, rid, ok := strings.Cut(rq.URL, "/"); ok && t == etyp && fhir.ValidID(rid) {
					id = rid
				}
			}
			if rq.IfNoneExist != "" {
				to, err := rv.conditional(etyp + "?" + rq.IfNoneExist)
				switch {
				case err == nil:
					// The resource exists already (conditional create matched): refer to it.
					if e.FullURL != "" {
						urls[e.FullURL] = to
					}
					p.skipped++
					continue
				case !errors.Is(err, errUnresolved):
					return nil, fmt.Errorf("entry %d: %w", i, err)
				}
			}
		}
		if !fhir.ValidID(id) {
			id = strings.TrimPrefix(e.FullURL, "urn:uuid:")
			if !fhir.ValidID(id) {
				id = uuid.NewString()
			}
		}
		if e.FullURL != "" {
			urls[e.FullURL] = etyp + "/" + id
		}
		if sharedType(etyp) || (e.Request != nil && e.Request.IfNoneExist != "") {
			rv.remember(etyp, id, e.Resource)
		}
		items = append(items, item{etyp, id, eid, e.Resource})
	}
	for _, it := range items {
		b, err := rv.prepareOne(it.typ, it.id, it.oldID, it.body, urls)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", it.typ, it.id, err)
		}
		p.bodies = append(p.bodies, b)
	}
	return p, nil
}

// prepareOne rewrites one resource's references and makes sure its id
// (oldID in body) is id.
func (rv *resolver) prepareOne(typ, id, oldID string, body []byte, urls map[string]string) ([]byte, error) {
	out, err := rewriteRefs(body, func(ref string) (string, error) {
		if to, ok := urls[ref]; ok {
			return to, nil
		}
		if isConditional(ref) {
			return rv.conditional(ref)
		}
		return ref, nil
	})
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, fhir.Errorf(fhir.KindInvalid, "%s has no id", typ)
	}
	if bytes.IndexByte(out, '\n') >= 0 {
		// Stored bodies are compact: smaller, and exportable as NDJSON as they are.
		var buf bytes.Buffer
		if err := json.Compact(&buf, out); err != nil {
			return nil, fhir.Errorf(fhir.KindInvalid, "malformed %s: %v", typ, err)
		}
		out = buf.Bytes()
	}
	if oldID != id {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, fhir.Errorf(fhir.KindInvalid, "malformed %s: %v", typ, err)
		}
		m["id"] = id
		if out, err = json.Marshal(m); err != nil {
			return nil, fmt.Errorf("set id of %s: %w", typ, err)
		}
	}
	return out, nil
}
