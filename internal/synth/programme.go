package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

type plannedDrug struct {
	drug drugKey
	cond int
}

// planDrugs chooses the medicines for the patient's treated chronic
// conditions, following Vietnamese MOH treatment guidance in broad
// strokes (first-line amlodipine or an ARB for hypertension, metformin
// then a sulfonylurea or insulin for diabetes, aspirin and a statin after
// ischaemic events, inhaled therapy for COPD and asthma).
func planDrugs(r *rand.Rand, p *person) []plannedDrug {
	var out []plannedDrug
	seen := map[drugKey]bool{}
	add := func(d drugKey, cond int) {
		if !seen[d] {
			seen[d] = true
			out = append(out, plannedDrug{d, cond})
		}
	}
	renal := false
	for _, cd := range p.conds {
		if cd.kind == condCKD && cd.stage >= 4 {
			renal = true
		}
	}
	for i, cd := range p.conds {
		if !cd.treated {
			continue
		}
		switch cd.kind {
		case condHypertension:
			arb := 0.4
			if p.has(condDiabetes) || p.has(condCKD) {
				arb = 0.7
			}
			if chance(r, arb) {
				add(drugLosartan, i)
			} else {
				add(drugAmlodipine, i)
			}
			if p.age >= 65 && chance(r, 0.3) {
				add(drugAmlodipine, i)
				add(drugLosartan, i)
			}
		case condDiabetes:
			if !renal && chance(r, 0.9) {
				add(drugMetformin, i)
			} else {
				add(drugGliclazide, i)
			}
			if chance(r, 0.35) {
				add(drugGliclazide, i)
			}
			if chance(r, 0.08) {
				add(drugInsulinGlargine, i)
			}
			if p.age >= 40 && chance(r, 0.6) {
				add(drugAtorvastatin, i)
			}
		case condIHD:
			if chance(r, 0.9) {
				add(drugAspirin, i)
			}
			if chance(r, 0.9) {
				add(drugAtorvastatin, i)
			}
			if chance(r, 0.6) {
				add(drugBisoprolol, i)
			}
		case condStroke:
			if chance(r, 0.65) {
				add(drugAspirin, i)
			} else {
				add(drugClopidogrel, i)
			}
			if chance(r, 0.8) {
				add(drugAtorvastatin, i)
			}
		case condCOPD:
			if chance(r, 0.5) {
				add(drugBudesonideFormoterol, i)
			} else if chance(r, 0.6) {
				add(drugTiotropium, i)
			}
			if chance(r, 0.9) {
				add(drugSalbutamol, i)
			}
		case condAsthma:
			if chance(r, 0.6) {
				add(drugBudesonideFormoterol, i)
			}
			if chance(r, 0.85) || len(out) == 0 {
				add(drugSalbutamol, i)
			}
		case condDepression:
			add(drugSertraline, i)
		case condDementia:
			add(drugDonepezil, i)
		}
	}
	return out
}

// chooseSite picks where the patient's chronic care happens, the doctor's
// specialty there, and the prescription length in days. Hypertension and
// diabetes are increasingly managed at commune health stations (MOH NCD
// programme); complex conditions at provincial hospitals, which may
// prescribe up to 90 days for listed chronic diseases.
func chooseSite(r *rand.Rand, p *person, cs *careSystem) (int, specialty, int) {
	long := func(share float64) int {
		if chance(r, share) {
			return 90
		}
		return 30
	}
	for _, cd := range p.conds {
		var spec specialty
		switch {
		case cd.kind == condIHD:
			spec = specCardiology
		case cd.kind == condStroke, cd.kind == condDementia:
			spec = specNeurology
		case cd.kind == condDepression:
			spec = specPsychiatry
		case cd.kind == condCKD && cd.stage >= 4:
			spec = specNephrology
		default:
			continue
		}
		fac := cs.provincial[p.province]
		if chance(r, 0.15) {
			for _, ci := range cs.central {
				if cs.facilities[ci].province == p.province {
					fac = ci
					break
				}
			}
		}
		return fac, spec, long(0.3)
	}
	hasNCD := p.has(condHypertension) || p.has(condDiabetes)
	if !hasNCD && (p.has(condCOPD) || p.has(condAsthma)) {
		return pick(r, cs.regional[p.province]), specRespiratory, long(0.2)
	}
	if !hasNCD {
		return pick(r, cs.regional[p.province]), specInternal, 30
	}
	switch u := r.Float64(); {
	case u < 0.55:
		return p.chs, specFamily, 30
	case u < 0.85:
		return pick(r, cs.regional[p.province]), specInternal, 30
	default:
		spec := specCardiology
		if p.has(condDiabetes) {
			spec = specEndocrinology
		}
		return cs.provincial[p.province], spec, long(0.3)
	}
}

