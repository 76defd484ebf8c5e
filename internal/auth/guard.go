package auth

import (
	"context"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Indexer computes the search-index entries of a resource body; the guard
// uses the reference entries of the Patient compartment's parameters to
// find whose record a resource belongs to.
type Indexer interface {
	Index(typ string, body []byte) (search.Indexed, error)
}

// Compartments answers which search parameters place a resource type in a
// compartment (r4.Model implements it).
type Compartments interface {
	CompartmentParams(compartment, resourceType string) []string
}

// Guard is a store.Store that checks every call against the Principal in
// the context: the role and scopes decide the resource types and
// interactions, the Policy decides the patients. Reads of records the
// principal may not see fail with KindForbidden; searches and histories
// leave them out; writes to them fail with KindForbidden, which rolls back
// the whole transaction. A context without a Principal is refused with
// KindUnauthorized: the guard fails closed.
//
// It also notes on the Principal which patients and resources were reached,
// for the audit record the middleware writes.
type Guard struct {
	Store        store.Store
	Policy       *Policy
	Indexer      Indexer
	Compartments Compartments
	// Queries parses scope restrictions (patient/Observation.rs?category=
	// laboratory) into search clauses; nil refuses every restricted scope.
	Queries QueryParserFunc
}

var _ store.Store = (*Guard)(nil)

func principal(ctx context.Context) (*Principal, error) {
	p := PrincipalFrom(ctx)
	if p == nil {
		return nil, fhir.Errorf(fhir.KindUnauthorized, "cần đăng nhập / authentication required")
	}
	return p, nil
}

// Read checks read access to the resource after reading it (its patient is
// in its body).
func (g *Guard) Read(ctx context.Context, typ, id string) (*fhir.Resource, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := g.Store.Read(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	return g.checkRead(ctx, g.Store, p, res, PermRead)
}

// VRead is Read for one version.
func (g *Guard) VRead(ctx context.Context, typ, id string, version int64) (*fhir.Resource, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := g.Store.VRead(ctx, typ, id, version)
	if err != nil {
		return nil, err
	}
	return g.checkRead(ctx, g.Store, p, res, PermRead)
}

// History lists versions the principal may read.
func (g *Guard) History(ctx context.Context, q store.HistoryQuery) (*store.Page, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if q.Type != "" {
		if err := checkType(p, q.Type, PermRead, g.inCompartment(q.Type)); err != nil {
			return nil, err
		}
	}
	page, err := g.Store.History(ctx, q)
	if err != nil {
		return nil, err
	}
	return g.filter(ctx, g.Store, p, page, q.ID != "", "")
}

// Search runs q narrowed to what the principal may see.
func (g *Guard) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	q, exact, err := g.narrow(ctx, g.Store, p, q)
	if err != nil {
		return nil, err
	}
	page, err := g.Store.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	return g.filter(ctx, g.Store, p, page, false, exact)
}

// Update runs fn with a Tx whose reads and writes are checked.
func (g *Guard) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	return g.Store.Update(ctx, func(tx store.Tx) error {
		return fn(&guardTx{g: g, tx: tx, p: p})
	})
}

// Close closes the underlying store.
func (g *Guard) Close() error { return g.Store.Close() }

func (g *Guard) inCompartment(typ string) bool {
	return len(g.Compartments.CompartmentParams("Patient", typ)) > 0
}

