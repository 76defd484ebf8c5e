package rest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/rawjson"
	"github.com/sen-emr/sen/internal/store"
)

// transaction is the FHIR batch and transaction interaction (POST [base]
// with a Bundle). A transaction is all-or-nothing in one store.Update,
// processed DELETE → POST → PUT/PATCH → GET; urn:uuid and other fullUrl
// references and conditional references (Type?params) are resolved and
// rewritten everywhere in the resources. Batch entries succeed or fail
// independently.
//
// https://hl7.org/fhir/R4/http.html#transaction
func (s *server) transaction(r *http.Request) (*result, error) {
	body, _, err := s.readBody(r, mimeFHIRJSON, mimeJSON)
	if err != nil {
		return nil, err
	}
	ms, err := members(body)
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: err.Error(), Err: err}
	}
	b, err := parseBundle(body, ms)
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: "malformed Bundle: " + err.Error(), Err: err}
	}
	if b.ResourceType != "Bundle" {
		return nil, fhir.Errorf(fhir.KindInvalid, "POST to the base needs a Bundle, not %q", b.ResourceType).At("resourceType")
	}
	if b.Type != "transaction" && b.Type != "batch" {
		return nil, fhir.Errorf(fhir.KindInvalid, "Bundle.type %q: only transaction and batch can be posted to the base", b.Type).At("Bundle.type")
	}
	if err := s.checkEntries(len(b.Entry)); err != nil {
		return nil, err
	}
	ops := make([]*txOp, len(b.Entry))
	var parseErrs []error
	for i, e := range b.Entry {
		op, err := s.parseEntry(i, e.FullURL, e.Resource, e.Request)
		if err != nil {
			if b.Type == "transaction" {
				return nil, err
			}
			parseErrs = append(parseErrs, err)
			op = &txOp{index: i, err: err}
		}
		ops[i] = op
	}
	rep := prefer(r) == "representation"
	if b.Type == "batch" {
		return s.batch(r.Context(), ops, rep)
	}
	return s.runTransaction(r.Context(), ops, rep)
}

// txOp is one Bundle entry on its way through a batch or transaction.
type txOp struct {
	index   int
	fullURL string
	method  string
	typ, id string
	vid     string  // GET Type/id/_history/vid
	query   string  // conditional or search parameters
	res     *parsed // POST/PUT body
	patch   []byte  // PATCH body
	patchMT string  // its media type
	req     entryRequest
	ifMatch int64
	write   store.Write    // prepared POST/PUT
	matched *fhir.Resource // conditional create that found its resource
	// condPut marks a conditional update (PUT Type?params); condMatch is
	// the id its condition matched before the store transaction ("" none).
	condPut   bool
	condMatch string
	out       *result
	err       error // batch: the entry's failure
}

func (op *txOp) at() string { return fmt.Sprintf("Bundle.entry[%d]", op.index) }

