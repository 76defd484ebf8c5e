package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/clinical/medication"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/i18n"
)

// doseRow is one scheduled dose in the patient app.
type doseRow struct {
	RequestID string
	Medicine  string
	Key       string
	Amount    string
	Unit      string
	Time      time.Time
	Taken     bool
	TakenAt   time.Time
	Late      bool // past its window and not taken
}

type meData struct {
	Patient   patientView
	Caregiver bool
	Others    []patientView // the other patients a caregiver acts for
	Doses     []doseRow
	Missed    []doseRow
	Meds      []medLine
	Results   []obsView
	Access    []accessRow
	Just      bool // a dose was just confirmed
	Taken     int
	Due       int
	PushKey   string // VAPID public key when reminders by Web Push are offered
}

type accessRow struct {
	When       time.Time
	Who        string
	Action     string
	Text       string // the whole entry as a sentence in the page's language
	BreakGlass bool
}

func (h *Handler) meBase(w http.ResponseWriter, r *http.Request) (*User, *meData, bool, error) {
	u, pid, ok := h.patientUser(w, r)
	if !ok {
		return nil, nil, false, nil
	}
	p, err := h.loadPatient(r.Context(), pid)
	if err != nil {
		return nil, nil, false, err
	}
	d := &meData{Patient: p, Caregiver: u.Role == RoleCaregiver}
	if len(u.Patients) > 1 {
		for i, id := range u.Patients {
			if i == 10 {
				break
			}
			if id == pid {
				continue
			}
			if o, err := h.loadPatient(r.Context(), id); err == nil {
				d.Others = append(d.Others, o)
			}
		}
	}
	return u, d, true, nil
}

// dayDoses lists the doses of active prescriptions scheduled on the day of
// t, each marked taken if an intake matches it.
func (h *Handler) dayDoses(loc *i18n.Localizer, ms *medState, day time.Time, rxs map[string]medRequestJSON) []doseRow {
	var out []doseRow
	from, to := midnight(day), midnight(day).AddDate(0, 0, 1)
	for id, req := range ms.Requests {
		rj := rxs[id]
		if rj.Status != "active" {
			continue
		}
		doses, err := medication.Schedule(req, from, to, h.cfg.Location, medication.MealTimes{})
		if err != nil {
			continue
		}
		for _, d := range doses {
			out = append(out, doseRow{RequestID: id, Medicine: rj.MedicationCodeableConcept.label(), Key: medKey(rj.MedicationCodeableConcept),
				Amount: formatNumber(d.Amount), Unit: doseUnitLabel(loc, rj.DosageInstruction, d.Unit), Time: d.Time})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].Medicine < out[j].Medicine
	})
	// Pair doses and intakes the same way adherence does.
	planned := make([]medication.Planned, len(out))
	for i, d := range out {
		planned[i] = medication.Planned{Medication: d.Key, Time: d.Time}
	}
	confs := medication.Match(planned, ms.Unnamed, matchWindow)
	now := h.now()
	for i := range out {
		if at, ok := ms.Confirmed[doseKey(out[i].RequestID, out[i].Time)]; ok {
			out[i].Taken, out[i].TakenAt = true, at
		}
		for _, c := range confs {
			if out[i].Taken {
				break
			}
			if c.Medication == out[i].Key && c.Scheduled.Equal(out[i].Time) && !c.Taken.IsZero() {
				out[i].Taken, out[i].TakenAt = true, c.Taken
				break
			}
		}
		out[i].Late = !out[i].Taken && now.After(out[i].Time.Add(medication.DefaultTimingWindow))
	}
	return out
}

func (h *Handler) loadMe(r *http.Request, d *meData) (*medState, map[string]medRequestJSON, error) {
	ms, err := h.loadMeds(r.Context(), d.Patient.ID)
	if err != nil {
		return nil, nil, err
	}
	res, err := h.search(r.Context(), "MedicationRequest", url.Values{"subject": {"Patient/" + d.Patient.ID}, "status": {"active"}, "_count": {"100"}})
	if err != nil {
		return nil, nil, err
	}
	rxs := map[string]medRequestJSON{}
	for _, x := range res {
		var mr medRequestJSON
		if jsonUnmarshal(x.JSON, &mr) == nil {
			rxs[x.ID] = mr
		}
	}
	return ms, rxs, nil
}

// meToday is the patient's start page: today's doses.
func (h *Handler) meToday(w http.ResponseWriter, r *http.Request) error {
	u, d, ok, err := h.meBase(w, r)
	if !ok || err != nil {
		return err
	}
	ms, rxs, err := h.loadMe(r, d)
	if err != nil {
		return err
	}
	d.Doses = h.dayDoses(h.cfg.Catalog.Localizer(h.cfg.Catalog.FromRequest(r)), ms, h.now(), rxs)
	for _, x := range d.Doses {
		d.Due++
		if x.Taken {
			d.Taken++
		}
	}
	d.Just = r.URL.Query().Get("ok") == "1"
	d.PushKey = h.pushKey()
	return h.render(w, r, "me_today", &page{Title: "me.today.title", App: "me", User: u, Data: d})
}

