package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/sen-emr/sen/internal/clinical/medication"
)

type rxRow struct {
	ID, Medicine, Dosage, Patient, PatientID, Prescriber string
	Authored                                             time.Time
	Quantity                                             float64
	Unit                                                 string
	Dispensed                                            bool
}

type pharmacyData struct {
	Rows []rxRow
	Done string // id of the request just dispensed
}

// pharmacy lists active prescriptions, newest first, for dispensing.
func (h *Handler) pharmacy(w http.ResponseWriter, r *http.Request) error {
	u, ok := h.clinician(w, r)
	if !ok {
		return nil
	}
	lang := h.cfg.Catalog.FromRequest(r)
	params := url.Values{"status": {"active"}, "_count": {"50"}, "_sort": {"-authoredon"}}
	if pid := r.URL.Query().Get("patient"); pid != "" {
		params.Set("subject", "Patient/"+pid)
	}
	res, err := h.search(r.Context(), "MedicationRequest", params)
	if err != nil {
		return err
	}
	d := &pharmacyData{Done: r.URL.Query().Get("done")}
	names := map[string]string{}
	for _, res := range res {
		var mr medRequestJSON
		if jsonUnmarshal(res.JSON, &mr) != nil {
			continue
		}
		req, err := medication.ParseRequest(res.JSON)
		if err != nil {
			continue
		}
		row := rxRow{ID: res.ID, Medicine: mr.MedicationCodeableConcept.label(), PatientID: mr.Subject.id(),
			Prescriber: mr.Requester.Display, Authored: parseTime(mr.AuthoredOn, h.cfg.Location)}
		if len(req.DosageInstruction) > 0 {
			row.Dosage = medication.DescribeVI(req.DosageInstruction[0])
			if lang == "en" {
				row.Dosage = medication.DescribeEN(req.DosageInstruction[0])
			}
		}
		if mr.DispenseRequest != nil && mr.DispenseRequest.Quantity != nil && mr.DispenseRequest.Quantity.Value != nil {
			row.Quantity, row.Unit = *mr.DispenseRequest.Quantity.Value, mr.DispenseRequest.Quantity.Unit
		}
		if n, ok := names[row.PatientID]; ok {
			row.Patient = n
		} else if p, err := h.loadPatient(r.Context(), row.PatientID); err == nil {
			row.Patient, names[row.PatientID] = p.Name, p.Name
		}
		d.Rows = append(d.Rows, row)
	}
	sortByTime(d.Rows, func(x rxRow) time.Time { return x.Authored })
	return h.render(w, r, "pharmacy", &page{Title: "pharmacy.title", App: "app", User: u, Lang: lang, Data: d})
}

// dispense records a MedicationDispense handing over the prescribed
// quantity of request rx now.
func (h *Handler) dispense(w http.ResponseWriter, r *http.Request) error {
	u, ok := h.clinician(w, r)
	if !ok {
		return nil
	}
	rxID := r.PathValue("rx")
	res, err := h.cfg.Store.Read(r.Context(), "MedicationRequest", rxID)
	if err != nil {
		return err
	}
	var mr medRequestJSON
	if err := jsonUnmarshal(res.JSON, &mr); err != nil {
		return err
	}
	if mr.Status != "active" {
		return badRequest("pharmacy.err.inactive", nil)
	}
	var raw struct {
		MedicationCodeableConcept any `json:"medicationCodeableConcept"`
		DosageInstruction         any `json:"dosageInstruction"`
	}
	_ = jsonUnmarshal(res.JSON, &raw)
	disp := map[string]any{
		"status":                    "completed",
		"medicationCodeableConcept": raw.MedicationCodeableConcept,
		"subject":                   map[string]any{"reference": mr.Subject.Reference},
		"authorizingPrescription":   []any{map[string]any{"reference": "MedicationRequest/" + rxID}},
		"whenPrepared":              h.now().Format(time.RFC3339),
		"whenHandedOver":            h.now().Format(time.RFC3339),
		"performer":                 []any{map[string]any{"actor": authorRef(u)}},
	}
	if raw.DosageInstruction != nil {
		disp["dosageInstruction"] = raw.DosageInstruction
	}
	if dr := mr.DispenseRequest; dr != nil {
		if dr.Quantity != nil {
			disp["quantity"] = dr.Quantity
		}
		if dr.ExpectedSupplyDuration != nil {
			disp["daysSupply"] = map[string]any{"value": dr.ExpectedSupplyDuration.Value, "unit": "ngày", "system": "http://unitsofmeasure.org", "code": "d"}
		}
	}
	if _, err := h.create(r.Context(), "MedicationDispense", disp); err != nil {
		return err
	}
	return redirect(w, r, "/app/pharmacy?done="+url.QueryEscape(rxID))
}
