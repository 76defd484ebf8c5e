package medication

import (
	"fmt"
	"strconv"
	"strings"
)

// DescribeVI renders a Dosage as a Vietnamese instruction in the style
// printed on Vietnamese prescriptions, e.g. "Uống 1 viên x 2 lần/ngày sau
// ăn sáng và tối". Parts the dosage does not give are left out; a dosage
// with nothing structured falls back to its text.
func DescribeVI(d Dosage) string { return describe(d, vi) }

// DescribeEN renders a Dosage in English, e.g. "Take 1 tablet twice a day
// after breakfast and dinner".
func DescribeEN(d Dosage) string { return describe(d, en) }

type lang int

const (
	vi lang = iota
	en
)

func describe(d Dosage, l lang) string {
	var r *Repeat
	if d.Timing != nil {
		r, _ = repeatOf(d.Timing) // an unknown code simply adds nothing
	}
	amount, unit := doseText(d, l)
	parts := []string{verb(d, unit, l)}
	if amount != "" {
		parts = append(parts, amount)
	}
	if r != nil {
		parts = append(parts, frequency(r, l)...)
	}
	if d.asNeeded() {
		parts = append(parts, prn(d, l))
	}
	s := strings.Join(nonEmpty(parts), " ")
	if max := maxDose(d, l); max != "" {
		s += ", " + max
	}
	if len(parts) == 1 && d.Text != "" {
		return d.Text
	}
	return s
}

func nonEmpty(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// unitNames maps a dose unit (code or text, either language) to its
// Vietnamese name and English singular and plural.
func unitNames(u string) (vi, one, many string) {
	switch strings.ToLower(strings.TrimSpace(u)) {
	case "tablet", "tablets", "tab", "{tbl}", "tbl", "viên", "732936001", "385055001":
		return "viên", "tablet", "tablets"
	case "capsule", "capsules", "cap", "{cap}", "viên nang", "732937005", "385049006":
		return "viên nang", "capsule", "capsules"
	case "puff", "puffs", "{puff}", "nhát", "nhát xịt", "415215001":
		return "nhát xịt", "puff", "puffs"
	case "drop", "drops", "{drp}", "[drp]", "giọt", "404218003":
		return "giọt", "drop", "drops"
	case "sachet", "sachets", "gói", "733013000":
		return "gói", "sachet", "sachets"
	case "ampoule", "ampoules", "ống", "413516001":
		return "ống", "ampoule", "ampoules"
	case "u", "iu", "[iu]", "[iu]/", "đơn vị", "unit", "units":
		return "đơn vị", "unit", "units"
	}
	return u, u, u
}

func number(v float64, l lang) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if l == vi {
		s = strings.Replace(s, ".", ",", 1) // Vietnamese decimal comma
	}
	return s
}

func doseText(d Dosage, l lang) (amount, unit string) {
	p := &linePlan{}
	if err := p.setDose(d); err != nil || (p.amount == 0 && p.unit == "") {
		return "", ""
	}
	v, one, many := unitNames(p.unit)
	n := number(p.amount, l)
	if p.max != p.amount {
		n += "–" + number(p.max, l)
	}
	switch {
	case l == vi:
		unit = v
	case p.amount == 1 && p.max == 1:
		unit = one
	default:
		unit = many
	}
	return strings.TrimSpace(n + " " + unit), unit
}

func verb(d Dosage, unit string, l lang) string {
	pick := func(v, e string) string {
		if l == vi {
			return v
		}
		return e
	}
	switch d.Route.Code("") {
	case "26643006":
		return pick("Uống", "Take")
	case "18679011000001101", "447694001", "420641004":
		return pick("Hít", "Inhale")
	case "54485002":
		return pick("Nhỏ mắt", "Instil in the eye")
	case "34206005":
		return pick("Tiêm dưới da", "Inject under the skin")
	case "78421000":
		return pick("Tiêm bắp", "Inject into a muscle")
	case "47625008":
		return pick("Tiêm tĩnh mạch", "Inject into a vein")
	case "6064005":
		return pick("Bôi", "Apply")
	case "46713006":
		return pick("Xịt mũi", "Spray in the nose")
	case "37839007":
		return pick("Ngậm dưới lưỡi", "Dissolve under the tongue")
	case "37161004":
		return pick("Đặt hậu môn", "Insert rectally")
	}
	switch unit {
	case "nhát xịt", "puff", "puffs":
		return pick("Hít", "Inhale")
	case "giọt", "drop", "drops":
		return pick("Nhỏ", "Instil")
	case "đơn vị", "unit", "units":
		return pick("Tiêm", "Inject")
	}
	return pick("Uống", "Take")
}

