package population

import (
	"strings"
)

// The electronic Frailty Index (Clegg A et al., Age Ageing 2016;45:353-60):
// the share of 36 deficits a person has, 0..1, in four categories defined
// from population quartiles: fit (<= 0.12), mild (<= 0.24), moderate
// (<= 0.36) and severe (> 0.36). The original eFI is built from 2,171 UK
// Read (CTV3) codes; Sen records diagnoses in ICD-10 and findings in LOINC
// or SNOMED CT, so each deficit here carries Sen's own mapping, written up
// with its reasoning in docs/population.md ("eFI mapping").

// EFI deficit categories.
const (
	FrailtyFit      = "fit"
	FrailtyMild     = "mild"
	FrailtyModerate = "moderate"
	FrailtySevere   = "severe"
)

// Coding systems the eFI mapping understands.
const (
	SystemICD10  = "http://hl7.org/fhir/sid/icd-10"
	SystemSNOMED = "http://snomed.info/sct"
	SystemLOINC  = "http://loinc.org"
)

// Code is a coded diagnosis or finding (Condition.code, Observation.code).
type Code struct{ System, Code string }

// Measurement is a numeric observation (Observation.valueQuantity).
type Measurement struct {
	LOINC string
	Value float64
}

// Deficit is one of the 36 eFI deficits with Sen's mapping.
type Deficit struct {
	N        int      // 1..36, Clegg's order
	Short    string   // short code, e.g. "ATFIB"
	Name     string   // English name
	NameVI   string   // Vietnamese name
	ICD10    []string // dot-free ICD-10 prefixes
	NotICD10 []string // dot-free prefixes excluded from ICD10 (given to another deficit)
	SNOMED   []string // SNOMED CT concept ids recorded as findings
	// Lab is an optional observation rule: LOINC codes and the test on the value.
	Lab *labRule
}

type labRule struct {
	LOINC []string
	Desc  string
	Test  func(v float64, sex string) bool
}

// EFI scores the electronic Frailty Index. Its table is immutable after
// NewEFI; it is safe for concurrent use.
type EFI struct {
	deficits []Deficit
}

// NewEFI returns the scorer with Sen's ICD-10 / SNOMED CT / LOINC mapping.
func NewEFI() *EFI { return &EFI{deficits: efiMapping()} }

// Deficits lists the 36 deficits in Clegg's order.
func (e *EFI) Deficits() []Deficit {
	out := make([]Deficit, len(e.deficits))
	copy(out, e.deficits)
	return out
}

// EFIInput is what the eFI looks at for one person.
type EFIInput struct {
	Sex          string // "male" | "female" (for sex-specific lab limits)
	Codes        []Code // active problems and recorded findings
	Measurements []Measurement
	// Medicines is the number of distinct medicines currently prescribed;
	// polypharmacy (deficit 26) is >= 5, as in Clegg 2016.
	Medicines int
}

// EFIResult is the index for one person.
type EFIResult struct {
	Deficits []string // short codes present, in Clegg's order
	Score    float64  // len(Deficits)/36
	Category string
}

// Score counts the deficits present (each once).
func (e *EFI) Score(in EFIInput) EFIResult {
	present := make([]bool, len(e.deficits))
	for i, d := range e.deficits {
		switch {
		case d.Short == "POLYPH":
			present[i] = in.Medicines >= 5
		case d.Lab != nil && labPresent(d.Lab, in):
			present[i] = true
		}
		for _, c := range in.Codes {
			if present[i] {
				break
			}
			switch c.System {
			case SystemICD10:
				code := normICD(c.Code)
				present[i] = hasPrefix(code, d.ICD10) && !hasPrefix(code, d.NotICD10)
			case SystemSNOMED:
				for _, s := range d.SNOMED {
					if c.Code == s {
						present[i] = true
					}
				}
			}
		}
	}
	var r EFIResult
	for i, p := range present {
		if p {
			r.Deficits = append(r.Deficits, e.deficits[i].Short)
		}
	}
	r.Score = float64(len(r.Deficits)) / 36
	r.Category = FrailtyCategory(len(r.Deficits))
	return r
}

func labPresent(l *labRule, in EFIInput) bool {
	for _, m := range in.Measurements {
		for _, code := range l.LOINC {
			if m.LOINC == code && l.Test(m.Value, in.Sex) {
				return true
			}
		}
	}
	return false
}

