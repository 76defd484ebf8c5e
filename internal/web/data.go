package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/vn"
)

// search runs a FHIR search through the store and returns the matches of
// the first page.
func (h *Handler) search(ctx context.Context, typ string, params url.Values) ([]*fhir.Resource, error) {
	q, err := h.cfg.Queries.ParseQuery(typ, params)
	if err != nil {
		return nil, fmt.Errorf("search %s?%s: %w", typ, params.Encode(), err)
	}
	p, err := h.cfg.Store.Search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search %s?%s: %w", typ, params.Encode(), err)
	}
	return p.Resources, nil
}

// decode unmarshals each resource into T, skipping (and logging) bodies
// that do not decode rather than failing the whole page.
func decode[T any](h *Handler, rs []*fhir.Resource) []T {
	out := make([]T, 0, len(rs))
	for _, r := range rs {
		var v T
		if err := json.Unmarshal(r.JSON, &v); err != nil {
			h.cfg.Logger.Warn("web: undecodable resource", "type", r.Type, "id", r.ID, "err", err)
			continue
		}
		out = append(out, v)
	}
	return out
}

func (h *Handler) readInto(ctx context.Context, typ, id string, v any) error {
	if !fhir.ValidID(id) {
		return notFound("error.notfound")
	}
	res, err := h.cfg.Store.Read(ctx, typ, id)
	if err != nil {
		return fmt.Errorf("read %s/%s: %w", typ, id, err)
	}
	if err := json.Unmarshal(res.JSON, v); err != nil {
		return fmt.Errorf("decode %s/%s: %w", typ, id, err)
	}
	return nil
}

// patientView is a patient's header: name, demographics and identifiers.
type patientView struct {
	ID        string
	Name      string
	Gender    string // FHIR code
	BirthDate time.Time
	Age       int
	CCCD      string
	BHYT      string
	MRN       string
	Phone     string
	Address   string
	GP        string // general practitioner / primary care organisation
}

func (h *Handler) patientView(p patientJSON) patientView {
	v := patientView{ID: p.ID, Gender: p.Gender}
	if len(p.Name) > 0 {
		v.Name = vn.DisplayName(p.Name[0])
	}
	if v.Name == "" {
		v.Name = p.ID
	}
	if p.BirthDate != "" {
		v.BirthDate = parseTime(p.BirthDate, h.cfg.Location)
		if !v.BirthDate.IsZero() {
			v.Age = age(v.BirthDate, h.now())
		}
	}
	for _, id := range p.Identifier {
		switch {
		case id.System == vn.SystemCCCD || id.System == vn.VNCoreSystemNationalID || id.System == vn.VNCoreSystemCitizenID:
			v.CCCD = id.Value
		case id.System == vn.SystemBHYT || id.System == vn.VNCoreSystemInsuranceNumber:
			v.BHYT = id.Value
		case strings.HasPrefix(id.System, vn.SystemMRN):
			v.MRN = id.Value
		}
	}
	for _, t := range p.Telecom {
		if t.System == "phone" {
			v.Phone = t.Value
			if ph, err := vn.ParsePhone(t.Value); err == nil {
				v.Phone = ph.National
			}
			break
		}
	}
	if len(p.Address) > 0 {
		v.Address = p.Address[0].Text
	}
	if len(p.GeneralPractitioner) > 0 {
		v.GP = p.GeneralPractitioner[0].Display
	}
	return v
}

func age(birth, now time.Time) int {
	a := now.Year() - birth.Year()
	if now.Month() < birth.Month() || (now.Month() == birth.Month() && now.Day() < birth.Day()) {
		a--
	}
	return a
}

func (h *Handler) loadPatient(ctx context.Context, id string) (patientView, error) {
	var p patientJSON
	if err := h.readInto(ctx, "Patient", id, &p); err != nil {
		return patientView{}, err
	}
	return h.patientView(p), nil
}

// referenceName resolves a Practitioner, PractitionerRole, Organization,
// Patient or RelatedPerson reference to a display name, using the
// reference's display when it has one.
func (h *Handler) referenceName(ctx context.Context, ref reference) string {
	if ref.Display != "" {
		return ref.Display
	}
	typ, id, ok := strings.Cut(ref.Reference, "/")
	if !ok || !fhir.ValidID(id) {
		return ref.Reference
	}
	switch typ {
	case "PractitionerRole":
		var pr practitionerRoleJSON
		if err := h.readInto(ctx, typ, id, &pr); err != nil {
			return ref.Reference
		}
		return h.referenceName(ctx, pr.Practitioner)
	case "Organization":
		var o struct {
			Name string `json:"name"`
		}
		if err := h.readInto(ctx, typ, id, &o); err != nil || o.Name == "" {
			return ref.Reference
		}
		return o.Name
	case "Practitioner", "Patient", "RelatedPerson":
		var n struct {
			Name []map[string]any `json:"name"`
		}
		if err := h.readInto(ctx, typ, id, &n); err != nil || len(n.Name) == 0 {
			return ref.Reference
		}
		if s := vn.DisplayName(n.Name[0]); s != "" {
			return s
		}
	}
	return ref.Reference
}

// sortByTime orders items by a time key, newest first.
func sortByTime[T any](xs []T, key func(T) time.Time) {
	sort.SliceStable(xs, func(i, j int) bool { return key(xs[i]).After(key(xs[j])) })
}
