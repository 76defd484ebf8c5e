package synth

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/sen-emr/sen/internal/vn"
)

// renderer turns the model into FHIR JSON.
type renderer struct {
	g   *Generator
	out []renderedResource
}

func (rd *renderer) add(typ, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal %s/%s: %w", typ, id, err)
	}
	rd.out = append(rd.out, renderedResource{typ: typ, id: id, json: b})
	return nil
}

func ref(typ, id string) reference { return reference{Reference: typ + "/" + id} }

func refp(typ, id, display string) *reference {
	return &reference{Reference: typ + "/" + id, Display: display}
}

func cc(system, code, display string) concept {
	return concept{Coding: []coding{{System: system, Code: code, Display: display}}}
}

func cct(system, code, display, text string) concept {
	c := cc(system, code, display)
	c.Text = text
	return c
}

func (rd *renderer) careSystem() error {
	cs := rd.g.cs
	for _, f := range cs.facilities {
		org := organizationResource{
			ResourceType: "Organization", ID: f.id, Meta: synthMeta(), Active: true, Name: f.name,
			Identifier: []identifier{{Use: "official", System: SystemFacilityCode, Value: f.code}},
			Type: []concept{
				cct("http://terminology.hl7.org/CodeSystem/organization-type", "prov", "Healthcare Provider", "Cơ sở khám bệnh, chữa bệnh"),
				cct(SystemFacilityLevel, string(f.level), levelDisplay[f.level], levelDisplay[f.level]),
			},
		}
		if prov := rd.g.geo.province(f.province); prov != nil {
			a := address{Use: "work", Type: "physical", State: prov.name, Country: "VN",
				Extension: []extension{{URL: vn.ExtAddressAdminUnit, ValueCoding: &coding{System: vn.CodeSystemProvince, Code: prov.code, Display: prov.name}}}}
			a.Text = prov.fullName
			if f.commune.Code != "" {
				a.City = f.commune.Name
				a.Text = f.commune.FullName() + ", " + prov.fullName
				a.Extension = append(a.Extension, extension{URL: vn.ExtAddressAdminUnit, ValueCoding: &coding{System: vn.CodeSystemCommune, Code: f.commune.Code, Display: f.commune.Name}})
			}
			org.Address = []address{a}
		}
		if f.parent >= 0 {
			org.PartOf = refp("Organization", cs.facilities[f.parent].id, cs.facilities[f.parent].name)
		}
		if err := rd.add("Organization", f.id, org); err != nil {
			return err
		}
	}
	for _, p := range cs.practitioners {
		f := &cs.facilities[p.facility]
		gender := "female"
		if p.male {
			gender = "male"
		}
		rc := roleCodes[p.role]
		pr := practitionerResource{
			ResourceType: "Practitioner", ID: p.id, Meta: synthMeta(), Active: true,
			Identifier: []identifier{{Use: "official", System: SystemPractitionerLicence, Value: p.licence}},
			Name:       []humanName{p.name.fhirName()},
			Gender:     gender, BirthDate: strconv.Itoa(p.birthYear),
			Qualification: []qualification{{Code: concept{Text: rc.display}}},
		}
		if err := rd.add("Practitioner", p.id, pr); err != nil {
			return err
		}
		role := practitionerRoleResource{
			ResourceType: "PractitionerRole", ID: p.roleID, Meta: synthMeta(), Active: true,
			Practitioner: refp("Practitioner", p.id, p.name.Text()),
			Organization: refp("Organization", f.id, f.name),
			Code:         []concept{cct(rc.system, rc.code, rc.display, rc.display)},
		}
		if s := specialtyCodes[p.spec]; s.code != "" {
			role.Specialty = []concept{cct("http://snomed.info/sct", s.code, s.display, s.display)}
		}
		if err := rd.add("PractitionerRole", p.roleID, role); err != nil {
			return err
		}
	}
	return nil
}

func boolp(b bool) *bool { return &b }

func intp(i int) *int { return &i }