// patientsOf returns the ids of the patients whose compartment holds the
// resource body.
func (g *Guard) patientsOf(typ, id string, body []byte, ix *search.Indexed) ([]string, error) {
	params := g.Compartments.CompartmentParams("Patient", typ)
	if len(params) == 0 {
		return nil, nil
	}
	var out []string
	for _, prm := range params {
		if prm == "{def}" {
			out = append(out, id)
		}
	}
	if typ == "Patient" && ix == nil {
		return out, nil // "link" aside, a Patient is its own compartment
	}
	if ix == nil {
		if body == nil {
			return out, nil
		}
		got, err := g.Indexer.Index(typ, body)
		if err != nil {
			return nil, fhir.Errorf(fhir.KindInternal, "index %s/%s for access decision", typ, id)
		}
		ix = &got
	}
	for _, e := range ix.Entries {
		if e.Type != search.TypeReference || e.RefType != "Patient" || e.RefID == "" || contains(out, e.RefID) {
			continue
		}
		for _, prm := range params {
			if prm == e.Param {
				out = append(out, e.RefID)
				break
			}
		}
	}
	return out, nil
}

// access decides for a resource whose patients are known: a resource in no
// patient's compartment needs only the type check; otherwise one permitted
// patient is enough to read, and every patient must be permitted to write.
func (g *Guard) access(ctx context.Context, r store.Reader, p *Principal, patients []string, write bool) (Access, bool, error) {
	var granted Access
	any := false
	for _, id := range patients {
		a, err := g.Policy.PatientAccess(ctx, r, p, id, write)
		if err != nil {
			return Access{}, false, err
		}
		if a.Allowed() {
			if !any || !a.DeIdentify {
				granted = a
			}
			any = true
			if !write {
				break
			}
		} else if write {
			return Access{}, false, nil
		}
	}
	return granted, any, nil
}

func (g *Guard) checkRead(ctx context.Context, r store.Reader, p *Principal, res *fhir.Resource, perm Perm) (*fhir.Resource, error) {
	inComp := g.inCompartment(res.Type)
	if err := checkType(p, res.Type, perm, inComp); err != nil {
		return nil, err
	}
	ok, deid, err := g.readable(ctx, r, p, res, inComp)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, forbiddenPatient()
	}
	if err := g.checkRestriction(ctx, r, p, res.Type, res.ID, perm); err != nil {
		return nil, err
	}
	if deid {
		return deidentify(res), nil
	}
	return res, nil
}

// readable decides whether p may read res (type checks done).
func (g *Guard) readable(ctx context.Context, r store.Reader, p *Principal, res *fhir.Resource, inComp bool) (ok, deid bool, err error) {
	ref := res.Type + "/" + res.ID
	if !inComp {
		if p.Role == RoleResearcher {
			return true, true, nil
		}
		p.touch(nil, ref)
		return true, false, nil
	}
	patients, err := g.patientsOf(res.Type, res.ID, res.JSON, nil)
	if err != nil {
		return false, false, err
	}
	if len(patients) == 0 {
		// A compartment type that names no patient (an Observation
		// without subject): only the unrestricted may see it.
		if p.Role == RoleSystem || p.Role == RoleDoctor && p.LaunchPatient == "" {
			p.touch(nil, ref)
			return true, false, nil
		}
		return false, false, nil
	}
	a, ok, err := g.access(ctx, r, p, patients, false)
	if err != nil || !ok {
		return false, false, err
	}
	p.touch(patients, ref)
	return true, a.DeIdentify, nil
}

func forbiddenPatient() error {
	return fhir.Errorf(fhir.KindForbidden, "bạn không có quyền xem hồ sơ của người bệnh này (cần đồng ý của người bệnh hoặc truy cập khẩn cấp) / you may not access this patient's record (the patient's consent or break-glass is needed)")
}

// narrow checks the search's types, adds the scopes' restrictions and, for
// principals limited to known patients, turns it into a compartment
// search (compartment.go). exact names the type whose results are known to
// satisfy the scope restrictions ("" when each must be checked).
func (g *Guard) narrow(ctx context.Context, r store.Reader, p *Principal, q *search.Query) (*search.Query, string, error) {
	if q.Type != "" {
		if err := checkType(p, q.Type, PermSearch, g.inCompartment(q.Type)); err != nil {
			return nil, "", err
		}
	}
	q, ok, err := g.restrictSearch(p, q)
	if err != nil {
		return nil, "", err
	}
	exact := ""
	if ok {
		exact = q.Type
	}
	if c := q.Compartment; c != nil && c.Type == "Patient" {
		a, err := g.Policy.PatientAccess(ctx, r, p, c.ID, false)
		if err != nil {
			return nil, "", err
		}
		if !a.Allowed() {
			return nil, "", forbiddenPatient()
		}
		return q, exact, nil
	}
	return g.pushCompartment(p, q), exact, nil
}