// chronicProgramme simulates follow-up visits for the patient's chronic
// conditions: each visit measures, prescribes for the prescription length
// and dispenses; the adherence profile decides when the patient returns
// and which doses are taken in between.
func (g *Generator) chronicProgramme(r *rand.Rand, c *course, cs *careSystem) {
	p := c.p
	var chronic []int
	first := time.Time{}
	for i, cd := range p.conds {
		if cd.kind == condTB {
			continue
		}
		chronic = append(chronic, i)
		if first.IsZero() || cd.onset.Before(first) {
			first = cd.onset
		}
	}
	if len(chronic) == 0 || !first.Before(c.end) {
		return
	}
	site, spec, length := chooseSite(r, p, cs)
	doctor := cs.staffOf(site, roleDoctor, spec, uint64(p.idx))
	plan := planDrugs(r, p)
	if len(plan) == 0 {
		length = 180 // untreated: a check every six months
	}
	var t time.Time
	if first.Before(c.start) {
		t = days(c.start, r.IntN(length))
	} else {
		t = first
	}
	var lines []int
	for _, pd := range plan {
		l := &drugLine{drug: pd.drug, cond: pd.cond, from: atClock(p.conds[pd.cond].onset, 0, 0)}
		if l.from.Before(c.start) {
			// A prescription from before the period covers the days up to
			// the first visit.
			l.supply = append(l.supply, span{days(c.start, -30), atClock(t, 0, 0)})
		}
		lines = append(lines, c.addLine(l))
	}
	if len(plan) > 0 {
		c.careTeam = &careTeamPlan{
			teamID: c.id(), planID: c.id(), fac: site, doctor: doctor,
			chw: cs.staffOf(p.chs, roleCHW, specNone, uint64(p.idx)), start: maxTime(first, c.start),
		}
	}
	var onsets []time.Time
	for _, i := range chronic {
		if o := p.conds[i].onset; !o.Before(c.start) {
			onsets = append(onsets, o)
		}
	}
	slices.SortFunc(onsets, func(a, b time.Time) int { return a.Compare(b) })
	sideEffectVisit := -1
	if c.profile == ProfileSideEffect {
		sideEffectVisit = between(r, 0, 3)
	}
	simDay, visitNo := 0, 0
	m := &measureState{}
	returned := time.Time{}
	for !t.After(c.end) {
		vt := visitTime(r, t)
		if vt.After(c.end) {
			break
		}
		c.simulateDays(r, lines, simDay, c.dayIndex(vt), returned)
		simDay = c.dayIndex(vt)
		var reasons []int
		typ := encChronic
		for _, i := range chronic {
			if !p.conds[i].onset.After(vt) {
				reasons = append(reasons, i)
				if c.condEnc[i] == -1 && !p.conds[i].onset.Before(c.start) {
					typ = encDiagnosis
				}
			}
		}
		e := c.addEncounter(r, "AMB", typ, vt, 0, site, doctor, reasons)
		for _, i := range reasons {
			if c.condEnc[i] == -1 && !p.conds[i].onset.Before(c.start) {
				c.condEnc[i] = e
			}
		}
		c.measure(r, e, vt, visitNo, lines, m)
		// Side effects the patient reports: stop the current prescription
		// and switch.
		for _, li := range slices.Clone(lines) {
			l := c.lines[li]
			if l.selfStop.IsZero() || l.handled || !l.selfStop.Before(vt) {
				continue
			}
			l.handled = true
			l.until = atClock(vt, 0, 0)
			for k := len(c.rxs) - 1; k >= 0; k-- {
				if c.rxs[k].line == li {
					c.rxs[k].stopped = "Người bệnh ngừng thuốc do tác dụng không mong muốn: " + l.stopReason
					break
				}
			}
			if _, repl := sideEffect(l.drug); repl >= 0 && !c.hasActiveDrug(lines, repl, vt) {
				lines = append(lines, c.addLine(&drugLine{drug: repl, cond: l.cond, from: atClock(vt, 0, 0)}))
			}
		}
		// Prescribe and dispense for every active line.
		for _, li := range lines {
			l := c.lines[li]
			if l.from.After(vt) || (!l.until.IsZero() && !l.until.After(vt)) {
				continue
			}
			c.prescribe(r, li, e, vt, length)
		}
		if visitNo == sideEffectVisit {
			var cand []int
			for _, li := range lines {
				if l := c.lines[li]; !drugs[l.drug].prn && !l.from.After(vt) && l.until.IsZero() {
					cand = append(cand, li)
				}
			}
			if len(cand) > 0 {
				l := c.lines[pick(r, cand)]
				l.selfStop = atClock(days(vt, between(r, 7, 40)), 0, 0)
				l.stopReason, _ = sideEffect(l.drug)
			}
		}
		visitNo++
		next := days(atClock(vt, 0, 0), length+returnDelay(r, c.profile))
		for _, o := range onsets {
			if o.After(vt) && o.Before(next) {
				next = o
				break
			}
		}
		if !c.stopDate.IsZero() && returned.IsZero() && vt.Before(c.stopDate) && next.After(c.stopDate) {
			if chance(r, 0.6) {
				next = days(c.stopDate, between(r, 60, 240))
				returned = atClock(next, 0, 0)
			} else {
				returned = days(c.end, 1)
				next = returned
			}
		}
		t = next
	}
	c.simulateDays(r, lines, simDay, c.nDays(), returned)
}

