package rest

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/terminology"
)

// Indexer computes the search-index entries of a resource body.
type Indexer interface {
	Index(typ string, body []byte) (search.Indexed, error)
}

// QueryParser parses search parameters for a resource type ("" for a
// system search). In strict mode unknown parameters are KindInvalid errors;
// otherwise they land in Query.Warnings.
type QueryParser interface {
	ParseQuery(typ string, params url.Values, strict bool) (*search.Query, error)
}

// QueryParserFunc adapts a function to QueryParser.
type QueryParserFunc func(typ string, params url.Values, strict bool) (*search.Query, error)

// ParseQuery calls f.
func (f QueryParserFunc) ParseQuery(typ string, params url.Values, strict bool) (*search.Query, error) {
	return f(typ, params, strict)
}

// Validator checks a resource body against the R4 definitions. Issues of
// severity error or fatal reject the write with 400.
type Validator interface {
	Validate(body []byte) []fhir.Issue
}

// Config holds the handler's dependencies. Store, Indexer, Parser and Model
// are required; Validator is optional (no structural validation without it).
type Config struct {
	Store     store.Store
	Indexer   Indexer
	Parser    QueryParser
	Validator Validator
	Model     *r4.Model
	// Terminology answers $lookup, $validate-code, $expand and $subsumes
	// and serves the built-in CodeSystems and ValueSets; nil means
	// terminology.Default().
	Terminology *terminology.Terminology
	// Exports runs Bulk Data $export jobs; nil leaves $export unmounted.
	Exports Exports
	// BaseURL is the absolute URL of the FHIR base ("https://emr.example/fhir");
	// when empty it is derived from each request's Host.
	BaseURL string
	// MaxBodyBytes limits request bodies (413 beyond it); 0 means 16 MB.
	MaxBodyBytes int64
	Logger       *slog.Logger
	Now          func() time.Time
	// DefaultCount is the search page size when _count is absent; 0 means 50.
	DefaultCount int
	// Limits bound nesting depth, Bundle entries and search windows (limits.go).
	Limits Limits
	// Security, when set, returns the CapabilityStatement's rest.security
	// element for the FHIR base (the SMART endpoints); nil or a nil result
	// leaves it out.
	Security func(fhirBase string) any
	// Signing, when set, mounts $sign and reports signatures on reads
	// (signing.go); nil leaves both off.
	Signing *Signing
}

const defaultMaxBody = 16 << 20

// server is the handler built by New. It holds no mutable state beyond its
// configuration, so one value serves concurrent requests.
type server struct {
	cfg    Config
	mux    *routeMux
	log    *slog.Logger
	chunks chunks // output buffers of searchset Bundles (searchset.go)
}

// New returns the FHIR API handler: the interactions under /fhir, /healthz
// (the process is up) and /readyz (the store answers). It panics if a
// required dependency is missing, since that is a wiring bug in main.
func New(cfg Config) http.Handler {
	if cfg.Store == nil || cfg.Indexer == nil || cfg.Parser == nil || cfg.Model == nil {
		panic("rest.New: Store, Indexer, Parser and Model are required")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = defaultMaxBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultCount <= 0 {
		cfg.DefaultCount = 50
	}
	s := &server{cfg: cfg, log: cfg.Logger, mux: newRouteMux()}
	s.routes()
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		// A panic is a bug; answer 500 with an OperationOutcome instead of
		// dropping the connection, and log it.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic in handler", "method", r.Method, "path", r.URL.Path, "panic", v)
			s.writeError(w, r, &fhir.Error{Kind: fhir.KindInternal, Msg: "internal server error"})
		}
	}()
	s.mux.ServeHTTP(w, r)
}