// parseEntry checks one entry's request and resource.
func (s *server) parseEntry(i int, fullURL string, resource json.RawMessage, req *entryRequest) (*txOp, error) {
	op := &txOp{index: i, fullURL: fullURL}
	fail := func(format string, args ...any) error {
		return fhir.Errorf(fhir.KindInvalid, format, args...).At(op.at() + ".request")
	}
	if req == nil {
		return nil, fail("entry %d has no request", i)
	}
	op.req = *req
	op.method = strings.ToUpper(req.Method)
	u := req.URL
	if i := strings.Index(u, "/fhir/"); strings.HasPrefix(u, "http") && i >= 0 {
		u = u[i+len("/fhir/"):] // an absolute URL on this server
	}
	u = strings.TrimPrefix(u, "/")
	path, query, _ := strings.Cut(u, "?")
	op.query = query
	segs := strings.Split(path, "/")
	if path == "" || len(segs) > 4 {
		return nil, fail("entry %d: request.url %q is not Type, Type/id or Type?params", i, req.URL)
	}
	op.typ = segs[0]
	if err := s.checkType(op.typ); err != nil {
		return nil, fail("entry %d: request.url %q: unknown resource type %q", i, req.URL, op.typ)
	}
	if len(segs) > 1 {
		op.id = segs[1]
		if !fhir.ValidID(op.id) {
			return nil, fail("entry %d: %q is not a valid id", i, op.id)
		}
	}
	if len(segs) == 4 && segs[2] == "_history" {
		op.vid = segs[3]
	} else if len(segs) > 2 {
		return nil, fail("entry %d: request.url %q is not supported", i, req.URL)
	}
	var err error
	if op.ifMatch, err = parseETag(req.IfMatch); err != nil {
		return nil, (&fhir.Error{Kind: fhir.KindInvalid, Msg: err.Error()}).At(op.at() + ".request.ifMatch")
	}
	switch op.method {
	case "GET", "HEAD":
		op.method = "GET"
	case "DELETE":
		if op.id == "" && op.query == "" {
			return nil, fail("entry %d: DELETE needs Type/id or Type?params", i)
		}
	case "POST", "PUT":
		if len(resource) == 0 {
			return nil, fhir.Errorf(fhir.KindInvalid, "entry %d: %s needs a resource", i, op.method).At(op.at())
		}
		p, err := s.parseResource(resource, op.typ)
		if err != nil {
			return nil, atEntry(err, op.index)
		}
		op.res = p
		if op.method == "POST" && op.id != "" {
			return nil, fail("entry %d: POST goes to Type, not Type/id", i)
		}
		if op.method == "PUT" {
			if op.id == "" && op.query == "" {
				return nil, fail("entry %d: PUT needs Type/id or Type?params", i)
			}
			if op.id != "" && p.id != op.id {
				return nil, fhir.Errorf(fhir.KindInvalid, "entry %d: the resource id %q differs from the request id %q", i, p.id, op.id).At(op.at() + ".resource.id")
			}
		}
	case "PATCH":
		if op.id == "" {
			return nil, fail("entry %d: PATCH needs Type/id", i)
		}
		if err := op.decodePatch(resource); err != nil {
			return nil, err
		}
	default:
		return nil, fail("entry %d: request.method %q is not GET, POST, PUT, PATCH or DELETE", i, req.Method)
	}
	return op, nil
}

// decodePatch takes a PATCH entry's body: a Parameters resource (FHIRPath
// Patch) or a Binary holding a JSON Patch.
func (op *txOp) decodePatch(resource json.RawMessage) error {
	var h struct {
		ResourceType string `json:"resourceType"`
		ContentType  string `json:"contentType"`
		Data         string `json:"data"`
	}
	if json.Unmarshal(resource, &h) != nil {
		return fhir.Errorf(fhir.KindInvalid, "entry %d: PATCH needs a Parameters or Binary resource", op.index).At(op.at() + ".resource")
	}
	switch h.ResourceType {
	case "Parameters":
		op.patch, op.patchMT = resource, mimeFHIRJSON
	case "Binary":
		data, err := base64.StdEncoding.DecodeString(h.Data)
		if err != nil || !strings.HasPrefix(h.ContentType, mimeJSONPatch) {
			return fhir.Errorf(fhir.KindInvalid, "entry %d: a PATCH Binary needs contentType %s and base64 data", op.index, mimeJSONPatch).At(op.at() + ".resource")
		}
		op.patch, op.patchMT = data, mimeJSONPatch
	default:
		return fhir.Errorf(fhir.KindInvalid, "entry %d: PATCH needs a Parameters or Binary resource", op.index).At(op.at() + ".resource")
	}
	return nil
}

// atEntry points an error at Bundle.entry[i], keeping its kind.
func atEntry(err error, i int) error {
	var fe *fhir.Error
	if !errors.As(err, &fe) {
		return err
	}
	c := *fe
	prefix := fmt.Sprintf("Bundle.entry[%d]", i)
	c.Msg = fmt.Sprintf("entry %d: %s", i, fe.Msg)
	if len(fe.Issues) == 0 {
		return c.At(prefix)
	}
	c.Issues = make([]fhir.Issue, len(fe.Issues))
	for j, is := range fe.Issues {
		if len(is.Expression) == 0 {
			is.Expression = []string{prefix}
		} else if !strings.HasPrefix(is.Expression[0], "Bundle.entry") {
			ex := make([]string, len(is.Expression))
			for k, e := range is.Expression {
				ex[k] = prefix + ".resource." + e
			}
			is.Expression = ex
		}
		c.Issues[j] = is
	}
	return &c
}

// processing order of a transaction (http.html#trules).
func methodRank(m string) int {
	switch m {
	case "DELETE":
		return 0
	case "POST":
		return 1
	case "PUT", "PATCH":
		return 2
	}
	return 3
}

