package rest

import (
	"context"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// update is the FHIR update interaction: a new version of Type/id, or the
// first one when the resource does not exist (update as create with a
// client-chosen id, 201). The body's id must equal the URL's. If-Match
// makes it a version-aware update (412 on mismatch).
//
// https://hl7.org/fhir/R4/http.html#update
func (s *server) update(r *http.Request) (*result, error) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	ifMatch, err := parseETag(r.Header.Get("If-Match"))
	if err != nil {
		return nil, err
	}
	p, err := s.readResource(r, typ)
	if err != nil {
		return nil, err
	}
	if p.id == "" {
		return nil, fhir.Errorf(fhir.KindInvalid, "an update body must carry the id %s of the URL", id).At("id")
	}
	if p.id != id {
		return nil, fhir.Errorf(fhir.KindInvalid, "the body id %s differs from the URL id %s", p.id, id).At("id")
	}
	w, err := s.prepare(p, id)
	if err != nil {
		return nil, err
	}
	w.IfMatch = ifMatch
	var out *result
	err = s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		out, err = s.updateIn(r.Context(), tx, w)
		return err
	})
	return out, err
}

// conditionalUpdate is PUT Type?params: no match creates (with the body's
// id, or a new one), one match updates it, several answer 412.
//
// https://hl7.org/fhir/R4/http.html#cond-update
func (s *server) conditionalUpdate(r *http.Request) (*result, error) {
	typ := r.PathValue("type")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	p, err := s.readResource(r, typ)
	if err != nil {
		return nil, err
	}
	ifMatch, err := parseETag(r.Header.Get("If-Match"))
	if err != nil {
		return nil, err
	}
	var out *result
	err = s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		out, err = s.conditionalUpdateIn(r.Context(), tx, p, r.URL.RawQuery, ifMatch)
		return err
	})
	return out, err
}

func (s *server) conditionalUpdateIn(ctx context.Context, tx store.Tx, p *parsed, query string, ifMatch int64) (*result, error) {
	id, err := s.resolveConditionalID(ctx, tx, p.typ, query, p.id)
	if err != nil {
		return nil, err
	}
	w, err := s.prepare(p, id)
	if err != nil {
		return nil, err
	}
	w.IfMatch = ifMatch
	return s.updateIn(ctx, tx, w)
}

// resolveConditionalID picks the id a conditional update writes to.
func (s *server) resolveConditionalID(ctx context.Context, rd store.Reader, typ, query, bodyID string) (string, error) {
	id, _, err := s.resolveConditional(ctx, rd, typ, query, bodyID)
	return id, err
}

// resolveConditional is resolveConditionalID that also returns the id the
// condition matched ("" when none did, and id is the body's or a new one).
func (s *server) resolveConditional(ctx context.Context, rd store.Reader, typ, query, bodyID string) (id, matched string, err error) {
	found, err := s.match(ctx, rd, typ, query)
	if err != nil {
		return "", "", err
	}
	switch {
	case len(found) > 1:
		return "", "", multiple(typ, query)
	case len(found) == 1:
		if bodyID != "" && bodyID != found[0].ID {
			return "", "", fhir.Errorf(fhir.KindInvalid, "the body id %s differs from the id %s the condition matched", bodyID, found[0].ID).At("id")
		}
		return found[0].ID, found[0].ID, nil
	case bodyID != "":
		return bodyID, "", nil
	}
	return uuid.NewString(), "", nil
}

// updateIn writes a prepared update inside tx; 201 when it created the
// resource, 200 otherwise.
func (s *server) updateIn(ctx context.Context, tx store.Tx, w store.Write) (*result, error) {
	status := http.StatusOK
	if _, err := tx.Read(ctx, w.Type, w.ID); err != nil {
		switch fhir.KindOf(err) {
		case fhir.KindNotFound, fhir.KindGone:
			status = http.StatusCreated
			if w.IfMatch > 0 {
				return nil, fhir.Errorf(fhir.KindPrecondition, "If-Match %s: %s/%s does not exist", strconv.Quote(itoa(w.IfMatch)), w.Type, w.ID)
			}
		default:
			return nil, err
		}
	}
	res, err := tx.Put(ctx, w)
	if err != nil {
		return nil, err
	}
	return &result{status: status, res: res, location: historyPath(res)}, nil
}

// readResource reads and checks a JSON resource body of type typ.
func (s *server) readResource(r *http.Request, typ string) (*parsed, error) {
	body, _, err := s.readBody(r, mimeFHIRJSON, mimeJSON)
	if err != nil {
		return nil, err
	}
	return s.parseResource(body, typ)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