func (c *course) addLine(l *drugLine) int {
	n := c.nDays()
	l.scheduled = make([]uint8, n)
	l.taken = make([]uint8, n)
	c.lines = append(c.lines, l)
	return len(c.lines) - 1
}

func (c *course) hasActiveDrug(lines []int, d drugKey, t time.Time) bool {
	for _, li := range lines {
		l := c.lines[li]
		if l.drug == d && (l.until.IsZero() || l.until.After(t)) {
			return true
		}
	}
	return false
}

// prescribe writes a prescription of the line for n days at the visit and,
// usually, its dispensing; supply carries over when a refill comes early.
func (c *course) prescribe(r *rand.Rand, li, enc int, vt time.Time, n int) {
	l := c.lines[li]
	if !l.until.IsZero() {
		if left := int(l.until.Sub(atClock(vt, 0, 0)).Hours() / 24); left < n {
			n = max(left, 1)
		}
	}
	rx := prescription{id: c.id(), line: li, enc: enc, start: atClock(vt, 0, 0), days: n}
	dispenseP := 0.97
	if c.profile == ProfileCostGaps {
		dispenseP = 0.88 // some prescriptions go unfilled (co-payment, out-of-list drugs)
	}
	if chance(r, dispenseP) {
		rx.dispID = c.id()
		rx.dispensed = vt.Add(time.Duration(15+r.IntN(60)) * time.Minute)
		from := atClock(vt, 0, 0)
		if k := len(l.supply); k > 0 && l.supply[k-1].to.After(from) {
			from = l.supply[k-1].to
		}
		l.supply = append(l.supply, span{from, days(from, n)})
	}
	c.rxs = append(c.rxs, rx)
}