// filter drops what p may not read from a page. instance marks an instance
// history, where delete versions follow the decision on the other versions.
// exact is the type whose matches already satisfy the scope restrictions.
func (g *Guard) filter(ctx context.Context, r store.Reader, p *Principal, page *store.Page, instance bool, exact string) (*store.Page, error) {
	out := *page
	out.Resources = nil
	out.Included = nil
	dropped := false
	instanceOK := false
	var deletes []*fhir.Resource
	keep := func(res *fhir.Resource, match bool) (*fhir.Resource, error) {
		if res.Deleted || res.JSON == nil {
			if instance {
				deletes = append(deletes, res)
			} else if p.Role == RoleSystem {
				return res, nil
			}
			return nil, nil
		}
		inComp := g.inCompartment(res.Type)
		if checkType(p, res.Type, PermRead, inComp) != nil {
			return nil, nil
		}
		ok, deid, err := g.readable(ctx, r, p, res, inComp)
		if err != nil || !ok {
			return nil, err
		}
		if !(match && res.Type == exact) {
			if ok, err := g.matchesRestriction(ctx, r, p, res.Type, res.ID, PermRead); err != nil || !ok {
				return nil, err
			}
		}
		if deid {
			return deidentify(res), nil
		}
		return res, nil
	}
	for _, res := range page.Resources {
		k, err := keep(res, true)
		if err != nil {
			return nil, err
		}
		if k == nil {
			dropped = dropped || !(instance && res.Deleted)
			continue
		}
		instanceOK = true
		out.Resources = append(out.Resources, k)
	}
	if instance && instanceOK {
		out.Resources = append(out.Resources, deletes...)
		sortVersions(out.Resources)
	}
	for _, res := range page.Included {
		k, err := keep(res, false)
		if err != nil {
			return nil, err
		}
		if k != nil {
			out.Included = append(out.Included, k)
		}
	}
	if dropped {
		// The total would reveal how many records the principal cannot see.
		out.Total = -1
	}
	return &out, nil
}

func sortVersions(rs []*fhir.Resource) {
	// History pages are newest first.
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].VersionID > rs[j-1].VersionID; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// guardTx checks each write of a transaction.
type guardTx struct {
	g  *Guard
	tx store.Tx
	p  *Principal
}

func (t *guardTx) Read(ctx context.Context, typ, id string) (*fhir.Resource, error) {
	res, err := t.tx.Read(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	return t.g.checkRead(ctx, t.tx, t.p, res, PermRead)
}

func (t *guardTx) VRead(ctx context.Context, typ, id string, version int64) (*fhir.Resource, error) {
	res, err := t.tx.VRead(ctx, typ, id, version)
	if err != nil {
		return nil, err
	}
	return t.g.checkRead(ctx, t.tx, t.p, res, PermRead)
}

func (t *guardTx) History(ctx context.Context, q store.HistoryQuery) (*store.Page, error) {
	page, err := t.tx.History(ctx, q)
	if err != nil {
		return nil, err
	}
	return t.g.filter(ctx, t.tx, t.p, page, q.ID != "", "")
}

func (t *guardTx) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	q, exact, err := t.g.narrow(ctx, t.tx, t.p, q)
	if err != nil {
		return nil, err
	}
	page, err := t.tx.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	return t.g.filter(ctx, t.tx, t.p, page, false, exact)
}

