package web

import (
	"net/http"
	"net/url"
	"sort"
	"time"
)

// worklistLimit bounds how many patients a worklist examines, so the page
// stays fast on a large population; a population registry (job-computed)
// is the place for complete lists.
const worklistLimit = 60

type lowRow struct {
	Patient  patientView
	Medicine string
	PDC      float64
}

type overdueRow struct {
	Patient patientView
	Last    time.Time
	Days    int
}

type worklistData struct {
	Low     []lowRow
	Overdue []overdueRow
	Tasks   []taskView
	Scope   string // message id describing whose patients these are
}

// worklists shows my patients with low adherence, overdue follow-ups and
// open tasks. "My patients" are those of the user's organisation's care
// teams when the user has an organisation, else those with active
// prescriptions.
func (h *Handler) worklists(w http.ResponseWriter, r *http.Request) error {
	u, ok := h.clinician(w, r)
	if !ok {
		return nil
	}
	ctx := r.Context()
	d := &worklistData{Scope: "work.scope.active"}
	var ids []string
	seen := map[string]bool{}
	addID := func(id string) {
		if id != "" && !seen[id] && len(ids) < worklistLimit {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if u.Organization != "" {
		teams, err := h.search(ctx, "CareTeam", url.Values{"status": {"active"}, "_count": {"200"}})
		if err != nil {
			return err
		}
		for _, t := range decode[careTeamJSON](h, teams) {
			for _, o := range t.ManagingOrganization {
				if o.Reference == u.Organization {
					d.Scope = "work.scope.org"
					addID(t.Subject.id())
				}
			}
		}
	}
	if len(ids) == 0 {
		reqs, err := h.search(ctx, "MedicationRequest", url.Values{"status": {"active"}, "_count": {"300"}})
		if err != nil {
			return err
		}
		for _, mr := range decode[medRequestJSON](h, reqs) {
			addID(mr.Subject.id())
		}
	}
	now := h.now()
	for _, id := range ids {
		p, err := h.loadPatient(ctx, id)
		if err != nil {
			continue
		}
		ms, err := h.loadMeds(ctx, id)
		if err != nil {
			return err
		}
		for _, l := range ms.Lines {
			if l.Low {
				d.Low = append(d.Low, lowRow{Patient: p, Medicine: l.Name, PDC: l.PDC})
			}
		}
		encs, err := h.search(ctx, "Encounter", url.Values{"subject": {"Patient/" + id}, "_count": {"200"}})
		if err != nil {
			return err
		}
		var last time.Time
		for _, e := range decode[encounterJSON](h, encs) {
			if t := parseTime(e.Period.Start, h.cfg.Location); t.After(last) {
				last = t
			}
		}
		if !last.IsZero() && now.Sub(last) > followUpDays*24*time.Hour {
			d.Overdue = append(d.Overdue, overdueRow{Patient: p, Last: last, Days: int(now.Sub(last).Hours() / 24)})
		}
	}
	sort.Slice(d.Low, func(i, j int) bool { return d.Low[i].PDC < d.Low[j].PDC })
	sort.Slice(d.Overdue, func(i, j int) bool { return d.Overdue[i].Days > d.Overdue[j].Days })

	tasks, err := h.search(ctx, "Task", url.Values{"status": {"requested,received,accepted,ready,in-progress"}, "_count": {"50"}})
	if err != nil {
		return err
	}
	for _, t := range decode[taskJSON](h, tasks) {
		tv := taskView{ID: t.ID, Text: t.Description, Status: t.Status, When: parseTime(t.AuthoredOn, h.cfg.Location), PatientID: t.For.id()}
		if tv.Text == "" {
			tv.Text = t.Code.label()
		}
		if tv.PatientID != "" {
			tv.Patient = h.referenceName(ctx, t.For)
		}
		d.Tasks = append(d.Tasks, tv)
	}
	return h.render(w, r, "worklists", &page{Title: "work.title", App: "app", User: u, Data: d})
}