// runTransactionOnce is one attempt of runTransaction (conditions.go).
func (s *server) runTransactionOnce(ctx context.Context, ops []*txOp, rep bool) (*result, error) {
	// 1. Identities: the id every POST and PUT will have, and the
	// fullUrl → Type/id map that reference rewriting uses.
	ids := map[string]string{}
	written := map[string]int{}
	for _, op := range ops {
		switch op.method {
		case "POST":
			if op.req.IfNoneExist != "" {
				found, err := s.match(ctx, s.cfg.Store, op.typ, op.req.IfNoneExist)
				if err != nil {
					return nil, atEntry(err, op.index)
				}
				if len(found) > 1 {
					return nil, atEntry(multiple(op.typ, op.req.IfNoneExist), op.index)
				}
				if len(found) == 1 {
					op.matched = found[0]
					op.id = found[0].ID
					break
				}
			}
			op.id = uuid.NewString()
		case "PUT":
			if op.id == "" {
				id, matched, err := s.resolveConditional(ctx, s.cfg.Store, op.typ, op.query, op.res.id)
				if err != nil {
					return nil, atEntry(err, op.index)
				}
				op.id, op.condPut, op.condMatch = id, true, matched
			}
		}
		if op.method == "POST" || op.method == "PUT" || op.method == "PATCH" || op.method == "DELETE" && op.id != "" {
			key := op.typ + "/" + op.id
			if j, dup := written[key]; dup && op.matched == nil {
				return nil, fhir.Errorf(fhir.KindInvalid, "entries %d and %d both change %s", j, op.index, key).At(op.at())
			}
			written[key] = op.index
		}
		if op.fullURL != "" && (op.method == "POST" || op.method == "PUT") {
			ids[op.fullURL] = op.typ + "/" + op.id
		}
	}
	// 2. Rewrite references and prepare the writes (validation and index
	// entries) outside the database transaction.
	// Entries are independent here and validation and indexing are most of
	// a bundle's CPU, so they run on every core (one client's transaction
	// no longer leaves the other core idle); conditional references are
	// resolved one at a time through the shared cache.
	condRefs := map[string]string{}
	var refMu sync.Mutex
	resolve := func(ref string) (string, error) {
		refMu.Lock()
		defer refMu.Unlock()
		return s.resolveRef(ctx, ref, ids, condRefs)
	}
	errs := make([]error, len(ops))
	forEach(len(ops), func(i int) {
		op := ops[i]
		if op.res == nil || op.matched != nil {
			return
		}
		defer func() {
			// A worker goroutine has no request's recovery around it.
			if r := recover(); r != nil {
				errs[i] = fmt.Errorf("internal error preparing the entry: %v", r)
			}
		}()
		body, err := rewriteRefs(encodeMembers(op.res.ms), resolve)
		if err != nil {
			errs[i] = err
			return
		}
		p, err := s.parseResource(body, op.typ)
		if err != nil {
			errs[i] = err
			return
		}
		if op.write, err = s.prepare(p, op.id); err != nil {
			errs[i] = err
			return
		}
		op.write.IfMatch = op.ifMatch
	})
	for i, err := range errs {
		if err != nil {
			return nil, atEntry(err, ops[i].index)
		}
	}
	// 3. Everything in one store transaction, in the spec's order.
	order := make([]*txOp, len(ops))
	copy(order, ops)
	sort.SliceStable(order, func(i, j int) bool { return methodRank(order[i].method) < methodRank(order[j].method) })
	conds := conditionsOf(ops, condRefs)
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if err := s.recheck(ctx, tx, conds); err != nil {
			return err
		}
		for _, op := range order {
			out, err := s.execute(ctx, tx, op)
			if err != nil {
				return atEntry(err, op.index)
			}
			op.out = out
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.responseBundle("transaction-response", ops, rep)
}

// resolveRef maps a reference to its rewritten form: fullUrls of entries
// become Type/id, conditional references Type?params are searched (exactly
// one match), urn:uuid and urn:oid that name no entry are errors.
func (s *server) resolveRef(ctx context.Context, ref string, ids, cond map[string]string) (string, error) {
	if to, ok := ids[ref]; ok {
		return to, nil
	}
	if strings.HasPrefix(ref, "urn:uuid:") || strings.HasPrefix(ref, "urn:oid:") {
		return "", fhir.Errorf(fhir.KindInvalid, "reference %s names no entry of the transaction", ref)
	}
	typ, query, ok := strings.Cut(ref, "?")
	if !ok || strings.Contains(typ, "/") || !s.cfg.Model.IsResource(typ) {
		return ref, nil
	}
	if to, ok := cond[ref]; ok {
		return to, nil
	}
	found, err := s.match(ctx, s.cfg.Store, typ, query)
	if err != nil {
		return "", err
	}
	switch len(found) {
	case 0:
		return "", fhir.Errorf(fhir.KindInvalid, "conditional reference %s matches no resource", ref)
	case 1:
		to := typ + "/" + found[0].ID
		cond[ref] = to
		return to, nil
	}
	return "", fhir.Errorf(fhir.KindMultipleMatches, "conditional reference %s matches more than one resource", ref)
}

// execute runs one prepared entry inside tx.
func (s *server) execute(ctx context.Context, tx store.Tx, op *txOp) (*result, error) {
	switch op.method {
	case "DELETE":
		if op.id == "" {
			return s.conditionalDeleteIn(ctx, tx, op.typ, op.query)
		}
		out, err := s.deleteIn(ctx, tx, op.typ, op.id, op.ifMatch)
		if err == nil {
			out.status = http.StatusNoContent
		}
		return out, err
	case "POST":
		if op.matched != nil {
			return &result{status: http.StatusOK, res: op.matched, location: historyPath(op.matched)}, nil
		}
		return s.createIn(ctx, tx, op.write, "")
	case "PUT":
		return s.updateIn(ctx, tx, op.write)
	case "PATCH":
		return s.patchIn(ctx, tx, op.typ, op.id, op.patch, op.patchMT, op.ifMatch)
	case "GET":
		return s.getIn(ctx, tx, op)
	}
	return nil, fhir.Errorf(fhir.KindInvalid, "unsupported method %s", op.method)
}

// getIn answers a GET entry: read, vread or a search.
func (s *server) getIn(ctx context.Context, rd store.Reader, op *txOp) (*result, error) {
	switch {
	case op.vid != "":
		var v int64
		if _, err := fmt.Sscan(op.vid, &v); err != nil {
			return nil, fhir.Errorf(fhir.KindNotFound, "version %s not found", op.vid)
		}
		res, err := rd.VRead(ctx, op.typ, op.id, v)
		if err != nil {
			return nil, err
		}
		return &result{res: res}, nil
	case op.id != "":
		res, err := rd.Read(ctx, op.typ, op.id)
		if err != nil {
			return nil, err
		}
		return &result{res: res}, nil
	}
	params, err := url.ParseQuery(op.query)
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: "malformed search " + op.query, Err: err}
	}
	q, err := s.cfg.Parser.ParseQuery(op.typ, params, false)
	if err != nil {
		return nil, err
	}
	if q.Count == 0 {
		q.Count = s.cfg.DefaultCount
	}
	if err := s.checkWindow(q); err != nil {
		return nil, err
	}
	page, err := rd.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	b := &bundle{ResourceType: "Bundle", Type: "searchset"}
	if page.Total >= 0 {
		t := page.Total
		b.Total = &t
	}
	for _, res := range page.Resources {
		b.Entry = append(b.Entry, &bundleEntry{FullURL: res.Type + "/" + res.ID, Resource: res.JSON, Search: &entrySearch{Mode: "match"}})
	}
	body, err := marshalBundle(b)
	if err != nil {
		return nil, err
	}
	return &result{body: body}, nil
}