// simulateDays decides, for each scheduled dose on days [from, to), whether
// it was taken: only with medicine in supply, not after the patient
// stopped, and not skipped by the profile's per-dose probability. For
// app users it records dose confirmations in the last 90 days.
func (c *course) simulateDays(r *rand.Rand, lines []int, from, to int, returned time.Time) {
	windowStart := c.dayIndex(days(c.end, -90))
	for d := from; d < to && d < c.nDays(); d++ {
		date := days(atClock(c.start, 0, 0), d)
		for _, li := range lines {
			l := c.lines[li]
			spec := &drugs[l.drug]
			if spec.prn || date.Before(l.from) || (!l.until.IsZero() && !date.Before(l.until)) {
				continue
			}
			l.scheduled[d] = uint8(spec.timesPerDay())
			covered := false
			for k := len(l.supply) - 1; k >= 0; k-- {
				if !date.Before(l.supply[k].from) && date.Before(l.supply[k].to) {
					covered = true
					break
				}
			}
			stoppedAll := !c.stopDate.IsZero() && !date.Before(c.stopDate) && (returned.IsZero() || date.Before(returned))
			selfStopped := !l.selfStop.IsZero() && !date.Before(l.selfStop)
			for _, w := range spec.when {
				h, m := whenClock(w)
				taken := covered && !stoppedAll && !selfStopped && !chance(r, skipProb(c.profile, h))
				if taken {
					l.taken[d]++
					l.missRun = 0
				} else if c.prescribed(li, date) {
					l.missRun++
				}
				if !c.app || d < windowStart {
					continue
				}
				t := date.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
				switch {
				case taken && chance(r, 0.9):
					c.doses = append(c.doses, doseEvent{id: c.id(), line: li, t: t.Add(time.Duration(r.IntN(80)-20) * time.Minute), taken: true})
				case !taken && chance(r, 0.35):
					reason := "Quên uống thuốc"
					switch {
					case stoppedAll:
						reason = "Tự ý ngừng thuốc"
					case selfStopped:
						reason = "Tác dụng không mong muốn: " + l.stopReason
					case !covered:
						reason = "Hết thuốc"
					}
					c.doses = append(c.doses, doseEvent{id: c.id(), line: li, t: t.Add(time.Duration(r.IntN(120)) * time.Minute), reason: reason})
				}
			}
		}
	}
}

// prescribed reports whether a prescription of the line covers the date
// (the doses a MedicationRequest in the record schedules).
func (c *course) prescribed(li int, date time.Time) bool {
	for k := len(c.rxs) - 1; k >= 0; k-- {
		rx := &c.rxs[k]
		if rx.line == li && !date.Before(rx.start) && date.Before(days(rx.start, rx.days)) {
			return true
		}
	}
	return false
}

// adherence returns the share of scheduled doses of the line taken on days
// [from, to); 0 when none were scheduled.
func (c *course) adherence(li, from, to int) float64 {
	l := c.lines[li]
	var s, t int
	for d := max(from, 0); d < to && d < len(l.scheduled); d++ {
		s += int(l.scheduled[d])
		t += int(l.taken[d])
	}
	if s == 0 {
		return 0
	}
	return float64(t) / float64(s)
}

type measureState struct {
	lastHbA1c, lastRenal, lastLipid, lastMMSE time.Time
	heightDone                                bool
}

