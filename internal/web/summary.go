package web

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/i18n"
)

// LOINC codes the summary shows, in display order, with their message ids.
const (
	loincBP        = "85354-9"
	loincSystolic  = "8480-6"
	loincDiastolic = "8462-4"
	loincHR        = "8867-4"
	loincWeight    = "29463-7"
	loincHeight    = "8302-2"
	loincBMI       = "39156-5"
	loincHbA1c     = "4548-4"
	loincGlucose   = "14771-0"
	loincEGFR      = "62238-1"
	loincCreat     = "14682-9"
	loincChol      = "14647-2"
	loincLDL       = "22748-8"
	loincMMSE      = "72107-6"
	loincNote      = "11506-3" // Progress note
	systemLOINC    = "http://loinc.org"
)

func obsOrder() []string {
	return []string{loincSystolic, loincDiastolic, loincHR, loincWeight, loincHeight, loincBMI,
		loincHbA1c, loincGlucose, loincEGFR, loincCreat, loincChol, loincLDL, loincMMSE}
}

// obsView is the latest value of one measurement.
type obsView struct {
	Code  string
	MsgID string
	Value float64
	Unit  string
	When  time.Time
	Flag  bool // outside the usual target
}

type problemView struct {
	Code, Title string
	Active      bool
	Onset       time.Time
}

type allergyView struct {
	Substance, Reaction, Criticality string
	Active                           bool
}

type encounterView struct {
	ID       string // for the record-form links (record_form.go)
	When     time.Time
	Type     string
	Class    string
	Provider string
	Who      string
}

type teamMember struct{ Name, Role string }

type teamView struct {
	Name         string
	Organization string
	Members      []teamMember
}

type noteView struct {
	When time.Time
	Text string
}

type alertView struct {
	MsgID string
	Args  map[string]any
}

type summaryData struct {
	Patient    patientView
	Problems   []problemView
	Allergies  []allergyView
	Meds       *medState
	Latest     []obsView
	Charts     []chartView
	Encounters []encounterView
	Teams      []teamView
	Consents   []consentView
	Tasks      []taskView
	Notes      []noteView
	Alerts     []string // rendered texts
}

type chartView struct {
	MsgID string
	SVG   string
}

type consentView struct {
	Status, Scope string
	Date          time.Time
	Permit        bool
}

type taskView struct {
	ID, Text, Status, Patient, PatientID string
	When                                 time.Time
}

// summary is the one-screen patient summary.
func (h *Handler) summary(w http.ResponseWriter, r *http.Request) error {
	u, ok := h.clinician(w, r)
	if !ok {
		return nil
	}
	id := r.PathValue("id")
	lang := h.cfg.Catalog.FromRequest(r)
	d, err := h.buildSummary(r.Context(), id, h.cfg.Catalog.Localizer(lang))
	if err != nil {
		return err
	}
	pushRecent(w, r, id)
	return h.render(w, r, "summary", &page{Title: "summary.title", App: "app", User: u, Lang: lang, Data: d})
}

