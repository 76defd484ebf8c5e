package viewrun

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
)

// Request is one $run invocation, from a Parameters body and/or the query
// string.
type Request struct {
	ViewResource json.RawMessage   // inline ViewDefinition
	ViewRef      string            // viewReference (or the instance id from the path)
	Resources    []json.RawMessage // inline resource parameters; nil means the store
	Format       string            // json | ndjson | csv | parquet
	Header       bool              // CSV header row (default true)
	Limit        int               // maximum rows; 0 means no limit
	Patients     []string          // patient ids
	Groups       []string          // group ids
	Since        string            // instant, as given
	// Workers is how many goroutines decode and evaluate resources
	// (view.RunOptions: 0 or 1 the calling goroutine, -1 GOMAXPROCS);
	// rows keep the source's order. A server setting, not a $run
	// parameter.
	Workers int
}

// NewRequest returns a request with the defaults (CSV header on).
func NewRequest() *Request { return &Request{Header: true} }

type parameters struct {
	ResourceType string `json:"resourceType"`
	Parameter    []struct {
		Name           string          `json:"name"`
		Resource       json.RawMessage `json:"resource"`
		ValueReference *struct {
			Reference string `json:"reference"`
		} `json:"valueReference"`
		ValueCode     *string  `json:"valueCode"`
		ValueString   *string  `json:"valueString"`
		ValueInteger  *int     `json:"valueInteger"`
		ValueBoolean  *bool    `json:"valueBoolean"`
		ValueInstant  *string  `json:"valueInstant"`
		ValueDateTime *string  `json:"valueDateTime"`
		ValueURI      *string  `json:"valueUri"`
		ValueCanon    *string  `json:"valueCanonical"`
		ValueDecimal  *float64 `json:"valueDecimal"`
	} `json:"parameter"`
}

// ParseParameters reads a FHIR Parameters body into req.
func (req *Request) ParseParameters(body []byte) error {
	var p parameters
	if err := json.Unmarshal(body, &p); err != nil {
		return fhir.Errorf(fhir.KindInvalid, "the request body is not a Parameters resource: %v", err)
	}
	if p.ResourceType != "Parameters" {
		return fhir.Errorf(fhir.KindInvalid, "the request body is a %q, want Parameters", p.ResourceType)
	}
	for i, pp := range p.Parameter {
		str := firstString(pp.ValueCode, pp.ValueString, pp.ValueURI, pp.ValueCanon, pp.ValueInstant, pp.ValueDateTime)
		if pp.ValueReference != nil {
			str = pp.ValueReference.Reference
		}
		switch pp.Name {
		case "viewResource":
			if len(pp.Resource) == 0 {
				return invalidParam("viewResource", "parameter %d: viewResource needs a resource", i)
			}
			req.ViewResource = pp.Resource
		case "viewReference":
			req.ViewRef = str
		case "resource":
			if len(pp.Resource) == 0 {
				return invalidParam("resource", "parameter %d: resource needs a resource", i)
			}
			req.Resources = append(req.Resources, pp.Resource)
		case "_format":
			req.Format = str
		case "header":
			if pp.ValueBoolean == nil {
				return invalidParam("header", "header must be a valueBoolean")
			}
			req.Header = *pp.ValueBoolean
		case "_limit":
			if pp.ValueInteger == nil || *pp.ValueInteger < 0 {
				return invalidParam("_limit", "_limit must be a non-negative valueInteger")
			}
			req.Limit = *pp.ValueInteger
		case "patient":
			id, err := refID(str, "Patient")
			if err != nil {
				return err
			}
			req.Patients = append(req.Patients, id)
		case "group":
			id, err := refID(str, "Group")
			if err != nil {
				return err
			}
			req.Groups = append(req.Groups, id)
		case "_since":
			req.Since = str
		case "source":
			return unsupported("source", "external data sources are not supported; omit source to read the server's data")
		default:
			return invalidParam(pp.Name, "unknown parameter %q", pp.Name)
		}
	}
	return nil
}

// ParseQuery reads query-string parameters into req (GET, or POST with
// parameters in the URL).
func (req *Request) ParseQuery(q url.Values) error {
	for name, vals := range q {
		for _, v := range vals {
			switch name {
			case "_format":
				req.Format = v
			case "header":
				b, err := strconv.ParseBool(v)
				if err != nil {
					return invalidParam("header", "header=%q: want true or false", v)
				}
				req.Header = b
			case "_limit":
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return invalidParam("_limit", "_limit=%q: want a non-negative integer", v)
				}
				req.Limit = n
			case "patient":
				for _, one := range strings.Split(v, ",") {
					id, err := refID(one, "Patient")
					if err != nil {
						return err
					}
					req.Patients = append(req.Patients, id)
				}
			case "group":
				id, err := refID(v, "Group")
				if err != nil {
					return err
				}
				req.Groups = append(req.Groups, id)
			case "_since":
				req.Since = v
			case "viewReference":
				req.ViewRef = v
			case "source":
				return unsupported("source", "external data sources are not supported; omit source to read the server's data")
			default:
				return invalidParam(name, "unknown parameter %q", name)
			}
		}
	}
	return nil
}

// Validate checks the combination of parameters.
func (req *Request) Validate() error {
	if req.Format == "" {
		req.Format = "json"
	}
	switch strings.ToLower(req.Format) {
	case "json", "ndjson", "csv", "parquet", "application/json", "application/x-ndjson", "text/csv", "application/vnd.apache.parquet":
	default:
		return unsupported("_format", "format %q is not supported; supported formats: json, ndjson, csv, parquet", req.Format)
	}
	if len(req.ViewResource) > 0 && req.ViewRef != "" {
		return invalidParam("viewReference", "give either viewReference or viewResource, not both")
	}
	if len(req.ViewResource) == 0 && req.ViewRef == "" {
		e := fhir.Errorf(fhir.KindInvalid, "either viewReference or viewResource parameter is required when invoking at type level")
		e.Issues = []fhir.Issue{{Severity: "error", Code: "required", Diagnostics: e.Msg}}
		return e
	}
	if req.Since != "" {
		if _, err := time.Parse(time.RFC3339Nano, req.Since); err != nil {
			if _, err2 := time.Parse("2006-01-02", req.Since); err2 != nil {
				return invalidParam("_since", "_since=%q: want an instant (2024-01-31T00:00:00Z)", req.Since)
			}
		}
	}
	return nil
}

// refID accepts "Patient/123", "123" or an absolute URL ending in
// Patient/123 and returns the id.
func refID(ref, typ string) (string, error) {
	ref = strings.TrimSpace(ref)
	if i := strings.LastIndex(ref, typ+"/"); i >= 0 && (i == 0 || ref[i-1] == '/') {
		ref = ref[i+len(typ)+1:]
	}
	if !fhir.ValidID(ref) {
		return "", invalidParam(strings.ToLower(typ), "%q is not a %s reference", ref, typ)
	}
	return ref, nil
}

func firstString(ps ...*string) string {
	for _, p := range ps {
		if p != nil {
			return *p
		}
	}
	return ""
}

func invalidParam(expr, format string, args ...any) error {
	return fhir.Errorf(fhir.KindInvalid, format, args...).At(expr)
}

func unsupported(expr, format string, args ...any) error {
	e := fhir.Errorf(fhir.KindInvalid, format, args...)
	e.Issues = []fhir.Issue{{Severity: "error", Code: "not-supported", Diagnostics: e.Msg, Expression: []string{expr}}}
	return e
}