// batch runs every entry on its own; a failing entry answers its error in
// its response and the others go on.
func (s *server) batch(ctx context.Context, ops []*txOp, rep bool) (*result, error) {
	for _, op := range ops {
		if op.err != nil {
			continue
		}
		op.out, op.err = s.batchEntry(ctx, op)
	}
	return s.responseBundle("batch-response", ops, rep)
}

func (s *server) batchEntry(ctx context.Context, op *txOp) (*result, error) {
	if op.method == "GET" {
		return s.getIn(ctx, s.cfg.Store, op)
	}
	if op.res != nil {
		body, err := rewriteRefs(encodeMembers(op.res.ms), func(ref string) (string, error) {
			return s.resolveRef(ctx, ref, nil, map[string]string{})
		})
		if err != nil {
			return nil, err
		}
		if op.res, err = s.parseResource(body, op.typ); err != nil {
			return nil, err
		}
	}
	var out *result
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		switch op.method {
		case "POST":
			var w store.Write
			if w, err = s.prepare(op.res, uuid.NewString()); err != nil {
				return err
			}
			out, err = s.createIn(ctx, tx, w, op.req.IfNoneExist)
		case "PUT":
			if op.id == "" {
				out, err = s.conditionalUpdateIn(ctx, tx, op.res, op.query, op.ifMatch)
				return err
			}
			var w store.Write
			if w, err = s.prepare(op.res, op.id); err != nil {
				return err
			}
			w.IfMatch = op.ifMatch
			out, err = s.updateIn(ctx, tx, w)
		default:
			out, err = s.execute(ctx, tx, op)
		}
		return err
	})
	return out, err
}