// Put needs create or update on the type and write access to every patient
// the new version belongs to, and to those of the version it replaces (so
// that a record cannot be moved out of a compartment one may not touch).
func (t *guardTx) Put(ctx context.Context, w store.Write) (*fhir.Resource, error) {
	perm := PermCreate
	cur, err := t.tx.Read(ctx, w.Type, w.ID)
	switch {
	case err == nil:
		perm = PermUpdate
	case fhir.KindOf(err) == fhir.KindNotFound || fhir.KindOf(err) == fhir.KindGone:
		cur = nil
	default:
		return nil, err
	}
	inComp := t.g.inCompartment(w.Type)
	if err := checkType(t.p, w.Type, perm, inComp); err != nil {
		return nil, err
	}
	if inComp {
		patients, err := t.g.patientsOf(w.Type, w.ID, w.JSON, &w.Index)
		if err != nil {
			return nil, err
		}
		if cur != nil {
			old, err := t.g.patientsOf(cur.Type, cur.ID, cur.JSON, nil)
			if err != nil {
				return nil, err
			}
			for _, id := range old {
				if !contains(patients, id) {
					patients = append(patients, id)
				}
			}
		}
		if err := t.checkWrite(ctx, w.Type, w.ID, w.JSON, patients, cur == nil); err != nil {
			return nil, err
		}
	} else {
		t.p.touch(nil, w.Type+"/"+w.ID)
	}
	// Scope restrictions (scoperestrict.go): the version replaced and the
	// new one must both be inside them.
	if _, restricted := restrictions(t.p, w.Type, perm); !restricted {
		return t.tx.Put(ctx, w)
	}
	if cur != nil {
		if err := t.g.checkRestriction(ctx, t.tx, t.p, w.Type, w.ID, perm); err != nil {
			return nil, err
		}
	}
	res, err := t.tx.Put(ctx, w)
	if err != nil {
		return nil, err
	}
	if err := t.g.checkRestriction(ctx, t.tx, t.p, w.Type, w.ID, perm); err != nil {
		return nil, err
	}
	return res, nil
}

// checkWrite decides a write to a compartment resource. A clinician who
// creates a new Patient managed by their own organisation may do so: the
// patient has no record yet to relate to.
func (t *guardTx) checkWrite(ctx context.Context, typ, id string, body []byte, patients []string, created bool) error {
	if len(patients) == 0 {
		if t.p.Role == RoleSystem || t.p.Role.clinical() && t.p.LaunchPatient == "" {
			t.p.touch(nil, typ+"/"+id)
			return nil
		}
		return forbiddenPatient()
	}
	if created && typ == "Patient" && t.p.Role.clinical() && managedBy(body, t.p.actors()) {
		t.p.touch(patients, typ+"/"+id)
		return nil
	}
	_, ok, err := t.g.access(ctx, t.tx, t.p, patients, true)
	if err != nil {
		return err
	}
	if !ok {
		return forbiddenPatient()
	}
	t.p.touch(patients, typ+"/"+id)
	return nil
}

// Delete needs delete on the type and write access to the patients of the
// current version.
func (t *guardTx) Delete(ctx context.Context, typ, id string, ifMatch int64) (*fhir.Resource, error) {
	inComp := t.g.inCompartment(typ)
	if err := checkType(t.p, typ, PermDelete, inComp); err != nil {
		return nil, err
	}
	cur, err := t.tx.Read(ctx, typ, id)
	if err == nil && inComp {
		patients, err := t.g.patientsOf(typ, id, cur.JSON, nil)
		if err != nil {
			return nil, err
		}
		if err := t.checkWrite(ctx, typ, id, cur.JSON, patients, false); err != nil {
			return nil, err
		}
	}
	if err == nil {
		if err := t.g.checkRestriction(ctx, t.tx, t.p, typ, id, PermDelete); err != nil {
			return nil, err
		}
	}
	return t.tx.Delete(ctx, typ, id, ifMatch)
}
