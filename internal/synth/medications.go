package synth

import (
	"math"
	"time"
)

// drugKey names a product in the catalogue.
type drugKey int

const (
	drugAmlodipine drugKey = iota
	drugLosartan
	drugMetformin
	drugGliclazide
	drugInsulinGlargine
	drugAtorvastatin
	drugAspirin
	drugClopidogrel
	drugBisoprolol
	drugSalbutamol
	drugBudesonideFormoterol
	drugTiotropium
	drugSertraline
	drugDonepezil
	drugRHZE
	drugRH
	numDrugs
)

type route int

const (
	routeOral route = iota
	routeSubcut
	routeInhaled
)

// routeCodes are SNOMED CT route-of-administration codes.
var routeCodes = [...]coding{
	routeOral:    {System: "http://snomed.info/sct", Code: "26643006", Display: "Đường uống"},
	routeSubcut:  {System: "http://snomed.info/sct", Code: "34206005", Display: "Tiêm dưới da"},
	routeInhaled: {System: "http://snomed.info/sct", Code: "447694001", Display: "Đường hô hấp (hít)"},
}

// drugSpec is a product with its usual adult regimen. Names are the
// Vietnamese generic names (Dược thư quốc gia Việt Nam spelling); codes are
// WHO ATC.
type drugSpec struct {
	atc         string
	name        string // Vietnamese generic name and strength
	route       route
	dose        float64 // per administration, in doseUnit
	doseUnit    string  // Vietnamese unit shown to people
	doseCode    string  // UCUM code of doseUnit
	when        []string
	prn         bool
	instruction string  // patientInstruction, Vietnamese
	packSize    float64 // doses (in doseUnit) per dispensed pack
	packUnit    string
	packCode    string
}

// timesPerDay is the number of scheduled administrations per day.
func (d *drugSpec) timesPerDay() int {
	if d.prn {
		return 0
	}
	return len(d.when)
}

var drugs = [numDrugs]drugSpec{
	drugAmlodipine: {atc: "C08CA01", name: "Amlodipin 5 mg", route: routeOral, dose: 1, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"MORN"}, instruction: "Uống 1 viên x 1 lần/ngày vào buổi sáng", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugLosartan: {atc: "C09CA01", name: "Losartan 50 mg", route: routeOral, dose: 1, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"MORN"}, instruction: "Uống 1 viên x 1 lần/ngày vào buổi sáng", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugMetformin: {atc: "A10BA02", name: "Metformin 500 mg", route: routeOral, dose: 1, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"PCM", "PCV"}, instruction: "Uống 1 viên x 2 lần/ngày sau ăn sáng và sau ăn tối", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugGliclazide: {atc: "A10BB09", name: "Gliclazid 30 mg (giải phóng có kiểm soát)", route: routeOral, dose: 1, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"ACM"}, instruction: "Uống 1 viên x 1 lần/ngày trước ăn sáng 30 phút, không bẻ viên", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugInsulinGlargine: {atc: "A10AE04", name: "Insulin glargin 100 đơn vị/ml (bút tiêm 3 ml)", route: routeSubcut, dose: 14, doseUnit: "đơn vị", doseCode: "[IU]",
		when: []string{"HS"}, instruction: "Tiêm dưới da 14 đơn vị x 1 lần/ngày vào buổi tối trước khi đi ngủ", packSize: 300, packUnit: "bút tiêm", packCode: "{pen}"},
	drugAtorvastatin: {atc: "C10AA05", name: "Atorvastatin 20 mg", route: routeOral, dose: 1, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"HS"}, instruction: "Uống 1 viên x 1 lần/ngày vào buổi tối", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugAspirin: {atc: "B01AC06", name: "Acid acetylsalicylic (Aspirin) 81 mg", route: routeOral, dose: 1, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"PCM"}, instruction: "Uống 1 viên x 1 lần/ngày ngay sau ăn sáng", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugClopidogrel: {atc: "B01AC04", name: "Clopidogrel 75 mg", route: routeOral, dose: 1, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"MORN"}, instruction: "Uống 1 viên x 1 lần/ngày vào buổi sáng", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugBisoprolol: {atc: "C07AB07", name: "Bisoprolol 2,5 mg", route: routeOral, dose: 1, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"MORN"}, instruction: "Uống 1 viên x 1 lần/ngày vào buổi sáng, không tự ý ngừng thuốc", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugSalbutamol: {atc: "R03AC02", name: "Salbutamol 100 mcg/liều (bình xịt định liều)", route: routeInhaled, dose: 2, doseUnit: "nhát xịt", doseCode: "{puff}",
		prn: true, instruction: "Xịt 2 nhát khi khó thở, cách nhau ít nhất 4 giờ, tối đa 4 lần/ngày", packSize: 200, packUnit: "bình xịt", packCode: "{inhaler}"},
	drugBudesonideFormoterol: {atc: "R03AK07", name: "Budesonid + Formoterol 160/4,5 mcg/liều (bình hít)", route: routeInhaled, dose: 2, doseUnit: "nhát hít", doseCode: "{puff}",
		when: []string{"MORN", "EVE"}, instruction: "Hít 2 nhát x 2 lần/ngày sáng và tối, súc miệng sau khi hít", packSize: 120, packUnit: "bình hít", packCode: "{inhaler}"},
	drugTiotropium: {atc: "R03BB04", name: "Tiotropium 2,5 mcg/nhát (bình hít)", route: routeInhaled, dose: 2, doseUnit: "nhát hít", doseCode: "{puff}",
		when: []string{"MORN"}, instruction: "Hít 2 nhát x 1 lần/ngày vào buổi sáng", packSize: 60, packUnit: "bình hít", packCode: "{inhaler}"},
	drugSertraline: {atc: "N06AB06", name: "Sertralin 50 mg", route: routeOral, dose: 1, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"PCM"}, instruction: "Uống 1 viên x 1 lần/ngày sau ăn sáng", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugDonepezil: {atc: "N06DA02", name: "Donepezil 5 mg", route: routeOral, dose: 1, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"HS"}, instruction: "Uống 1 viên x 1 lần/ngày vào buổi tối trước khi đi ngủ", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugRHZE: {atc: "J04AM06", name: "Rifampicin + Isoniazid + Pyrazinamid + Ethambutol 150/75/400/275 mg", route: routeOral, dose: 3, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"ACM"}, instruction: "Uống 3 viên x 1 lần/ngày lúc đói, trước ăn sáng 1 giờ; uống hằng ngày, không bỏ liều", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
	drugRH: {atc: "J04AM02", name: "Rifampicin + Isoniazid 150/75 mg", route: routeOral, dose: 3, doseUnit: "viên", doseCode: "{tbl}",
		when: []string{"ACM"}, instruction: "Uống 3 viên x 1 lần/ngày lúc đói, trước ăn sáng 1 giờ; uống hằng ngày, không bỏ liều", packSize: 1, packUnit: "viên", packCode: "{tbl}"},
}