// responseBundle builds the batch-response or transaction-response, one
// entry per request entry in request order.
func (s *server) responseBundle(typ string, ops []*txOp, rep bool) (*result, error) {
	b := &bundle{ResourceType: "Bundle", Type: typ, Meta: &bundleMeta{LastUpdated: instant(s.now())}}
	for _, op := range ops {
		e := &bundleEntry{Response: &entryResponse{}}
		if op.err != nil {
			st := fhir.StatusOf(op.err)
			e.Response.Status = fmt.Sprintf("%d %s", st, http.StatusText(st))
			e.Response.Outcome = fhir.OutcomeOf(atEntry(op.err, op.index)).JSON()
			b.Entry = append(b.Entry, e)
			continue
		}
		out := op.out
		st := out.status
		if st == 0 {
			st = http.StatusOK
		}
		e.Response.Status = fmt.Sprintf("%d %s", st, http.StatusText(st))
		if out.location != "" {
			e.Response.Location = out.location
		}
		if out.res != nil {
			e.Response.Etag = out.res.VersionTag()
			e.Response.LastModified = instant(out.res.LastUpdated)
			if !out.res.Deleted {
				e.FullURL = out.res.Type + "/" + out.res.ID
			}
			if (rep || op.method == "GET") && out.res.JSON != nil {
				e.Resource = out.res.JSON
			}
		} else if out.body != nil {
			e.Resource = out.body
		}
		b.Entry = append(b.Entry, e)
	}
	body, err := marshalBundle(b)
	if err != nil {
		return nil, err
	}
	return &result{body: body}, nil
}

// postedBundle is the part of a posted Bundle the transaction reads.
type postedBundle struct {
	ResourceType, Type string
	Entry              []postedEntry
}

type postedEntry struct {
	FullURL  string
	Resource json.RawMessage // nil when absent
	Request  *entryRequest
}

// parseBundle reads a Bundle already split into its members (and checked
// to be valid JSON) by byte offsets: the entries' resources stay slices of
// body instead of being copied by a reflective decode of the whole Bundle.
func parseBundle(body []byte, ms []member) (*postedBundle, error) {
	b := &postedBundle{}
	str := func(key string, raw json.RawMessage, dst *string) error {
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("%s must be a string", key)
		}
		return nil
	}
	for _, m := range ms {
		switch m.key {
		case "resourceType":
			if err := str("resourceType", m.val, &b.ResourceType); err != nil {
				return nil, err
			}
		case "type":
			if err := str("type", m.val, &b.Type); err != nil {
				return nil, err
			}
		case "entry":
			if string(m.val) == "null" {
				continue
			}
			spans, err := rawjson.Elements(m.val, 0)
			if err != nil {
				return nil, fmt.Errorf("entry must be an array: %w", err)
			}
			b.Entry = make([]postedEntry, len(spans))
			for i, sp := range spans {
				raw := m.val[sp[0]:sp[1]]
				if raw[0] != '{' {
					return nil, fmt.Errorf("entry[%d] must be an object", i)
				}
				fields, err := rawjson.Members(raw, 0)
				if err != nil {
					return nil, fmt.Errorf("entry[%d]: %w", i, err)
				}
				e := &b.Entry[i]
				for _, f := range fields {
					v := raw[f.Start:f.End]
					switch f.Key {
					case "fullUrl":
						if err := str(fmt.Sprintf("entry[%d].fullUrl", i), v, &e.FullURL); err != nil {
							return nil, err
						}
					case "resource":
						if string(v) != "null" {
							e.Resource = json.RawMessage(v)
						}
					case "request":
						if string(v) != "null" {
							e.Request = &entryRequest{}
							if err := json.Unmarshal(v, e.Request); err != nil {
								return nil, fmt.Errorf("entry[%d].request: %w", i, err)
							}
						}
					}
				}
			}
		}
	}
	return b, nil
}

// forEach calls fn(0..n-1) on up to GOMAXPROCS goroutines and returns when
// all calls have; small n runs inline.
func forEach(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/8)
	if workers < 2 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