// measure records the visit's vital signs and due laboratory tests. Values
// respond to adherence over the weeks before the visit, so control in the
// data follows the (hidden) profile.
func (c *course) measure(r *rand.Rand, e int, vt time.Time, visitNo int, lines []int, m *measureState) {
	p := c.p
	d := c.dayIndex(vt)
	eff := func(pred func(drugKey) bool, window int, per, cap float64) float64 {
		sum := 0.0
		for _, li := range lines {
			if pred(c.lines[li].drug) {
				w := per
				if c.lines[li].drug == drugBisoprolol {
					w = per * 0.6
				}
				sum += w * c.adherence(li, d-window, d)
			}
		}
		return math.Min(sum, cap)
	}
	sbp := clamp(c.sbpBase-eff(isAntihypertensive, 14, 15, 38)+normal(r, 0, 7), 85, 230)
	dbp := clamp(0.45*sbp+25+normal(r, 0, 5), 45, 130)
	c.addObs(e, obsBP, vt, math.Round(sbp), math.Round(dbp))
	hr := normal(r, 77, 8) - 10*eff(func(k drugKey) bool { return k == drugBisoprolol }, 14, 1, 1)
	c.addObs(e, obsHR, vt, math.Round(clamp(hr, 45, 130)), 0)
	adult := p.age >= 18
	if adult && (!m.heightDone) {
		m.heightDone = true
		c.addObs(e, obsHeight, vt, round1(c.height), 0)
	}
	if adult && (p.has(condDiabetes) || visitNo%3 == 0) {
		w := c.bmi*(c.height/100)*(c.height/100) + normal(r, 0, 0.8)
		c.addObs(e, obsWeight, vt, round1(w), 0)
		c.addObs(e, obsBMI, vt, round1(w/((c.height/100)*(c.height/100))), 0)
	}
	if p.has(condDiabetes) {
		glucoseEffect := func(k drugKey) bool { return isGlucoseLowering(k) }
		hba := math.Max(5.4, c.hbaBase-eff(glucoseEffect, 90, 1.4, 3.5)+normal(r, 0, 0.35))
		fpg := math.Max(3.9, 1.59*hba-2.59-0.6+normal(r, 0, 0.7))
		c.addObs(e, obsFPG, vt, round1(fpg), 0)
		if m.lastHbA1c.IsZero() || vt.Sub(m.lastHbA1c) > 85*24*time.Hour {
			m.lastHbA1c = vt
			c.addObs(e, obsHbA1c, vt, round1(hba), 0)
		}
	}
	renalEvery := 360 * 24 * time.Hour
	if p.has(condCKD) {
		renalEvery = 85 * 24 * time.Hour
	}
	if (p.has(condHypertension) || p.has(condDiabetes) || p.has(condCKD)) && (m.lastRenal.IsZero() || vt.Sub(m.lastRenal) > renalEvery) {
		m.lastRenal = vt
		years := vt.Sub(c.start).Hours() / 24 / 365.25
		egfr := math.Max(5, c.egfrBase-1.0*years+normal(r, 0, 3))
		age := float64(ageAt(p.birth, vt))
		scr := math.Round(creatinineFor(egfr, age, p.male)) // µmol/L
		c.addObs(e, obsCreatinine, vt, scr, 0)
		c.addObs(e, obsEGFR, vt, math.Round(ckdEPI2009(scr, age, p.male)), 0)
	}
	onStatin := false
	for _, li := range lines {
		if c.lines[li].drug == drugAtorvastatin {
			onStatin = true
		}
	}
	if (onStatin || p.has(condDiabetes) || p.has(condIHD) || p.has(condStroke)) && (m.lastLipid.IsZero() || vt.Sub(m.lastLipid) > 360*24*time.Hour) {
		m.lastLipid = vt
		tc := math.Max(2.5, c.cholBase-eff(func(k drugKey) bool { return k == drugAtorvastatin }, 30, 1.4, 1.4)+normal(r, 0, 0.3))
		c.addObs(e, obsCholesterol, vt, round1(tc), 0)
		c.addObs(e, obsLDL, vt, round1(math.Max(0.8, 0.62*tc+normal(r, -0.2, 0.2))), 0)
	}
	if p.has(condDepression) {
		phq := c.phqBase - 8*eff(func(k drugKey) bool { return k == drugSertraline }, 30, 1, 1) + normal(r, 0, 2)
		c.addObs(e, obsPHQ9, vt, math.Round(clamp(phq, 0, 27)), 0)
	}
	if p.has(condDementia) && (m.lastMMSE.IsZero() || vt.Sub(m.lastMMSE) > 170*24*time.Hour) {
		m.lastMMSE = vt
		years := vt.Sub(c.start).Hours() / 24 / 365.25
		c.addObs(e, obsMMSE, vt, math.Round(clamp(c.mmseBase-1.5*years+normal(r, 0, 1), 0, 30)), 0)
	}
}

// tbProgramme simulates directly observed treatment of pulmonary TB:
// 2 months of RHZE then 4 months of RH (2RHZE/4RH, National TB Programme),
// with monthly visits and dispensing at the treating facility.
func (g *Generator) tbProgramme(r *rand.Rand, c *course, cs *careSystem) {
	p := c.p
	for i, cd := range p.conds {
		if cd.kind != condTB {
			continue
		}
		fac := pick(r, cs.regional[p.province])
		if chance(r, 0.3) {
			fac = cs.lung[p.province]
		}
		doc := cs.staffOf(fac, roleDoctor, specRespiratory, uint64(p.idx))
		start := atClock(cd.onset, 0, 0)
		intensive := c.addLine(&drugLine{drug: drugRHZE, cond: i, from: start, until: days(start, 56)})
		cont := c.addLine(&drugLine{drug: drugRH, cond: i, from: days(start, 56), until: days(start, 168)})
		lines := []int{intensive, cont}
		t, simDay := cd.onset, c.dayIndex(cd.onset)
		returned := time.Time{}
		for n := 0; n < 6; n++ {
			vt := visitTime(r, t)
			if vt.After(c.end) {
				break
			}
			if !c.stopDate.IsZero() && vt.After(c.stopDate) {
				break // lost to follow-up
			}
			c.simulateDays(r, lines, simDay, c.dayIndex(vt), returned)
			simDay = c.dayIndex(vt)
			typ := encTB
			if n == 0 {
				typ = encDiagnosis
			}
			e := c.addEncounter(r, "AMB", typ, vt, 0, fac, doc, []int{i})
			if n == 0 {
				c.condEnc[i] = e
			}
			c.addObs(e, obsWeight, vt, round1(c.bmi*0.9*(c.height/100)*(c.height/100)+normal(r, 0, 0.8)), 0)
			for _, li := range lines {
				l := c.lines[li]
				if !l.from.After(vt) && l.until.After(vt) {
					c.prescribe(r, li, e, vt, 28)
				}
			}
			t = days(atClock(vt, 0, 0), 28+max(0, returnDelay(r, c.profile)))
		}
		c.simulateDays(r, lines, simDay, c.nDays(), returned)
	}
}