func weekdayName(code string, l lang) string {
	wd, ok := weekdayOf(code)
	if !ok {
		return code
	}
	if l == vi {
		return [...]string{"Chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy"}[wd]
	}
	return wd.String()
}

// list joins items as "a, b và c" / "a, b and c".
func list(items []string, l lang) string {
	and := " và "
	if l == en {
		and = " and "
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}

func timesEN(f int) string {
	switch f {
	case 1:
		return "once"
	case 2:
		return "twice"
	case 3:
		return "three times"
	case 4:
		return "four times"
	}
	return fmt.Sprintf("%d times", f)
}

func unitWord(u string, n float64, l lang) string {
	v := map[string]string{"s": "giây", "min": "phút", "h": "giờ", "d": "ngày", "wk": "tuần", "mo": "tháng", "a": "năm"}
	e := map[string]string{"s": "second", "min": "minute", "h": "hour", "d": "day", "wk": "week", "mo": "month", "a": "year"}
	if l == vi {
		if w, ok := v[u]; ok {
			return w
		}
		return u
	}
	w, ok := e[u]
	if !ok {
		return u
	}
	if n != 1 {
		w += "s"
	}
	return w
}

// frequency renders how often, when, on which days and for how long.
func frequency(r *Repeat, l lang) []string {
	var out []string
	freq := 0
	if r.Frequency != nil {
		freq = *r.Frequency
	}
	whenCount := len(r.TimeOfDay)
	for _, w := range r.When {
		switch w {
		case "AC", "PC", "C":
			whenCount += 3
		default:
			whenCount++
		}
	}
	if freq == 0 {
		freq = max(whenCount, 1)
	}
	period, unit := 1.0, "d"
	if r.Period != nil && r.PeriodUnit != "" {
		period, unit = *r.Period, r.PeriodUnit
	}
	awake := len(r.When) == 1 && r.When[0] == "WAKE" && (unit == "h" || unit == "min")
	var days []string
	for _, d := range r.DayOfWeek {
		days = append(days, weekdayName(d, l))
	}
	switch {
	case unit == "h" || unit == "min" || unit == "s":
		step := period / float64(freq)
		if l == vi {
			out = append(out, "mỗi "+number(step, l)+" "+unitWord(unit, step, l))
		} else if step == 1 {
			out = append(out, "every "+unitWord(unit, 1, l))
		} else {
			out = append(out, "every "+number(step, l)+" "+unitWord(unit, step, l))
		}
		if awake {
			out = append(out, map[lang]string{vi: "khi thức", en: "while awake"}[l])
		}
	case unit == "d" && period == 1:
		if l == vi {
			out = append(out, fmt.Sprintf("x %d lần/ngày", freq))
		} else {
			out = append(out, timesEN(freq)+" a day")
		}
	case unit == "d" && period == 2 && freq == 1:
		out = append(out, map[lang]string{vi: "cách ngày", en: "every other day"}[l])
	case period == 1:
		if l == vi {
			out = append(out, fmt.Sprintf("%d lần/%s", freq, unitWord(unit, 1, l)))
		} else {
			out = append(out, timesEN(freq)+" a "+unitWord(unit, 1, l))
		}
	default:
		if l == vi {
			out = append(out, fmt.Sprintf("mỗi %s %s %d lần", number(period, l), unitWord(unit, period, l), freq))
		} else {
			out = append(out, fmt.Sprintf("%s every %s %s", timesEN(freq), number(period, l), unitWord(unit, period, l)))
		}
	}
	if len(days) > 0 {
		out = append(out, map[lang]string{vi: "vào ", en: "on "}[l]+list(days, l))
	}
	if !awake {
		out = append(out, whenText(r, l)...)
	}
	if len(r.TimeOfDay) > 0 {
		var ts []string
		for _, t := range r.TimeOfDay {
			ts = append(ts, strings.TrimSuffix(t, ":00"))
		}
		out = append(out, map[lang]string{vi: "lúc ", en: "at "}[l]+list(ts, l))
	}
	if q := r.BoundsDuration; q != nil && q.Value != nil {
		u := q.unitCode()
		if l == vi {
			out = append(out, "trong "+number(*q.Value, l)+" "+unitWord(u, *q.Value, l))
		} else {
			out = append(out, "for "+number(*q.Value, l)+" "+unitWord(u, *q.Value, l))
		}
	}
	if r.Count != nil {
		if l == vi {
			out = append(out, fmt.Sprintf("(tổng %d liều)", *r.Count))
		} else {
			out = append(out, fmt.Sprintf("(%d doses in total)", *r.Count))
		}
	}
	return out
}

// whenText groups meal codes by relation: PCM+PCV → "sau ăn sáng và tối".
func whenText(r *Repeat, l lang) []string {
	mealVI := map[byte]string{'M': "sáng", 'D': "trưa", 'V': "tối"}
	mealEN := map[byte]string{'M': "breakfast", 'D': "lunch", 'V': "dinner"}
	type group struct {
		all   bool
		meals []string
	}
	groups := map[string]*group{}
	var order []string
	var other []string
	add := func(rel string) *group {
		if groups[rel] == nil {
			groups[rel] = &group{}
			order = append(order, rel)
		}
		return groups[rel]
	}
	for _, w := range r.When {
		switch {
		case w == "AC" || w == "PC" || w == "C":
			add(w).all = true
		case len(w) == 3 && (strings.HasPrefix(w, "AC") || strings.HasPrefix(w, "PC")):
			g := add(w[:2])
			g.meals = append(g.meals, map[lang]map[byte]string{vi: mealVI, en: mealEN}[l][w[2]])
		case len(w) == 2 && w[0] == 'C':
			g := add("C")
			g.meals = append(g.meals, map[lang]map[byte]string{vi: mealVI, en: mealEN}[l][w[1]])
		default:
			other = append(other, eventText(w, l))
		}
	}
	mins := ""
	if r.Offset != nil && *r.Offset > 0 {
		mins = fmt.Sprintf(" %d %s", *r.Offset, map[lang]string{vi: "phút", en: "minutes"}[l])
	}
	var out []string
	for _, rel := range order {
		g := groups[rel]
		var s string
		if l == vi {
			head := map[string]string{"AC": "trước ăn", "PC": "sau ăn", "C": "trong bữa"}[rel]
			if g.all || len(g.meals) == 0 {
				s = head + map[string]string{"C": " ăn"}[rel]
			} else {
				s = head + " " + list(g.meals, l)
			}
			s += mins
		} else {
			head := map[string]string{"AC": "before", "PC": "after", "C": "with"}[rel]
			if g.all || len(g.meals) == 0 {
				s = head + " meals"
			} else {
				s = head + " " + list(g.meals, l)
			}
			if mins != "" && rel != "C" {
				s = strings.TrimSpace(mins) + " " + s
			}
		}
		out = append(out, s)
	}
	if len(other) > 0 {
		out = append(out, list(other, l))
	}
	return out
}

func eventText(code string, l lang) string {
	texts := map[string][2]string{
		"HS": {"trước khi ngủ", "at bedtime"}, "WAKE": {"khi thức dậy", "on waking"},
		"PHS":  {"sau khi ngủ dậy", "after sleep"},
		"MORN": {"buổi sáng", "in the morning"}, "MORN.early": {"sáng sớm", "early in the morning"}, "MORN.late": {"cuối buổi sáng", "late in the morning"},
		"NOON": {"buổi trưa", "at noon"},
		"AFT":  {"buổi chiều", "in the afternoon"}, "AFT.early": {"đầu giờ chiều", "early in the afternoon"}, "AFT.late": {"cuối buổi chiều", "late in the afternoon"},
		"EVE": {"buổi tối", "in the evening"}, "EVE.early": {"chập tối", "early in the evening"}, "EVE.late": {"tối muộn", "late in the evening"},
		"NIGHT": {"ban đêm", "at night"},
	}
	if t, ok := texts[code]; ok {
		return t[l]
	}
	return code
}

func prn(d Dosage, l lang) string {
	reason := d.AsNeededCodeableConcept.Label()
	if l == vi {
		if reason != "" {
			return "khi " + reason
		}
		return "khi cần"
	}
	if reason != "" {
		return "as needed for " + reason
	}
	return "as needed"
}

func maxDose(d Dosage, l lang) string {
	m := d.MaxDosePerPeriod
	if m == nil || m.Numerator == nil || m.Denominator == nil || m.Numerator.Value == nil || m.Denominator.Value == nil {
		return ""
	}
	n, per := *m.Numerator.Value, *m.Denominator.Value
	v, one, many := unitNames(m.Numerator.Unit)
	pu := m.Denominator.unitCode()
	if l == vi {
		s := "tối đa " + number(n, l) + " " + v + "/"
		if per != 1 {
			s += number(per, l) + " "
		}
		return s + unitWord(pu, per, l)
	}
	u := many
	if n == 1 {
		u = one
	}
	s := "maximum " + number(n, l) + " " + u + " per "
	if per != 1 {
		s += number(per, l) + " "
	}
	return s + unitWord(pu, per, l)
}