// FrailtyCategory classifies a deficit count out of 36 by Clegg's cut
// points on the index: fit <= 0.12 < mild <= 0.24 < moderate <= 0.36 <
// severe. Counting in whole deficits avoids float rounding at the cut
// points: d/36 <= 0.12 ⇔ 100d <= 432.
func FrailtyCategory(deficits int) string {
	switch n := 100 * deficits; {
	case n <= 12*36:
		return FrailtyFit
	case n <= 24*36:
		return FrailtyMild
	case n <= 36*36:
		return FrailtyModerate
	}
	return FrailtySevere
}

func hasPrefix(code string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(code, p) {
			return true
		}
	}
	return false
}

// rangeICD expands "I60-I69" style ranges of three-character categories.
func rangeICD(from, to string) []string {
	var out []string
	if len(from) != 3 || len(to) != 3 || from[0] != to[0] {
		return []string{from, to}
	}
	a, b := int(from[1]-'0')*10+int(from[2]-'0'), int(to[1]-'0')*10+int(to[2]-'0')
	for n := a; n <= b; n++ {
		out = append(out, string([]byte{from[0], byte('0' + n/10), byte('0' + n%10)}))
	}
	return out
}

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// efiMapping is Sen's mapping of the 36 Clegg deficits. ICD-10 categories
// follow the WHO ICD-10 chapter structure for each deficit's clinical
// meaning; ICD-10 has no code for some (housebound, requirement for care
// partly), so those also accept SNOMED CT findings the care team records.
func efiMapping() []Deficit {
	return []Deficit{
		{N: 1, Short: "ACTLIM", Name: "Activity limitation", NameVI: "Hạn chế hoạt động", ICD10: []string{"Z736"}},
		{N: 2, Short: "ANHAEM", Name: "Anaemia & haematinic deficiency", NameVI: "Thiếu máu và thiếu yếu tố tạo máu", ICD10: join(rangeICD("D50", "D53"), []string{"D63", "D64", "E538"}),
			Lab: &labRule{LOINC: []string{"718-7"}, Desc: "haemoglobin < 130 g/L (men) or < 120 g/L (women) (WHO)", Test: func(v float64, sex string) bool {
				if v < 30 { // g/dL
					v *= 10
				}
				if sex == "male" {
					return v < 130
				}
				return v < 120
			}}},
		{N: 3, Short: "ARTH", Name: "Arthritis", NameVI: "Viêm khớp", ICD10: join(rangeICD("M05", "M19"), []string{"M45"})},
		{N: 4, Short: "ATFIB", Name: "Atrial fibrillation", NameVI: "Rung nhĩ", ICD10: []string{"I48"}},
		{N: 5, Short: "CVBD", Name: "Cerebrovascular disease", NameVI: "Bệnh mạch máu não", ICD10: join(rangeICD("I60", "I69"), []string{"G45", "G46"})},
		{N: 6, Short: "CKD", Name: "Chronic kidney disease", NameVI: "Bệnh thận mạn", ICD10: []string{"N18", "N19", "I12", "I13"},
			Lab: &labRule{LOINC: []string{"33914-3", "62238-1", "48642-3", "48643-1", "98979-8"}, Desc: "eGFR < 60 mL/min/1.73m² (KDIGO stage 3+)", Test: func(v float64, _ string) bool { return v < 60 }}},
		{N: 7, Short: "DIAB", Name: "Diabetes", NameVI: "Đái tháo đường", ICD10: rangeICD("E10", "E14")},
		{N: 8, Short: "DIZ", Name: "Dizziness", NameVI: "Chóng mặt", ICD10: []string{"R42", "H81"}},
		{N: 9, Short: "DYSP", Name: "Dyspnoea", NameVI: "Khó thở", ICD10: []string{"R060"}},
		{N: 10, Short: "FALL", Name: "Falls", NameVI: "Ngã", ICD10: join(rangeICD("W00", "W19"), []string{"R296"}), SNOMED: []string{"161898004", "1912002"}},
		{N: 11, Short: "FOOT", Name: "Foot problems", NameVI: "Bệnh lý bàn chân", ICD10: []string{"L60", "L84", "M20", "M21", "B351", "Q66"}},
		{N: 12, Short: "FRAC", Name: "Fragility fracture", NameVI: "Gãy xương do loãng xương", ICD10: []string{"M80", "S720", "S721", "S722", "S525", "S422", "S220", "S320"}},
		{N: 13, Short: "HIMP", Name: "Hearing impairment", NameVI: "Giảm thính lực", ICD10: []string{"H90", "H91"}},
		{N: 14, Short: "HFAIL", Name: "Heart failure", NameVI: "Suy tim", ICD10: []string{"I50", "I110", "I130", "I132"}},
		{N: 15, Short: "HVD", Name: "Heart valve disease", NameVI: "Bệnh van tim", ICD10: join(rangeICD("I05", "I08"), rangeICD("I34", "I39"))},
		{N: 16, Short: "HOUSEB", Name: "Housebound", NameVI: "Không ra khỏi nhà được", SNOMED: []string{"160689007"}},
		{N: 17, Short: "HYPT", Name: "Hypertension", NameVI: "Tăng huyết áp", ICD10: rangeICD("I10", "I15")},
		{N: 18, Short: "HYPOT", Name: "Hypotension / syncope", NameVI: "Hạ huyết áp / ngất", ICD10: []string{"I95", "R55"}},
		{N: 19, Short: "IHD", Name: "Ischaemic heart disease", NameVI: "Bệnh tim thiếu máu cục bộ", ICD10: rangeICD("I20", "I25")},
		{N: 20, Short: "MEMCOG", Name: "Memory & cognitive problems", NameVI: "Suy giảm trí nhớ và nhận thức", ICD10: join(rangeICD("F00", "F03"), []string{"G30", "G31", "R41", "F067"})},
		{N: 21, Short: "MOB", Name: "Mobility and transfer problems", NameVI: "Khó khăn vận động và di chuyển", ICD10: []string{"Z740", "R26", "Z993"}},
		{N: 22, Short: "OSTEO", Name: "Osteoporosis", NameVI: "Loãng xương", ICD10: rangeICD("M80", "M82")},
		{N: 23, Short: "PARKS", Name: "Parkinsonism & tremor", NameVI: "Hội chứng Parkinson và run", ICD10: []string{"G20", "G21", "G22", "G25", "R251"}},
		{N: 24, Short: "PEPULC", Name: "Peptic ulcer", NameVI: "Loét dạ dày tá tràng", ICD10: rangeICD("K25", "K28")},
		{N: 25, Short: "PVD", Name: "Peripheral vascular disease", NameVI: "Bệnh mạch máu ngoại biên", ICD10: []string{"I702", "I73", "I74"}},
		{N: 26, Short: "POLYPH", Name: "Polypharmacy", NameVI: "Dùng nhiều thuốc (≥ 5)"},
		{N: 27, Short: "REQCARE", Name: "Requirement for care", NameVI: "Cần người chăm sóc", ICD10: []string{"Z741", "Z742", "Z743", "Z748", "Z749"}},
		{N: 28, Short: "RESPD", Name: "Respiratory disease", NameVI: "Bệnh hô hấp", ICD10: join(rangeICD("J40", "J47"), []string{"J84", "J961", "A15", "A16"})},
		{N: 29, Short: "SKULC", Name: "Skin ulcer", NameVI: "Loét da", ICD10: []string{"L89", "L97", "L984", "I830", "I832"}},
		{N: 30, Short: "SLPDIS", Name: "Sleep disturbance", NameVI: "Rối loạn giấc ngủ", ICD10: []string{"G47", "F51"}},
		{N: 31, Short: "SOCVUL", Name: "Social vulnerability", NameVI: "Dễ tổn thương về xã hội", ICD10: []string{"Z59", "Z602", "Z604", "Z63"}},
		{N: 32, Short: "THYDIS", Name: "Thyroid disease", NameVI: "Bệnh tuyến giáp", ICD10: rangeICD("E00", "E07")},
		{N: 33, Short: "URIINC", Name: "Urinary incontinence", NameVI: "Tiểu không tự chủ", ICD10: []string{"R32", "N393", "N394"}},
		{N: 34, Short: "IURID", Name: "Urinary system disease", NameVI: "Bệnh hệ tiết niệu", ICD10: join(rangeICD("N30", "N39"), []string{"N40", "R30", "R31", "R33"}), NotICD10: []string{"N393", "N394"}},
		{N: 35, Short: "VISIMP", Name: "Visual impairment", NameVI: "Giảm thị lực", ICD10: []string{"H54", "H25", "H26", "H28", "H353", "H40"}},
		{N: 36, Short: "WLANX", Name: "Weight loss & anorexia", NameVI: "Sụt cân và chán ăn", ICD10: join([]string{"R630", "R634", "R64"}, rangeICD("E40", "E46")),
			Lab: &labRule{LOINC: []string{"39156-5"}, Desc: "BMI < 18.5 kg/m² (WHO underweight)", Test: func(v float64, _ string) bool { return v < 18.5 }}},
	}
}