// whenClock is the local time of day at which a dose with the EventTiming
// code is taken (used for dose confirmations).
func whenClock(code string) (int, int) {
	switch code {
	case "ACM":
		return 6, 30
	case "PCM":
		return 7, 30
	case "MORN":
		return 7, 0
	case "PCV":
		return 19, 30
	case "EVE":
		return 19, 0
	case "HS":
		return 21, 30
	}
	return 12, 0
}

// whenText is the Vietnamese reading of an EventTiming code.
var whenText = map[string]string{
	"ACM": "trước ăn sáng", "PCM": "sau ăn sáng", "MORN": "buổi sáng",
	"PCV": "sau ăn tối", "EVE": "buổi tối", "HS": "trước khi đi ngủ",
}

// packs returns how many packs cover the given number of days.
func (d *drugSpec) packs(days int) float64 {
	per := float64(d.timesPerDay()) * d.dose
	if d.prn {
		per = 2 * d.dose // expected use: about two administrations a day
	}
	return math.Ceil(per * float64(days) / d.packSize)
}

// dosageFor builds the structured FHIR Dosage for a prescription of the
// drug starting at start for the given number of days.
func dosageFor(d *drugSpec, start time.Time, days int) dosage {
	ds := dosage{
		Sequence:           1,
		Text:               d.instruction,
		PatientInstruction: d.instruction,
		Route:              &concept{Coding: []coding{routeCodes[d.route]}, Text: routeCodes[d.route].Display},
		DoseAndRate: []doseAndRate{{
			Type:         &concept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/dose-rate-type", Code: "ordered", Display: "Ordered"}}},
			DoseQuantity: &quantity{Value: d.dose, Unit: d.doseUnit, System: SystemUCUM, Code: d.doseCode},
		}},
	}
	rep := &timingRepeat{
		BoundsPeriod: &period{Start: fhirDate(start), End: fhirDate(days0(start, days-1))},
		Period:       1,
		PeriodUnit:   "d",
	}
	if d.prn {
		ds.AsNeededBoolean = true
		rep.Frequency = 4 // at most four times a day
	} else {
		rep.Frequency = len(d.when)
		rep.When = d.when
	}
	ds.Timing = &timing{Repeat: rep}
	return ds
}

func days0(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

// sideEffect names the reason a patient stops a drug and what the
// clinician switches to (-1: nothing).
func sideEffect(k drugKey) (string, drugKey) {
	switch k {
	case drugAmlodipine:
		return "Phù mắt cá chân", drugLosartan
	case drugLosartan:
		return "Chóng mặt, hạ huyết áp tư thế", drugAmlodipine
	case drugMetformin:
		return "Rối loạn tiêu hoá (tiêu chảy, đầy bụng)", drugGliclazide
	case drugAtorvastatin:
		return "Đau cơ", -1
	case drugSertraline:
		return "Buồn nôn, mất ngủ", -1
	case drugDonepezil:
		return "Buồn nôn, chán ăn", -1
	case drugBisoprolol:
		return "Mệt mỏi, nhịp tim chậm", -1
	case drugGliclazide:
		return "Hạ đường huyết", -1
	}
	return "Tác dụng không mong muốn", -1
}

// isAntihypertensive, isGlucoseLowering and isStatin group drugs for the
// effect of adherence on measurements.
func isAntihypertensive(k drugKey) bool {
	return k == drugAmlodipine || k == drugLosartan || k == drugBisoprolol
}

func isGlucoseLowering(k drugKey) bool {
	return k == drugMetformin || k == drugGliclazide || k == drugInsulinGlargine
}