func (h *Handler) buildSummary(ctx context.Context, id string, loc *i18n.Localizer) (*summaryData, error) {
	pv, err := h.loadPatient(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &summaryData{Patient: pv}
	subj := url.Values{"subject": {"Patient/" + id}, "_count": {"500"}}

	conds, err := h.search(ctx, "Condition", subj)
	if err != nil {
		return nil, err
	}
	for _, c := range decode[conditionJSON](h, conds) {
		pv := problemView{Code: c.Code.code("http://hl7.org/fhir/sid/icd-10"), Title: c.Code.label(),
			Active: c.ClinicalStatus.code("") == "active" || c.ClinicalStatus.code("") == "recurrence" || c.ClinicalStatus.code("") == "relapse",
			Onset:  parseTime(c.OnsetDateTime, h.cfg.Location)}
		if t, ok := icdByCode(pv.Code); ok && loc.Lang() == i18n.English {
			pv.Title = t.EN
		}
		d.Problems = append(d.Problems, pv)
	}
	sort.SliceStable(d.Problems, func(i, j int) bool { return d.Problems[i].Active && !d.Problems[j].Active })

	alls, err := h.search(ctx, "AllergyIntolerance", url.Values{"patient": {"Patient/" + id}})
	if err != nil {
		return nil, err
	}
	for _, a := range decode[allergyJSON](h, alls) {
		av := allergyView{Substance: a.Code.label(), Criticality: a.Criticality, Active: a.ClinicalStatus.code("") != "inactive" && a.ClinicalStatus.code("") != "resolved"}
		var rs []string
		for _, re := range a.Reaction {
			for _, m := range re.Manifestation {
				rs = append(rs, m.label())
			}
		}
		av.Reaction = strings.Join(rs, ", ")
		d.Allergies = append(d.Allergies, av)
	}

	if d.Meds, err = h.loadMeds(ctx, id); err != nil {
		return nil, err
	}

	obs, err := h.search(ctx, "Observation", subj)
	if err != nil {
		return nil, err
	}
	h.observations(d, decode[observationJSON](h, obs), loc)

	encs, err := h.search(ctx, "Encounter", subj)
	if err != nil {
		return nil, err
	}
	ejs := decode[encounterJSON](h, encs)
	sortByTime(ejs, func(e encounterJSON) time.Time { return parseTime(e.Period.Start, h.cfg.Location) })
	for i, e := range ejs {
		if i == 8 {
			break
		}
		ev := encounterView{ID: e.ID, When: parseTime(e.Period.Start, h.cfg.Location), Type: encounterLabel(loc, e.Type, e.Class),
			Class: e.Class.Code, Provider: e.ServiceProvider.Display}
		if len(e.Participant) > 0 {
			ev.Who = e.Participant[0].Individual.Display
		}
		d.Encounters = append(d.Encounters, ev)
	}

	teams, err := h.search(ctx, "CareTeam", url.Values{"subject": {"Patient/" + id}})
	if err != nil {
		return nil, err
	}
	for _, t := range decode[careTeamJSON](h, teams) {
		if t.Status != "" && t.Status != "active" {
			continue
		}
		tv := teamView{Name: t.Name}
		if len(t.ManagingOrganization) > 0 {
			tv.Organization = h.referenceName(ctx, t.ManagingOrganization[0])
		}
		for _, p := range t.Participant {
			m := teamMember{Name: h.referenceName(ctx, p.Member)}
			if len(p.Role) > 0 {
				m.Role = p.Role[0].label()
			}
			tv.Members = append(tv.Members, m)
		}
		d.Teams = append(d.Teams, tv)
	}

	cons, err := h.search(ctx, "Consent", url.Values{"patient": {"Patient/" + id}})
	if err != nil {
		return nil, err
	}
	for _, c := range decode[consentJSON](h, cons) {
		cv := consentView{Status: c.Status, Scope: c.Scope.label(), Date: parseTime(c.DateTime, h.cfg.Location), Permit: c.Provision == nil || c.Provision.Type != "deny"}
		if len(c.Category) > 0 && cv.Scope == "" {
			cv.Scope = c.Category[0].label()
		}
		d.Consents = append(d.Consents, cv)
	}

	tasks, err := h.search(ctx, "Task", url.Values{"subject": {"Patient/" + id}, "status": {"requested,received,accepted,ready,in-progress"}})
	if err != nil {
		return nil, err
	}
	for _, t := range decode[taskJSON](h, tasks) {
		tv := taskView{ID: t.ID, Text: t.Description, Status: t.Status, When: parseTime(t.AuthoredOn, h.cfg.Location)}
		if tv.Text == "" {
			tv.Text = t.Code.label()
		}
		d.Tasks = append(d.Tasks, tv)
	}

	docs, err := h.search(ctx, "DocumentReference", url.Values{"subject": {"Patient/" + id}, "type": {systemLOINC + "|" + loincNote}})
	if err != nil {
		return nil, err
	}
	d.Notes = h.notes(docs2(h, docs))
	d.Alerts = h.alerts(d, loc)
	return d, nil
}

type docJSON struct {
	Date    string `json:"date"`
	Content []struct {
		Attachment struct {
			ContentType string `json:"contentType"`
			Data        string `json:"data"`
		} `json:"attachment"`
	} `json:"content"`
}

func docs2(h *Handler, rs []*fhir.Resource) []docJSON { return decode[docJSON](h, rs) }

func (h *Handler) notes(ds []docJSON) []noteView {
	var out []noteView
	for _, d := range ds {
		nv := noteView{When: parseTime(d.Date, h.cfg.Location)}
		for _, c := range d.Content {
			if b, err := base64.StdEncoding.DecodeString(c.Attachment.Data); err == nil && strings.HasPrefix(c.Attachment.ContentType, "text/plain") {
				nv.Text = string(b)
				break
			}
		}
		out = append(out, nv)
	}
	sortByTime(out, func(n noteView) time.Time { return n.When })
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

// observations fills the latest values and the four trend charts.
func (h *Handler) observations(d *summaryData, obs []observationJSON, loc *i18n.Localizer) {
	trend := map[string][]point{}
	latest := map[string]obsView{}
	add := func(code string, v *quantity, when time.Time) {
		if v == nil || v.Value == nil || when.IsZero() {
			return
		}
		trend[code] = append(trend[code], point{T: when, V: *v.Value})
		if l, ok := latest[code]; !ok || when.After(l.When) {
			latest[code] = obsView{Code: code, MsgID: "obs." + code, Value: *v.Value, Unit: unitLabel(loc, *v), When: when}
		}
	}
	for _, o := range obs {
		if o.Status == "entered-in-error" || o.Status == "cancelled" {
			continue
		}
		when := parseTime(o.EffectiveDateTime, h.cfg.Location)
		code := o.Code.code(systemLOINC)
		if code == loincBP {
			for _, c := range o.Component {
				add(c.Code.code(systemLOINC), c.ValueQuantity, when)
			}
			continue
		}
		add(code, o.ValueQuantity, when)
	}
	for code := range trend {
		sort.Slice(trend[code], func(i, j int) bool { return trend[code][i].T.Before(trend[code][j].T) })
		// A panel and its separate component observations may both exist:
		// keep one point per instant.
		trend[code] = dedupe(trend[code])
	}
	for _, code := range obsOrder() {
		if l, ok := latest[code]; ok {
			l.Flag = outOfTarget(code, l.Value)
			d.Latest = append(d.Latest, l)
		}
	}
	type spec struct {
		msg    string
		ss     []series
		lo, hi float64
	}
	for _, sp := range []spec{
		{"chart.bp", []series{{loc.T("obs."+loincSystolic, nil), "s1", trend[loincSystolic]}, {loc.T("obs."+loincDiastolic, nil), "s2", trend[loincDiastolic]}}, 70, 140},
		{"chart.hba1c", []series{{loc.T("obs."+loincHbA1c, nil), "s1", trend[loincHbA1c]}}, 4, 7},
		{"chart.weight", []series{{loc.T("obs."+loincWeight, nil), "s1", trend[loincWeight]}}, 0, 0},
		{"chart.egfr", []series{{loc.T("obs."+loincEGFR, nil), "s1", trend[loincEGFR]}}, 60, 120},
	} {
		if svg := trendChart(loc.T(sp.msg, nil), sp.ss, sp.lo, sp.hi); svg != "" {
			d.Charts = append(d.Charts, chartView{MsgID: sp.msg, SVG: svg})
		}
	}
}

func dedupe(ps []point) []point {
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p.T.Equal(ps[i-1].T) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// outOfTarget flags values outside the usual treatment targets (Vietnamese
// MOH chronic-disease guidance: BP < 140/90, HbA1c < 7 %, eGFR >= 60).
func outOfTarget(code string, v float64) bool {
	switch code {
	case loincSystolic:
		return v >= 140
	case loincDiastolic:
		return v >= 90
	case loincHbA1c:
		return v >= 7
	case loincEGFR:
		return v < 60
	}
	return false
}

// alerts are the things a clinician should see first.
func (h *Handler) alerts(d *summaryData, loc *i18n.Localizer) []string {
	var out []string
	for _, a := range d.Allergies {
		if a.Active {
			out = append(out, loc.T("alert.allergy", map[string]any{"Substance": a.Substance}))
		}
	}
	for _, l := range d.Meds.Lines {
		if l.Low {
			out = append(out, loc.T("alert.lowpdc", map[string]any{"Medicine": l.Name, "PDC": int(l.PDC*100 + 0.5)}))
		}
	}
	for _, o := range d.Latest {
		if o.Flag {
			out = append(out, loc.T("alert.target", map[string]any{"Name": loc.T(o.MsgID, nil), "Value": formatNumber(o.Value), "Unit": o.Unit}))
		}
	}
	if len(d.Encounters) > 0 && h.now().Sub(d.Encounters[0].When) > followUpDays*24*time.Hour && hasActiveChronic(d.Problems) {
		out = append(out, loc.T("alert.overdue", map[string]any{"Days": int(h.now().Sub(d.Encounters[0].When).Hours() / 24)}))
	}
	return out
}

// followUpDays is how long a patient with an active chronic problem may go
// without a visit before the follow-up is overdue (monthly refills plus a
// grace period).
const followUpDays = 45

func hasActiveChronic(ps []problemView) bool {
	for _, p := range ps {
		if p.Active {
			return true
		}
	}
	return false
}
