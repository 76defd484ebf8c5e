package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/clinical/medication"
)

// newAdherenceCmd is "sen adherence": the $adherence report computed
// offline from NDJSON (docs/adherence.md §6 documents the output).
func newAdherenceCmd() *cobra.Command {
	var o adherenceOpts
	cmd := &cobra.Command{
		Use:   "adherence --input FILE.ndjson",
		Short: "Compute PDC, CMA1–9 or dose timing from NDJSON / Tính mức tuân thủ dùng thuốc từ tệp NDJSON",
		Long: `Read MedicationRequest, MedicationDispense and MedicationAdministration
resources (NDJSON, one resource per line; "-" for standard input; other
resource types are skipped), group them by patient and print each patient's
adherence report: the same FHIR Parameters as GET /fhir/Patient/{id}/$adherence
(--format json; one patient prints one resource, several print one line per
patient with a "subject" part), or one CSV row per medicine or class
(--format csv).

Đọc tệp NDJSON các tài nguyên MedicationRequest, MedicationDispense,
MedicationAdministration; in báo cáo tuân thủ của từng người bệnh (JSON
Parameters như $adherence, hoặc CSV).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAdherence(cmd.OutOrStdout(), o, time.Now())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.input, "input", "", `NDJSON file ("-" for standard input); required`)
	f.StringVar(&o.start, "start", "", "first day of the measurement period, YYYY-MM-DD (default: end − 1 year + 1 day)")
	f.StringVar(&o.end, "end", "", "last day of the period, YYYY-MM-DD (default: today)")
	f.StringVar(&o.method, "method", "pdc", "pdc, cma1 … cma9 or doses")
	f.StringVar(&o.by, "by", "medication", "group by medication or class (ATC level 2)")
	f.StringVar(&o.format, "format", "json", "json or csv")
	f.StringVar(&o.patient, "patient", "", "only this patient (id or Patient/id)")
	f.StringVar(&o.now, "now", "", "clock for dose timing, RFC 3339 (default: the earlier of now and the day after --end)")
	return cmd
}

type adherenceOpts struct {
	input, start, end, method, by, format, patient, now string
}

// maxNDJSONLine bounds one resource line (a MedicationRequest is a few kB).
const maxNDJSONLine = 16 << 20

func runAdherence(out io.Writer, o adherenceOpts, wall time.Time) error {
	if o.input == "" {
		return errors.New("--input is required (an NDJSON file, or - for standard input) / cần --input")
	}
	if o.format != "json" && o.format != "csv" {
		return fmt.Errorf("--format %q: want json or csv", o.format)
	}
	loc := vnLoc()
	today := wall.In(loc)
	end := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	var err error
	if o.end != "" {
		if end, err = time.Parse(time.DateOnly, o.end); err != nil {
			return fmt.Errorf("--end %q: want YYYY-MM-DD", o.end)
		}
	}
	start := end.AddDate(-1, 0, 1)
	if o.start != "" {
		if start, err = time.Parse(time.DateOnly, o.start); err != nil {
			return fmt.Errorf("--start %q: want YYYY-MM-DD", o.start)
		}
	}
	now := wall
	if after := time.Date(end.Year(), end.Month(), end.Day()+1, 0, 0, 0, 0, loc); after.Before(now) {
		now = after
	}
	if o.now != "" {
		if now, err = time.Parse(time.RFC3339, o.now); err != nil {
			return fmt.Errorf("--now %q: want RFC 3339, e.g. 2025-06-30T20:00:00+07:00", o.now)
		}
	}
	recs, err := readMedicationNDJSON(o.input)
	if err != nil {
		return err
	}
	if o.patient != "" {
		ref := "Patient/" + strings.TrimPrefix(o.patient, "Patient/")
		r, ok := recs[ref]
		if !ok {
			return fmt.Errorf("--patient %s: no medication resources for this patient in %s", ref, o.input)
		}
		recs = map[string]*medication.Records{ref: r}
	}
	if len(recs) == 0 {
		return fmt.Errorf("%s: no MedicationRequest, MedicationDispense or MedicationAdministration found", o.input)
	}
	patients := make([]string, 0, len(recs))
	for p := range recs {
		patients = append(patients, p)
	}
	sort.Strings(patients)
	var cw *csv.Writer
	if o.format == "csv" {
		cw = csv.NewWriter(out)
		if err := cw.Write(csvHeader); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	for _, p := range patients {
		rep, err := medication.BuildReport(*recs[p], medication.ReportOptions{
			Start: start, End: end, Method: o.method, By: o.by, Now: now, Loc: loc})
		if err != nil {
			if errors.Is(err, medication.ErrBadOptions) {
				return err
			}
			return fmt.Errorf("%s: %w", p, err)
		}
		if cw != nil {
			for _, row := range csvRows(p, rep) {
				if err := cw.Write(row); err != nil {
					return fmt.Errorf("write csv: %w", err)
				}
			}
			continue
		}
		if err := writeParameters(out, p, rep, len(patients) > 1); err != nil {
			return err
		}
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	return nil
}

func writeParameters(out io.Writer, patient string, rep medication.Report, many bool) error {
	params := rep.Parameters()
	var b []byte
	var err error
	if many {
		subject := patient
		params.Parameter = append([]medication.Param{{Name: "subject", ValueString: &subject}}, params.Parameter...)
		b, err = json.Marshal(params)
	} else {
		b, err = json.MarshalIndent(params, "", "  ")
	}
	if err != nil {
		return fmt.Errorf("%s: encode: %w", patient, err)
	}
	if _, err := fmt.Fprintf(out, "%s\n", b); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// readMedicationNDJSON groups the medication resources of name by the
// patient they are about. Lines that are not JSON objects, resources
// without a subject, or medication resources that cannot be read are
// errors naming the line; other resource types are skipped.
func readMedicationNDJSON(name string) (map[string]*medication.Records, error) {
	var r io.Reader
	if name == "-" {
		r = os.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("open input: %w", err)
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxNDJSONLine)
	out := map[string]*medication.Records{}
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var h struct {
			ResourceType string `json:"resourceType"`
			Subject      *struct {
				Reference string `json:"reference"`
			} `json:"subject"`
		}
		if err := json.Unmarshal(b, &h); err != nil {
			return nil, fmt.Errorf("%s line %d: not a JSON resource: %w", name, line, err)
		}
		if h.ResourceType == "" {
			return nil, fmt.Errorf("%s line %d: no resourceType", name, line)
		}
		if h.ResourceType != "MedicationRequest" && h.ResourceType != "MedicationDispense" && h.ResourceType != "MedicationAdministration" {
			continue
		}
		if h.Subject == nil || !strings.HasPrefix(h.Subject.Reference, "Patient/") || len(h.Subject.Reference) == len("Patient/") {
			return nil, fmt.Errorf("%s line %d: %s has no subject Patient reference", name, line, h.ResourceType)
		}
		rec := out[h.Subject.Reference]
		if rec == nil {
			rec = &medication.Records{}
			out[h.Subject.Reference] = rec
		}
		res := append([]byte(nil), b...)
		switch h.ResourceType {
		case "MedicationRequest":
			rec.Requests = append(rec.Requests, res)
		case "MedicationDispense":
			rec.Dispenses = append(rec.Dispenses, res)
		default:
			rec.Administrations = append(rec.Administrations, res)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s after line %d: %w", name, line, err)
	}
	return out, nil
}

var csvHeader = []string{"patient", "group", "label", "fills", "method", "value", "days_covered", "days_in_period",
	"eligible", "adherent", "doses_due", "doses_taken", "doses_on_time", "doses_missed", "reason",
	"doses_confirmed_missed", "doses_unconfirmed", "doses_unconfirmed_share"}

// csvRows flattens a report: one row per group, value being the PDC, the
// CMA or, for doses, the share of confirmed doses taken (empty when not
// computable); doses_missed counts every dose not confirmed taken, split
// into confirmed missed and unconfirmed in the last columns.
func csvRows(patient string, rep medication.Report) [][]string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	var rows [][]string
	for _, g := range rep.Groups {
		row := make([]string, len(csvHeader))
		row[0], row[1], row[2], row[3], row[4] = patient, g.Key, g.Label, strconv.Itoa(g.Fills), rep.Method
		reason := g.CMANote
		if x := g.PDC; x != nil {
			row[5], row[6], row[7] = f(x.PDC), strconv.Itoa(x.DaysCovered), strconv.Itoa(x.DaysInPeriod)
			row[8], row[9] = strconv.FormatBool(x.Eligible), strconv.FormatBool(x.Adherent)
			reason = x.Reason
		}
		if g.CMA != nil {
			row[5] = f(*g.CMA)
		}
		if d := g.Doses; d != nil {
			row[10], row[11], row[12], row[13] = strconv.Itoa(d.Due), strconv.Itoa(d.Taken), strconv.Itoa(d.OnTime), strconv.Itoa(d.Missed)
			row[15], row[16], row[17] = strconv.Itoa(d.ConfirmedMissed), strconv.Itoa(d.Unconfirmed), f(d.UnconfirmedShare)
			if rep.Method == medication.MethodDoses && d.Confirmed() > 0 {
				row[5] = f(d.ConfirmedShare)
			}
		}
		row[14] = reason
		rows = append(rows, row)
	}
	return rows
}

// vnLoc is Asia/Ho_Chi_Minh, or UTC+7 without a tz database.
func vnLoc() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}