// tbOutcome returns when TB treatment ended successfully (zero if not yet
// or lost to follow-up).
func (c *course) tbOutcome(i int) time.Time {
	end := days(atClock(c.p.conds[i].onset, 0, 0), 168)
	if end.After(c.end) || (!c.stopDate.IsZero() && c.stopDate.Before(end)) {
		return time.Time{}
	}
	return end
}

// checkUp is the yearly health check that Resolution 72-NQ/TW makes free
// from 2026: vital signs, and glucose and cholesterol from age 40.
func (g *Generator) checkUp(r *rand.Rand, c *course, cs *careSystem) {
	p := c.p
	t := visitTime(r, c.start.Add(time.Duration(r.Float64()*float64(c.end.Sub(c.start)-24*time.Hour))))
	doc := cs.staffOf(p.chs, roleDoctor, specFamily, uint64(p.idx))
	e := c.addEncounter(r, "AMB", encCheckUp, t, 0, p.chs, doc, nil)
	sbp := clamp(c.sbpBase+normal(r, 0, 6), 85, 200)
	c.addObs(e, obsBP, t, math.Round(sbp), math.Round(clamp(0.45*sbp+25+normal(r, 0, 5), 45, 120)))
	c.addObs(e, obsHR, t, math.Round(normal(r, 76, 8)), 0)
	c.addObs(e, obsHeight, t, round1(c.height), 0)
	w := c.bmi * (c.height / 100) * (c.height / 100)
	c.addObs(e, obsWeight, t, round1(w), 0)
	c.addObs(e, obsBMI, t, round1(c.bmi), 0)
	if p.age >= 40 {
		c.addObs(e, obsFPG, t, round1(math.Max(3.9, 1.59*c.hbaBase-2.59-0.6+normal(r, 0, 0.4))), 0)
		c.addObs(e, obsCholesterol, t, round1(c.cholBase), 0)
	}
}

// truth summarises the simulated dose taking of the last 90 days.
func (c *course) truth() Truth {
	t := Truth{PatientID: c.p.id, Profile: c.profile, AppEnrolled: c.app}
	if !c.stopDate.IsZero() && !c.stopDate.After(c.end) {
		t.StopDate = c.stopDate
	}
	from := c.dayIndex(days(c.end, -90))
	for _, l := range c.lines {
		for d := max(from, 0); d < len(l.scheduled); d++ {
			t.DosesScheduled += int(l.scheduled[d])
			t.DosesTaken += int(l.taken[d])
		}
	}
	if t.DosesScheduled > 0 {
		t.TakenFraction = round2(float64(t.DosesTaken) / float64(t.DosesScheduled))
	}
	for _, cd := range c.p.conds {
		code, _ := cd.code()
		t.Conditions = append(t.Conditions, code)
	}
	last := atClock(c.end, 0, 0)
	for li, l := range c.lines {
		for k := range c.rxs {
			rx := &c.rxs[k]
			if rx.line != li || rx.stopped != "" || last.Before(rx.start) || !last.Before(days(rx.start, rx.days)) {
				continue
			}
			if t.MissedInARow == nil {
				t.MissedInARow = map[string]int{}
			}
			atc := drugs[l.drug].atc
			t.MissedInARow[atc] = max(t.MissedInARow[atc], l.missRun)
			break
		}
	}
	return t
}
