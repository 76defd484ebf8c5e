package auth

import (
	"github.com/sen-emr/sen/internal/search"
)

// Pushing the patient restriction into the query: a patient or caregiver
// may only ever see the records of known patients, so their searches of
// Patient-compartment types are run as compartment searches (or, for
// Patient itself, with an _id clause). The store then pages and counts
// exactly what they may see, instead of the guard dropping results from
// each page afterwards (short pages, no total).
//
// What is not pushed down, and so still filtered page by page with the
// total dropped when anything was left out:
//   - a caregiver of several patients searching a compartment type without
//     naming one of them (search.Compartment holds one patient; several
//     would need an OR of compartments the query plan cannot express);
//   - staff, whose reach (organisation, care teams, consents, break-glass)
//     is a policy over the data rather than a list of patients;
//   - system-level searches (no type) and _include'd resources.
//
// https://hl7.org/fhir/R4/compartmentdefinition-patient.html

// onlyPatient is the one patient p can ever reach, or "".
func (p *Principal) onlyPatient() string {
	if p.LaunchPatient != "" && !p.hasUserOrSystemScopes() {
		return p.LaunchPatient
	}
	if (p.Role == RolePatient || p.Role == RoleCaregiver) && len(p.Patients) == 1 {
		return p.Patients[0]
	}
	return ""
}

// reachable lists the patients p can ever reach, or nil when p's reach is
// not a fixed list.
func (p *Principal) reachable() []string {
	if only := p.onlyPatient(); only != "" {
		return []string{only}
	}
	if (p.Role == RolePatient || p.Role == RoleCaregiver) && !(p.LaunchPatient != "" && !p.hasUserOrSystemScopes()) {
		return p.Patients
	}
	return nil
}

// pushCompartment narrows a type-level search of a principal limited to
// known patients to those patients' compartment. q has no compartment.
func (g *Guard) pushCompartment(p *Principal, q *search.Query) *search.Query {
	if q.Compartment != nil || q.Type == "" || !g.inCompartment(q.Type) {
		return q
	}
	patients := p.reachable()
	if len(patients) == 0 {
		return q // not a fixed list (or an empty one: the filter drops all)
	}
	nq := *q
	if q.Type == "Patient" {
		// A Patient is its own compartment: _id=<the patients> is exact
		// for any number of them.
		vals := make([]search.Value, len(patients))
		for i, id := range patients {
			vals[i] = search.Value{Raw: id, Code: id}
		}
		nq.Clauses = append(append([]search.Clause(nil), q.Clauses...), search.Clause{Param: "_id", Type: search.TypeToken, Values: vals})
		return &nq
	}
	if len(patients) == 1 {
		nq.Compartment = &search.Compartment{Type: "Patient", ID: patients[0]}
		return &nq
	}
	// Several patients: the query itself may name one of them (a
	// caregiver's app asks ?patient=<whom they act for>).
	if id := g.namedPatient(q, patients); id != "" {
		nq.Compartment = &search.Compartment{Type: "Patient", ID: id}
		return &nq
	}
	return q
}

// namedPatient returns the patient of patients that a clause of q on a
// Patient-compartment parameter names as its only value, or "".
func (g *Guard) namedPatient(q *search.Query, patients []string) string {
	params := g.Compartments.CompartmentParams("Patient", q.Type)
	for _, c := range q.Clauses {
		if c.Type != search.TypeReference || c.Chain != nil || c.Has != nil || len(c.Values) != 1 ||
			(c.Modifier != "" && c.Modifier != "Patient") || !contains(params, c.Param) {
			continue
		}
		v := c.Values[0]
		if (v.RefType == "" || v.RefType == "Patient") && contains(patients, v.RefID) {
			return v.RefID
		}
	}
	return ""
}