func floatp(f float64) *float64 { return &f }

// patient renders one patient and their course.
func (rd *renderer) patient(c *course) error {
	g, cs, p := rd.g, rd.g.cs, c.p
	subj := ref("Patient", p.id)
	gender := "female"
	if p.male {
		gender = "male"
	}
	prov := g.geo.province(p.province)
	pat := patientResource{
		ResourceType: "Patient", ID: p.id, Meta: synthMeta(), Active: true,
		Identifier: []identifier{
			{Use: "official", Type: &concept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/v2-0203", Code: "NI", Display: "National unique individual identifier"}}, Text: "Số định danh cá nhân (CCCD)"}, System: vn.SystemCCCD, Value: p.cccd},
			{Use: "official", Type: &concept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/v2-0203", Code: "SB", Display: "Social Beneficiary Identifier"}}, Text: "Mã thẻ BHYT"}, System: vn.SystemBHYT, Value: p.bhyt},
			{Use: "usual", Type: &concept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/v2-0203", Code: "MR", Display: "Medical record number"}}, Text: "Mã người bệnh"}, System: vn.MRNSystem(cs.facilities[p.chs].code), Value: fmt.Sprintf("%s%07d", cs.facilities[p.chs].code, p.idx+1)},
		},
		Name:      []humanName{p.name.fhirName()},
		Gender:    gender,
		BirthDate: fhirDate(p.birth),
		Address: []address{{
			Extension: []extension{
				{URL: vn.ExtAddressAdminUnit, ValueCoding: &coding{System: vn.CodeSystemProvince, Code: prov.code, Display: prov.name}},
				{URL: vn.ExtAddressAdminUnit, ValueCoding: &coding{System: vn.CodeSystemCommune, Code: p.commune.Code, Display: p.commune.Name}},
			},
			Use: "home", Type: "physical",
			Text: p.line + ", " + p.commune.FullName() + ", " + prov.fullName,
			Line: []string{p.line}, City: p.commune.Name, State: prov.name, Country: "VN",
		}},
		Communication:       []patientComm{{Language: cct("urn:ietf:bcp:47", "vi", "Vietnamese", "Tiếng Việt"), Preferred: true}},
		GeneralPractitioner: []reference{*refp("Organization", cs.facilities[p.chs].id, cs.facilities[p.chs].name)},
	}
	eth, _ := g.ethnicityName(p.ethnicity)
	pat.Extension = append(pat.Extension,
		extension{URL: vn.ExtEthnicity, ValueCoding: &coding{System: vn.CodeSystemEthnicity, Code: p.ethnicity, Display: eth}},
		extension{URL: ExtHousehold, ValueString: g.pop.households[p.household].id},
	)
	if c.profile != ProfileNone {
		t := c.truth()
		ext := extension{URL: ExtAdherenceProfile, Extension: []extension{
			{URL: "profile", ValueCode: string(t.Profile)},
			{URL: "appEnrolled", ValueBoolean: boolp(t.AppEnrolled)},
			{URL: "dosesScheduled", ValueInteger: intp(t.DosesScheduled)},
			{URL: "dosesTaken", ValueInteger: intp(t.DosesTaken)},
			{URL: "takenFraction", ValueDecimal: floatp(t.TakenFraction)},
		}}
		if !t.StopDate.IsZero() {
			ext.Extension = append(ext.Extension, extension{URL: "stopDate", ValueDate: fhirDate(t.StopDate)})
		}
		pat.Extension = append(pat.Extension, ext)
	}
	if p.phone != "" {
		pat.Telecom = []contactPoint{{System: "phone", Value: p.phone, Use: "mobile"}}
	}
	if p.marital != "" {
		pat.MaritalStatus = &concept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", Code: p.marital, Display: maritalDisplay[p.marital]}}}
	}
	if p.age < 18 {
		// A child's contact is the oldest adult of the household.
		for _, m := range g.pop.households[p.household].members {
			a := &g.pop.people[m]
			if a.age >= 18 {
				n := a.name.fhirName()
				n.Use = ""
				ct := patientContact{
					Relationship: []concept{cct("http://terminology.hl7.org/CodeSystem/v2-0131", "N", "Next-of-Kin", "Người thân")},
					Name:         &n,
				}
				if a.phone != "" {
					ct.Telecom = []contactPoint{{System: "phone", Value: a.phone, Use: "mobile"}}
				}
				pat.Contact = []patientContact{ct}
				break
			}
		}
	}
	if err := rd.add("Patient", p.id, pat); err != nil {
		return err
	}
	// Conditions.
	for i, cd := range p.conds {
		code, display := cd.code()
		cond := conditionResource{
			ResourceType: "Condition", ID: c.condIDs[i], Meta: synthMeta(),
			ClinicalStatus:     ptr(cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active")),
			VerificationStatus: ptr(cc("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed")),
			Category:           []concept{cct("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item", "Danh sách bệnh")},
			Code:               cct(SystemICD10, code, display, display),
			Subject:            subj,
			OnsetDateTime:      fhirDateTime(cd.onset),
			RecordedDate:       fhirDateTime(cd.onset),
		}
		if e := c.condEnc[i]; e >= 0 {
			cond.Encounter = refp("Encounter", c.encounters[e].id, "")
			cond.RecordedDate = fhirDateTime(c.encounters[e].start)
			cond.Recorder = refp("PractitionerRole", cs.practitioners[c.encounters[e].prac].roleID, "")
		}
		if cd.kind == condTB {
			if end := c.tbOutcome(i); !end.IsZero() {
				cond.ClinicalStatus = ptr(cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved", "Resolved"))
				cond.AbatementDateTime = fhirDateTime(end)
				cond.Note = []annotation{{Text: "Hoàn thành điều trị phác đồ 2RHZE/4RH"}}
			}
		}
		if err := rd.add("Condition", cond.ID, cond); err != nil {
			return err
		}
	}
	for _, x := range c.extraConds {
		e := &c.encounters[x.enc]
		cond := conditionResource{
			ResourceType: "Condition", ID: x.id, Meta: synthMeta(),
			ClinicalStatus:     ptr(cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved", "Resolved")),
			VerificationStatus: ptr(cc("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed")),
			Category:           []concept{cct("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis", "Chẩn đoán")},
			Code:               cct(SystemICD10, x.icd, x.display, x.display),
			Subject:            subj,
			Encounter:          refp("Encounter", e.id, ""),
			OnsetDateTime:      fhirDateTime(x.onset),
			AbatementDateTime:  fhirDateTime(x.end),
			RecordedDate:       fhirDateTime(e.start),
		}
		if err := rd.add("Condition", cond.ID, cond); err != nil {
			return err
		}
	}
	if a := c.allergy; a != nil {
		al := allergyResource{
			ResourceType: "AllergyIntolerance", ID: a.id, Meta: synthMeta(),
			ClinicalStatus:     ptr(cc("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active")),
			VerificationStatus: ptr(cc("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed")),
			Type:               "allergy", Category: []string{a.category}, Criticality: a.criticality,
			Code:    concept{Text: a.text},
			Patient: subj, RecordedDate: fhirDateTime(a.recorded),
			Reaction: []allergyReaction{{Manifestation: []concept{{Text: a.reaction}}}},
		}
		if a.atc != "" {
			al.Code.Coding = []coding{{System: SystemATC, Code: a.atc}}
		}
		if err := rd.add("AllergyIntolerance", a.id, al); err != nil {
			return err
		}
	}
	if ct := c.careTeam; ct != nil {
		doc, chw := &cs.practitioners[ct.doctor], &cs.practitioners[ct.chw]
		team := careTeamResource{
			ResourceType: "CareTeam", ID: ct.teamID, Meta: synthMeta(), Status: "active",
			Name: "Nhóm chăm sóc bệnh mạn tính", Subject: subj, Period: &period{Start: fhirDate(ct.start)},
			Participant: []careTeamParticipant{
				{Role: []concept{{Text: "Bác sĩ điều trị"}}, Member: ref("PractitionerRole", doc.roleID)},
				{Role: []concept{{Text: roleCodes[roleCHW].display}}, Member: ref("PractitionerRole", chw.roleID)},
			},
			ManagingOrganization: []reference{ref("Organization", cs.facilities[ct.fac].id)},
		}
		if err := rd.add("CareTeam", team.ID, team); err != nil {
			return err
		}
		plan := carePlanResource{
			ResourceType: "CarePlan", ID: ct.planID, Meta: synthMeta(), Status: "active", Intent: "plan",
			Category:    []concept{{Coding: []coding{{System: "http://snomed.info/sct", Code: "734163000", Display: "Care plan"}}, Text: "Quản lý bệnh mạn tính"}},
			Title:       "Kế hoạch quản lý bệnh mạn tính",
			Description: "Tái khám, cấp thuốc định kỳ và theo dõi huyết áp, đường huyết tại cơ sở quản lý; nhân viên y tế thôn bản nhắc lịch.",
			Subject:     subj, Period: &period{Start: fhirDate(ct.start)}, Created: fhirDateTime(ct.start),
			CareTeam: []reference{ref("CareTeam", ct.teamID)},
		}
		for i, cd := range p.conds {
			if cd.kind != condTB {
				plan.Addresses = append(plan.Addresses, ref("Condition", c.condIDs[i]))
			}
		}
		if err := rd.add("CarePlan", plan.ID, plan); err != nil {
			return err
		}
	}
	for _, e := range c.encounters {
		f := &cs.facilities[e.fac]
		pr := &cs.practitioners[e.prac]
		enc := encounterResource{
			ResourceType: "Encounter", ID: e.id, Meta: synthMeta(), Status: "finished",
			Class:   coding{System: "http://terminology.hl7.org/CodeSystem/v3-ActCode", Code: e.class, Display: map[string]string{"AMB": "ambulatory", "IMP": "inpatient encounter"}[e.class]},
			Type:    []concept{cct(SystemEncounterType, e.typ, encTypeDisplay[e.typ], encTypeDisplay[e.typ])},
			Subject: subj,
			Participant: []encounterParticipant{{
				Type:       []concept{cc("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer")},
				Individual: refp("PractitionerRole", pr.roleID, pr.name.Text()),
			}},
			Period:          &period{Start: fhirDateTime(e.start), End: fhirDateTime(e.end)},
			ServiceProvider: refp("Organization", f.id, f.name),
		}
		for rank, ci := range e.reasons {
			enc.ReasonReference = append(enc.ReasonReference, ref("Condition", c.condIDs[ci]))
			enc.Diagnosis = append(enc.Diagnosis, encounterDiagnosis{Condition: ref("Condition", c.condIDs[ci]), Rank: rank + 1})
		}
		if e.extra >= 0 {
			x := c.extraConds[e.extra]
			enc.Diagnosis = append([]encounterDiagnosis{{Condition: ref("Condition", x.id), Rank: 1,
				Use: ptr(cc("http://terminology.hl7.org/CodeSystem/diagnosis-role", "AD", "Admission diagnosis"))}}, enc.Diagnosis...)
			for k := 1; k < len(enc.Diagnosis); k++ {
				enc.Diagnosis[k].Rank = k + 1
			}
		}
		if e.class == "IMP" {
			enc.Hospitalization = &hospitalization{
				AdmitSource:          ptr(cct("http://terminology.hl7.org/CodeSystem/admit-source", "emd", "From accident/emergency department", "Vào viện qua khoa cấp cứu")),
				DischargeDisposition: ptr(cct("http://terminology.hl7.org/CodeSystem/discharge-disposition", "home", "Home", "Ra viện về nhà")),
			}
		}
		if err := rd.add("Encounter", e.id, enc); err != nil {
			return err
		}
	}
	for _, o := range c.obs {
		if err := rd.observation(c, o); err != nil {
			return err
		}
	}
	for _, rx := range c.rxs {
		if err := rd.prescription(c, rx); err != nil {
			return err
		}
	}
	for _, d := range c.doses {
		if err := rd.dose(c, d); err != nil {
			return err
		}
	}
	return nil
}

var maritalDisplay = map[string]string{"M": "Married", "S": "Never Married", "W": "Widowed"}

func ptr[T any](v T) *T { return &v }

func (g *Generator) ethnicityName(code string) (string, bool) {
	u, err := vn.LoadUnits()
	if err != nil {
		return "", false
	}
	e, ok := u.Ethnicity(code)
	return e.Name, ok
}

func (rd *renderer) observation(c *course, o observation) error {
	s := obsSpecs[o.kind]
	e := &c.encounters[o.enc]
	res := observationResource{
		ResourceType: "Observation", ID: o.id, Meta: synthMeta(), Status: "final",
		Category:          []concept{cc("http://terminology.hl7.org/CodeSystem/observation-category", s.category, categoryDisplay[s.category])},
		Code:              cct(SystemLOINC, s.loinc, s.display, s.text),
		Subject:           ref("Patient", c.p.id),
		Encounter:         refp("Encounter", e.id, ""),
		EffectiveDateTime: fhirDateTime(o.t),
		Performer:         []reference{ref("PractitionerRole", rd.g.cs.practitioners[e.prac].roleID)},
	}
	if s.category == "laboratory" {
		res.Issued = fhirDateTime(o.t.Add(3 * time.Hour))
	}
	if o.kind == obsBP {
		res.Component = []observationComponent{
			{Code: cct(SystemLOINC, "8480-6", "Systolic blood pressure", "Huyết áp tâm thu"), ValueQuantity: &quantity{Value: o.v, Unit: "mmHg", System: SystemUCUM, Code: "mm[Hg]"}},
			{Code: cct(SystemLOINC, "8462-4", "Diastolic blood pressure", "Huyết áp tâm trương"), ValueQuantity: &quantity{Value: o.v2, Unit: "mmHg", System: SystemUCUM, Code: "mm[Hg]"}},
		}
		if o.v >= 140 || o.v2 >= 90 {
			res.Interpretation = []concept{cct("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "H", "High", "Cao")}
		}
	} else {
		res.ValueQuantity = &quantity{Value: o.v, Unit: s.unit, System: SystemUCUM, Code: s.ucum}
	}
	return rd.add("Observation", o.id, res)
}

func (rd *renderer) medication(d drugKey) concept {
	s := &drugs[d]
	return concept{Coding: []coding{{System: SystemATC, Code: s.atc}}, Text: s.name}
}

func (rd *renderer) prescription(c *course, rx prescription) error {
	l := c.lines[rx.line]
	s := &drugs[l.drug]
	e := &c.encounters[rx.enc]
	pr := &rd.g.cs.practitioners[e.prac]
	status := "completed"
	end := days(rx.start, rx.days)
	switch {
	case rx.stopped != "":
		status = "stopped"
	case end.After(c.end):
		status = "active"
	}
	course := "continuous"
	if l.drug == drugRHZE || l.drug == drugRH {
		course = "acute"
	}
	qty := s.packs(rx.days)
	mr := medicationRequestResource{
		ResourceType: "MedicationRequest", ID: rx.id, Meta: synthMeta(), Status: status, Intent: "order",
		MedicationCodeableConcept: rd.medication(l.drug),
		Subject:                   ref("Patient", c.p.id),
		Encounter:                 refp("Encounter", e.id, ""),
		AuthoredOn:                fhirDateTime(e.start),
		Requester:                 refp("PractitionerRole", pr.roleID, pr.name.Text()),
		ReasonReference:           []reference{ref("Condition", c.condIDs[l.cond])},
		CourseOfTherapyType:       ptr(cc("http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy", course, map[string]string{"continuous": "Continuous long term therapy", "acute": "Short course (acute) therapy"}[course])),
		DosageInstruction:         []dosage{dosageFor(s, rx.start, rx.days)},
		DispenseRequest: &dispenseRequest{
			ValidityPeriod:         &period{Start: fhirDate(rx.start), End: fhirDate(days(rx.start, 5))},
			Quantity:               &quantity{Value: qty, Unit: s.packUnit, System: SystemUCUM, Code: s.packCode},
			ExpectedSupplyDuration: &quantity{Value: float64(rx.days), Unit: "ngày", System: SystemUCUM, Code: "d"},
		},
	}
	if rx.stopped != "" {
		mr.StatusReason = &concept{Text: rx.stopped}
	}
	if err := rd.add("MedicationRequest", rx.id, mr); err != nil {
		return err
	}
	if rx.dispID == "" {
		return nil
	}
	md := medicationDispenseResource{
		ResourceType: "MedicationDispense", ID: rx.dispID, Meta: synthMeta(), Status: "completed",
		MedicationCodeableConcept: rd.medication(l.drug),
		Subject:                   ref("Patient", c.p.id),
		Context:                   refp("Encounter", e.id, ""),
		AuthorizingPrescription:   []reference{ref("MedicationRequest", rx.id)},
		Quantity:                  &quantity{Value: qty, Unit: s.packUnit, System: SystemUCUM, Code: s.packCode},
		DaysSupply:                &quantity{Value: float64(rx.days), Unit: "ngày", System: SystemUCUM, Code: "d"},
		WhenPrepared:              fhirDateTime(rx.dispensed.Add(-10 * time.Minute)),
		WhenHandedOver:            fhirDateTime(rx.dispensed),
		DosageInstruction:         []dosage{dosageFor(s, rx.start, rx.days)},
	}
	if ph := rd.pharmacist(e.fac); ph >= 0 {
		md.Performer = []dispensePerformer{{Actor: ref("PractitionerRole", rd.g.cs.practitioners[ph].roleID)}}
	}
	return rd.add("MedicationDispense", rx.dispID, md)
}

// pharmacist returns the facility's pharmacist, or its nurse at a commune
// station (which has no pharmacist), or -1.
func (rd *renderer) pharmacist(fac int) int {
	cs := rd.g.cs
	for _, want := range []roleKind{rolePharmacist, roleNurse} {
		for _, pi := range cs.facilities[fac].staff {
			if cs.practitioners[pi].role == want {
				return pi
			}
		}
	}
	return -1
}

func (rd *renderer) dose(c *course, d doseEvent) error {
	l := c.lines[d.line]
	s := &drugs[l.drug]
	ma := medicationAdministrationResource{
		ResourceType: "MedicationAdministration", ID: d.id, Meta: synthMeta(),
		Category:                  ptr(cct("http://terminology.hl7.org/CodeSystem/medication-admin-category", "patientspecified", "Patient Specified", "Người bệnh tự xác nhận qua ứng dụng")),
		MedicationCodeableConcept: rd.medication(l.drug),
		Subject:                   ref("Patient", c.p.id),
		EffectiveDateTime:         fhirDateTime(d.t),
		Performer:                 []adminPerformer{{Actor: ref("Patient", c.p.id)}},
	}
	if d.taken {
		ma.Status = "completed"
		ma.Dosage = &adminDosage{
			Text:  s.instruction,
			Route: &concept{Coding: []coding{routeCodes[s.route]}},
			Dose:  &quantity{Value: s.dose, Unit: s.doseUnit, System: SystemUCUM, Code: s.doseCode},
		}
	} else {
		ma.Status = "not-done"
		ma.StatusReason = []concept{{Text: d.reason}}
	}
	// The prescription in force that day, else the latest before it.
	for k := len(c.rxs) - 1; k >= 0; k-- {
		rx := &c.rxs[k]
		if rx.line == d.line && !rx.start.After(d.t) {
			ma.Request = refp("MedicationRequest", rx.id, "")
			break
		}
	}
	return rd.add("MedicationAdministration", d.id, ma)
}