// meConfirm records that a dose was taken: a MedicationAdministration
// (status completed, effective now) for the request and scheduled time.
func (h *Handler) meConfirm(w http.ResponseWriter, r *http.Request) error {
	u, d, ok, err := h.meBase(w, r)
	if !ok || err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.invalid", err)
	}
	rxID := r.PostForm.Get("rx")
	sched, err := strconv.ParseInt(r.PostForm.Get("at"), 10, 64)
	if err != nil {
		return badRequest("error.invalid", err)
	}
	res, err := h.cfg.Store.Read(r.Context(), "MedicationRequest", rxID)
	if err != nil {
		return err
	}
	var mr medRequestJSON
	if err := jsonUnmarshal(res.JSON, &mr); err != nil {
		return err
	}
	if mr.Subject.Reference != "Patient/"+d.Patient.ID {
		return forbidden() // not this patient's prescription
	}
	var raw struct {
		MedicationCodeableConcept any `json:"medicationCodeableConcept"`
	}
	_ = jsonUnmarshal(res.JSON, &raw)
	at := time.Unix(sched, 0).In(h.cfg.Location)
	now := h.now()
	if at.After(now.Add(12*time.Hour)) || at.Before(now.AddDate(0, 0, -7)) {
		return badRequest("me.err.when", nil)
	}
	performer := map[string]any{"reference": "Patient/" + d.Patient.ID}
	if u.Role == RoleCaregiver {
		performer = authorRef(u)
	}
	adm := map[string]any{
		"status":                    "completed",
		"medicationCodeableConcept": raw.MedicationCodeableConcept,
		"subject":                   map[string]any{"reference": "Patient/" + d.Patient.ID},
		"effectiveDateTime":         now.Format(time.RFC3339),
		"request":                   map[string]any{"reference": "MedicationRequest/" + rxID},
		"performer":                 []any{map[string]any{"actor": performer}},
		"extension":                 []any{map[string]any{"url": extScheduled, "valueDateTime": at.Format(time.RFC3339)}},
	}
	if strings.HasPrefix(r.PostForm.Get("back"), "/me/missed") {
		// "I took it" on a missed dose: taken but not tapped, so at the
		// scheduled time as far as the patient knows.
		adm["effectiveDateTime"] = at.Format(time.RFC3339)
	}
	if _, err := h.create(r.Context(), "MedicationAdministration", adm); err != nil {
		return err
	}
	back := "/me?ok=1"
	if strings.HasPrefix(r.PostForm.Get("back"), "/me/missed") {
		back = "/me/missed?ok=1"
	}
	return redirect(w, r, back)
}

// meMissed lists the last seven days' doses that were not confirmed.
func (h *Handler) meMissed(w http.ResponseWriter, r *http.Request) error {
	u, d, ok, err := h.meBase(w, r)
	if !ok || err != nil {
		return err
	}
	ms, rxs, err := h.loadMe(r, d)
	if err != nil {
		return err
	}
	now := h.now()
	for i := 0; i < 7; i++ {
		for _, x := range h.dayDoses(h.cfg.Catalog.Localizer(h.cfg.Catalog.FromRequest(r)), ms, now.AddDate(0, 0, -i), rxs) {
			if x.Late {
				d.Missed = append(d.Missed, x)
			}
		}
	}
	d.Just = r.URL.Query().Get("ok") == "1"
	return h.render(w, r, "me_missed", &page{Title: "me.missed.title", App: "me", User: u, Data: d})
}

// meMedicines lists the patient's current medicines in plain words.
func (h *Handler) meMedicines(w http.ResponseWriter, r *http.Request) error {
	u, d, ok, err := h.meBase(w, r)
	if !ok || err != nil {
		return err
	}
	ms, err := h.loadMeds(r.Context(), d.Patient.ID)
	if err != nil {
		return err
	}
	for _, l := range ms.Lines {
		if l.Active {
			d.Meds = append(d.Meds, l)
		}
	}
	return h.render(w, r, "me_medicines", &page{Title: "me.meds.title", App: "me", User: u, Data: d})
}

// meResults shows the latest measurements and lab results.
func (h *Handler) meResults(w http.ResponseWriter, r *http.Request) error {
	u, d, ok, err := h.meBase(w, r)
	if !ok || err != nil {
		return err
	}
	obs, err := h.search(r.Context(), "Observation", url.Values{"subject": {"Patient/" + d.Patient.ID}, "_count": {"500"}})
	if err != nil {
		return err
	}
	var sd summaryData
	lang := h.cfg.Catalog.FromRequest(r)
	h.observations(&sd, decode[observationJSON](h, obs), h.cfg.Catalog.Localizer(lang))
	d.Results = sd.Latest
	return h.render(w, r, "me_results", &page{Title: "me.results.title", App: "me", User: u, Lang: lang, Data: d})
}

// meAccess lists who else opened the record, from the audit trail, in
// plain sentences (audit.AccessLog). A store that refuses the patient the
// audit trail yields the "none yet" text rather than an error page.
func (h *Handler) meAccess(w http.ResponseWriter, r *http.Request) error {
	u, d, ok, err := h.meBase(w, r)
	if !ok || err != nil {
		return err
	}
	lang := h.cfg.Catalog.FromRequest(r)
	entries, err := audit.AccessLog(r.Context(), h.cfg.Store, d.Patient.ID, lang, 50)
	if err != nil {
		if fhir.KindOf(err) != fhir.KindForbidden {
			return err
		}
		h.cfg.Logger.Warn("web: access log refused", "patient", d.Patient.ID, "err", err)
	}
	for _, e := range entries {
		d.Access = append(d.Access, accessRow{When: e.Time.In(h.cfg.Location), Who: e.Who, Action: e.Action, Text: e.Text, BreakGlass: e.BreakGlass})
	}
	return h.render(w, r, "me_access", &page{Title: "me.access.title", App: "me", User: u, Lang: lang, Data: d})
}
