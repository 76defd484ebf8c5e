package rest

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/vn/bhyt"
)

// Which of a patient's records belong to one episode's claim ($bhyt-xml).

// episodeFilter decides whether a record belongs to an encounter: it names
// the encounter, the encounter names it (Encounter.diagnosis → Condition),
// or it names no encounter at all and is dated inside the encounter's
// period (records written without an encounter link, common in data
// coming from other systems).
type episodeFilter struct {
	id         string
	referenced map[string]bool
	start, end time.Time
}

func newEpisodeFilter(encounter []byte, id string) episodeFilter {
	f := episodeFilter{id: id, referenced: map[string]bool{}}
	var refs []string
	collectRefs(encounter, &refs)
	for _, r := range refs {
		f.referenced[r] = true
	}
	var e struct {
		Period struct{ Start, End string } `json:"period"`
	}
	if json.Unmarshal(encounter, &e) == nil {
		f.start, _ = parseFHIRTime(e.Period.Start)
		f.end, _ = parseFHIRTime(e.Period.End)
	}
	return f
}

func (f episodeFilter) includes(typ string, body []byte) bool {
	s := string(body)
	if strings.Contains(s, `"Encounter/`+f.id+`"`) {
		return true
	}
	var r struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(body, &r) == nil && f.referenced[typ+"/"+r.ID] {
		return true
	}
	if strings.Contains(s, `"Encounter/`) || f.start.IsZero() {
		return false // linked to another encounter, or no period to compare with
	}
	var d map[string]json.RawMessage
	if json.Unmarshal(body, &d) != nil {
		return false
	}
	for _, k := range []string{"authoredOn", "effectiveDateTime", "occurrenceDateTime", "issued", "recordedDate", "date", "performedDateTime"} {
		var v string
		if raw, ok := d[k]; ok && json.Unmarshal(raw, &v) == nil {
			t, ok := parseFHIRTime(v)
			if !ok {
				return false
			}
			end := f.end
			if end.IsZero() {
				end = t // an open encounter: everything since it started
			}
			return !t.Before(f.start) && !t.After(end)
		}
	}
	return false
}

func parseFHIRTime(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// claimFacility is the Organization that claims: the encounter's
// serviceProvider, or else the one Organization carrying a facility code
// (MA_CSKCB) when the installation has exactly one. Nil when neither.
func (s *server) claimFacility(ctx context.Context, ref string) []byte {
	if id, ok := strings.CutPrefix(ref, "Organization/"); ok {
		if org, err := s.cfg.Store.Read(ctx, "Organization", id); err == nil {
			return org.JSON
		}
	}
	q, err := s.cfg.Parser.ParseQuery("Organization", url.Values{"identifier": {bhyt.SystemFacility + "|"}, "_count": {"2"}}, false)
	if err != nil {
		return nil
	}
	page, err := s.cfg.Store.Search(ctx, q)
	if err != nil || len(page.Resources) != 1 {
		return nil
	}
	return page.Resources[0].JSON
}
