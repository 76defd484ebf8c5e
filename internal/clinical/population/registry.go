package population

import (
	"strings"
	"time"
)

// Registry is a disease register defined by ICD-10 categories.
type Registry struct {
	ID       string
	Name     string // English
	NameVI   string // Vietnamese
	Prefixes []string
	// Control says how a registered patient's control is judged (HEARTS
	// blood pressure, HEARTS-D glucose), or "" when no control indicator
	// applies.
	Control string
	// ATC lists the ATC class prefixes whose dispensings measure adherence
	// (PDC) for the registry.
	ATC []string
}

// Control kinds.
const (
	ControlBP      = "bp"
	ControlGlucose = "glucose"
)

// Registries lists Sen's registers; docs/population.md gives the ICD-10
// ranges and their sources (WHO HEARTS technical package; ICD-10 chapter
// structure).
func Registries() []Registry {
	return []Registry{
		{ID: "hypertension", Name: "Hypertension", NameVI: "Tăng huyết áp", Prefixes: rangeICD("I10", "I15"), Control: ControlBP, ATC: []string{"C02", "C03", "C07", "C08", "C09"}},
		{ID: "diabetes", Name: "Diabetes", NameVI: "Đái tháo đường", Prefixes: rangeICD("E10", "E14"), Control: ControlGlucose, ATC: []string{"A10"}},
		{ID: "copd-asthma", Name: "COPD and asthma", NameVI: "COPD và hen phế quản", Prefixes: []string{"J44", "J45", "J46"}, ATC: []string{"R03"}},
		{ID: "heart-disease", Name: "Heart disease", NameVI: "Bệnh tim", Prefixes: join(rangeICD("I20", "I25"), []string{"I48", "I50"})},
		{ID: "ckd", Name: "Chronic kidney disease", NameVI: "Bệnh thận mạn", Prefixes: []string{"N18"}},
		{ID: "dementia", Name: "Dementia", NameVI: "Sa sút trí tuệ", Prefixes: join(rangeICD("F00", "F03"), []string{"G30"})},
	}
}

// RegistryByID finds a registry.
func RegistryByID(id string) (Registry, bool) {
	for _, r := range Registries() {
		if r.ID == id {
			return r, true
		}
	}
	return Registry{}, false
}

// Registered returns the date p entered the registry (the earliest
// recorded matching diagnosis) and whether p is in it.
func (r Registry) Registered(p *Person) (time.Time, bool) {
	var first time.Time
	found := false
	for code, when := range p.Conditions {
		if hasPrefix(normICD(code), r.Prefixes) {
			if !found || (!when.IsZero() && (first.IsZero() || when.Before(first))) {
				first = when
			}
			found = true
		}
	}
	return first, found
}

// Status classifies p for reference month m by the registry's control
// rule ("" when the registry has none or p is not registered).
func (r Registry) Status(p *Person, m Month) string {
	reg, ok := r.Registered(p)
	if !ok {
		return ""
	}
	hp := HeartsPatient{Registered: reg, Dead: p.Dead, Visits: p.Visits, BP: p.BP}
	switch r.Control {
	case ControlBP:
		return HeartsBP(hp, m)
	case ControlGlucose:
		return HeartsDiabetes(hp, p.Glucose, m)
	}
	return ""
}

// ChronicConditions is the documented list of chronic conditions counted
// for multimorbidity (ICD-10 categories; docs/population.md): the
// registries plus stroke, cancer, depression, chronic liver disease,
// arthritis, osteoporosis, thyroid disease, Parkinson's disease, epilepsy,
// HIV and tuberculosis under treatment.
func ChronicConditions() map[string][]string {
	return map[string][]string{
		"hypertension":  rangeICD("I10", "I15"),
		"diabetes":      rangeICD("E10", "E14"),
		"copd":          []string{"J44"},
		"asthma":        []string{"J45", "J46"},
		"ihd":           rangeICD("I20", "I25"),
		"heart-failure": []string{"I50"},
		"af":            []string{"I48"},
		"stroke":        join(rangeICD("I60", "I69"), []string{"G45"}),
		"ckd":           []string{"N18"},
		"dementia":      join(rangeICD("F00", "F03"), []string{"G30"}),
		"depression":    []string{"F32", "F33"},
		"cancer":        cancerPrefixes(),
		"liver":         []string{"K70", "K73", "K74", "B18"},
		"arthritis":     join(rangeICD("M05", "M06"), rangeICD("M15", "M19")),
		"osteoporosis":  rangeICD("M80", "M81"),
		"thyroid":       rangeICD("E00", "E07"),
		"parkinson":     []string{"G20"},
		"epilepsy":      []string{"G40"},
		"hiv":           rangeICD("B20", "B24"),
		"tuberculosis":  rangeICD("A15", "A19"),
	}
}

func cancerPrefixes() []string {
	var out []string
	for n := 0; n <= 97; n++ {
		out = append(out, "C"+string([]byte{byte('0' + n/10), byte('0' + n%10)}))
	}
	return out
}

// Multimorbidity counts the distinct chronic conditions among codes.
func Multimorbidity(codes []string) int {
	n := 0
	for _, prefixes := range ChronicConditions() {
		for _, c := range codes {
			if hasPrefix(normICD(c), prefixes) {
				n++
				break
			}
		}
	}
	return n
}

// Polypharmacy classifies a count of concurrent medicines: "" (< 5),
// "polypharmacy" (5-9) or "hyperpolypharmacy" (>= 10).
func Polypharmacy(medicines int) string {
	switch {
	case medicines >= 10:
		return "hyperpolypharmacy"
	case medicines >= 5:
		return "polypharmacy"
	}
	return ""
}

// AgeBand is the reporting age band of an age: 0-17, 18-29, then ten-year
// bands to 80+.
func AgeBand(age int) string {
	switch {
	case age < 0:
		return "unknown"
	case age < 18:
		return "0-17"
	case age < 30:
		return "18-29"
	case age >= 80:
		return "80+"
	}
	lo := age / 10 * 10
	return itoa(lo) + "-" + itoa(lo+9)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// atcIn reports whether an ATC code is in one of the classes.
func atcIn(code string, classes []string) bool {
	for _, c := range classes {
		if strings.HasPrefix(code, c) {
			return true
		}
	}
	return false
}
