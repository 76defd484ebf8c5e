package bhyt

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/vn"
)

// Sen's FHIR conventions for claim data that FHIR has no element for.
// Catalogue codes travel as codings in these systems; the rest as
// extensions on the resource named.
const (
	base = "https://sen-emr.github.io/fhir/"
	// CodeSystemLoaiKCB (Encounter.type): MA_LOAI_KCB, Decision 1804/QĐ-BYT.
	CodeSystemLoaiKCB = base + "CodeSystem/bhyt-ma-loai-kcb"
	// CodeSystemDoiTuongKCB (Encounter.type): MA_DOITUONG_KCB.
	CodeSystemDoiTuongKCB = base + "CodeSystem/bhyt-ma-doituong-kcb"
	// CodeSystemKhoa (Encounter.serviceType): department K01–K99.
	CodeSystemKhoa = base + "CodeSystem/bhyt-ma-khoa"
	// CodeSystemThuoc (ChargeItem.code): MA_THUOC, a line of XML2.
	CodeSystemThuoc = base + "CodeSystem/bhyt-ma-thuoc"
	// CodeSystemDichVu (ChargeItem.code, Observation.code): MA_DICH_VU, a line of XML3.
	CodeSystemDichVu = base + "CodeSystem/bhyt-ma-dich-vu"
	// CodeSystemVatTu (ChargeItem.code): MA_VAT_TU, a supply line of XML3.
	CodeSystemVatTu = base + "CodeSystem/bhyt-ma-vat-tu"
	// CodeSystemChiSo (Observation.code): MOH 7-digit lab index (Decision 1227/QĐ-BYT).
	CodeSystemChiSo = base + "CodeSystem/moh-lab-index"
	// ExtMaNhom (ChargeItem): MA_NHOM, the cost group.
	ExtMaNhom = base + "StructureDefinition/bhyt-ma-nhom"
	// ExtTyLeTT (ChargeItem): TYLE_TT_BH, percent of the price BHYT covers (default 100).
	ExtTyLeTT = base + "StructureDefinition/bhyt-tyle-tt"
	// ExtHamLuong, ExtSoDangKy, ExtTTThau (ChargeItem of a drug).
	ExtHamLuong = base + "StructureDefinition/bhyt-ham-luong"
	ExtSoDangKy = base + "StructureDefinition/bhyt-so-dang-ky"
	ExtTTThau   = base + "StructureDefinition/bhyt-tt-thau"
	// ExtMaGiuong (ChargeItem of a bed day): MA_GIUONG.
	ExtMaGiuong = base + "StructureDefinition/bhyt-ma-giuong"
	// ExtMaDKBD (Coverage): the registered primary-care facility.
	ExtMaDKBD = base + "StructureDefinition/bhyt-ma-dkbd"
	// ExtKetQuaDieuTri (Encounter): KET_QUA_DTRI 1–7.
	ExtKetQuaDieuTri = base + "StructureDefinition/bhyt-ket-qua-dtri"
	// ExtMaTTDV (Organization): code of the head of facility who signs.
	ExtMaTTDV = base + "StructureDefinition/bhyt-ma-ttdv"
	// SystemPractitionerCode (Practitioner.identifier): practising-certificate code (MA_BAC_SI).
	SystemPractitionerCode = base + "sid/practitioner-cchn"
	// SystemFacility (Organization.identifier): MA_CSKCB.
	SystemFacility = base + "sid/ma-cskcb"
	icd10          = "http://hl7.org/fhir/sid/icd-10"
	loinc          = "http://loinc.org"
)

// Source is what one episode's claim is generated from.
type Source struct {
	MaLK               string // assigned by the caller; unique, never reused
	Facility           obj    // Organization with SystemFacility identifier
	Patient            obj
	Coverage           obj // optional: the card may be a Patient identifier
	Encounter          obj
	Conditions         []obj
	MedicationRequests []obj
	ChargeItems        []obj
	Observations       []obj
	Compositions       []obj // progress notes, discharge summary, referral
	Appointments       []obj // follow-up (XML14)
	Practitioners      map[string]obj
	Now                time.Time // NGAY_TTOAN and the settlement month
}

// SourceFromBundle sorts the entries of a FHIR Bundle (JSON) into a
// Source. The Bundle must hold one Encounter, its Patient and the facility
// Organization.
func SourceFromBundle(bundle []byte, maLK string, now time.Time) (*Source, error) {
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		return nil, fmt.Errorf("claim bundle: %w", err)
	}
	s := &Source{MaLK: maLK, Now: now, Practitioners: map[string]obj{}}
	for i, e := range b.Entry {
		r, err := decode(e.Resource)
		if err != nil {
			return nil, fmt.Errorf("claim bundle entry %d: %w", i, err)
		}
		if err := s.Add(r); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Add files one resource into the Source.
func (s *Source) Add(r obj) error {
	if s.Practitioners == nil {
		s.Practitioners = map[string]obj{}
	}
	switch t := str(r, "resourceType"); t {
	case "Organization":
		if identifier(r, SystemFacility) != "" {
			s.Facility = r
		}
	case "Patient":
		s.Patient = r
	case "Coverage":
		s.Coverage = r
	case "Encounter":
		if s.Encounter != nil {
			return errors.New("claim: more than one Encounter; one claim is one episode")
		}
		s.Encounter = r
	case "Condition":
		s.Conditions = append(s.Conditions, r)
	case "MedicationRequest":
		s.MedicationRequests = append(s.MedicationRequests, r)
	case "ChargeItem":
		s.ChargeItems = append(s.ChargeItems, r)
	case "Observation":
		s.Observations = append(s.Observations, r)
	case "Composition":
		s.Compositions = append(s.Compositions, r)
	case "Appointment":
		s.Appointments = append(s.Appointments, r)
	case "Practitioner":
		s.Practitioners[str(r, "id")] = r
	}
	return nil
}

// fhirTime parses a FHIR dateTime (date-only values are midnight in Vietnam).
func fhirTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, vnZone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func dt(s string) string {
	if t, ok := fhirTime(s); ok {
		return FormatDateTime(t)
	}
	return s // kept as is, so validation reports it
}

func dOnly(s string) string {
	if t, ok := fhirTime(s); ok {
		return FormatDate(t)
	}
	return s
}

// birth writes NGAY_SINH: unknown time is 0000, an unknown month and day 0000.
func birth(s string) string {
	switch len(s) {
	case 4:
		return s + "00000000"
	case 7:
		return strings.ReplaceAll(s, "-", "") + "000000"
	case 10:
		return strings.ReplaceAll(s, "-", "") + "0000"
	}
	return dt(s)
}

// practitionerCode is MA_BAC_SI: the practising-certificate identifier, else the id.
func (s *Source) practitionerCode(ref string) string {
	id := refID(ref)
	if p, ok := s.Practitioners[id]; ok {
		if c := identifier(p, SystemPractitionerCode); c != "" {
			return c
		}
	}
	return id
}

func (s *Source) practitionerName(ref string) string {
	if p, ok := s.Practitioners[refID(ref)]; ok {
		if t := str(p, "name.0.text"); t != "" {
			return t
		}
	}
	return ""
}

// Build generates the claim tables for the episode. It does not validate
// them: call Validate, which reports every problem field by field.
func Build(s *Source) (*Claim, error) {
	if s.Encounter == nil || s.Patient == nil {
		return nil, errors.New("claim: the episode needs an Encounter and its Patient / thiếu lượt khám hoặc người bệnh")
	}
	if s.MaLK == "" {
		return nil, errors.New("claim: no MA_LK / thiếu mã liên kết")
	}
	csk := identifier(s.Facility, SystemFacility)
	c := &Claim{MaLK: s.MaLK, MaCSKCB: csk, Tables: map[string][]Row{}}
	enc, pat := s.Encounter, s.Patient

	p := Row{"MA_LK": s.MaLK, "MA_BN": str(pat, "id"), "HO_TEN": patientName(pat), "SO_CCCD": identifier(pat, vn.SystemCCCD),
		"NGAY_SINH": birth(str(pat, "birthDate")), "GIOI_TINH": sexCode(str(pat, "gender")), "MA_CSKCB": csk}
	card := identifier(pat, vn.SystemBHYT)
	if s.Coverage != nil {
		if v := str(s.Coverage, "subscriberId"); v != "" {
			card = v
		}
		p["GT_THE_TU"] = dOnly(str(s.Coverage, "period.start"))
		p["GT_THE_DEN"] = dOnly(str(s.Coverage, "period.end"))
		p["MA_DKBD"] = ext(s.Coverage, ExtMaDKBD)
	}
	p["MA_THE_BHYT"] = card
	benefit := 0
	if b, err := vn.ParseBHYT(card); err == nil && b.Kind == vn.BHYTCard {
		benefit = benefitPercent(b.BenefitLevel)
	}

	loai := codeIn(enc, "type.0", CodeSystemLoaiKCB)
	for _, t := range list(enc, "type") {
		if v := codeIn(t, "", CodeSystemLoaiKCB); v != "" {
			loai = v
		}
	}
	if loai == "" {
		switch str(enc, "class.code") {
		case "IMP", "ACUTE", "NONAC":
			loai = "03"
		case "SS":
			loai = "04"
		default:
			loai = "01"
		}
	}
	doiTuong := ""
	for _, t := range list(enc, "type") {
		if v := codeIn(t, "", CodeSystemDoiTuongKCB); v != "" {
			doiTuong = v
		}
	}
	if doiTuong == "" {
		doiTuong = "1.1" // registered primary-care facility, routine (Sen's default [M])
		if str(enc, "class.code") == "EMER" || codeIn(enc, "priority", "http://terminology.hl7.org/CodeSystem/v3-ActPriority") == "EM" {
			doiTuong = "2"
		}
	}
	khoa := ""
	for _, st := range []any{get(enc, "serviceType")} {
		khoa = codeIn(st, "", CodeSystemKhoa)
	}
	start, end := str(enc, "period.start"), str(enc, "period.end")
	inpatient := loai == "03" || loai == "04" || loai == "06" || loai == "09"

	p["MA_DOITUONG_KCB"] = doiTuong
	p["MA_LOAI_KCB"] = loai
	p["NGAY_VAO"] = dt(start)
	if inpatient {
		p["NGAY_VAO_NOI_TRU"] = dt(start)
		p["LY_DO_VNT"] = str(enc, "reasonCode.0.text")
		if p["LY_DO_VNT"] != "" {
			p["MA_LY_DO_VNT"] = "1"
		}
	}

	// XML1
	x1 := Row{}
	for k, v := range p {
		x1[k] = v
	}
	x1["STT"] = "1"
	x1["MA_QUOCTICH"] = "000" // Vietnamese nationality in the national list [M]
	x1["MA_DANTOC"] = ethnicity(pat)
	x1["DIA_CHI"] = address(pat)
	x1["MATINH_CU_TRU"], x1["MAXA_CU_TRU"] = adminUnits(pat)
	x1["DIEN_THOAI"] = phone(pat)
	x1["LY_DO_VV"] = str(enc, "reasonCode.0.text")
	main, others, mainText, allText := s.diagnoses()
	x1["MA_BENH_CHINH"] = main
	x1["MA_BENH_KT"] = strings.Join(others, ";")
	x1["CHAN_DOAN_RV"] = allText
	x1["CHAN_DOAN_VAO"] = str(enc, "reasonCode.0.text")
	if x1["CHAN_DOAN_VAO"] == "" {
		x1["CHAN_DOAN_VAO"] = mainText
	}
	x1["NGAY_RA"] = dt(end)
	x1["SO_NGAY_DTRI"] = treatmentDays(loai, start, end)
	x1["KET_QUA_DTRI"] = ext(enc, ExtKetQuaDieuTri)
	if x1["KET_QUA_DTRI"] == "" {
		x1["KET_QUA_DTRI"] = "1"
	}
	x1["MA_LOAI_RV"] = dischargeType(enc)
	if x1["MA_LOAI_RV"] == "2" {
		x1["MA_NOI_DEN"] = destination(enc)
	}
	x1["NGAY_TTOAN"] = FormatDateTime(s.Now)
	x1["NAM_QT"] = strconv.Itoa(s.Now.In(vnZone).Year())
	x1["THANG_QT"] = strconv.Itoa(int(s.Now.In(vnZone).Month()))
	x1["MA_KHOA"] = khoa
	x1["MA_HSBA"] = str(enc, "identifier.0.value")
	if x1["MA_HSBA"] == "" {
		x1["MA_HSBA"] = str(enc, "id")
	}
	x1["MA_TTDV"] = ext(s.Facility, ExtMaTTDV)
	for _, o := range s.Observations {
		if codeIn(o, "code", loinc) == "29463-7" {
			x1["CAN_NANG"] = str(o, "valueQuantity.value")
		}
	}
	if a := s.followUp(); a != nil {
		x1["NGAY_TAI_KHAM"] = dOnly(str(a, "start"))
	}

	// XML2 and XML3 from ChargeItems, in occurrence order.
	items := append([]obj(nil), s.ChargeItems...)
	sort.SliceStable(items, func(i, j int) bool {
		return str(items[i], "occurrenceDateTime") < str(items[j], "occurrenceDateTime")
	})
	mrs := map[string]obj{}
	for _, m := range s.MedicationRequests {
		mrs[str(m, "id")] = m
	}
	var tThuoc, tVTYT, tBV, tBH, tBNTT, tBNCCT, tBHTT Dec
	for _, it := range items {
		qty, err := ParseDec(str(it, "quantity.value"))
		if err != nil {
			return nil, fmt.Errorf("claim: ChargeItem/%s quantity: %w", str(it, "id"), err)
		}
		unit, err := ParseDec(str(it, "priceOverride.value"))
		if err != nil {
			return nil, fmt.Errorf("claim: ChargeItem/%s priceOverride: %w", str(it, "id"), err)
		}
		rate := DecInt(100)
		if v := ext(it, ExtTyLeTT); v != "" {
			if rate, err = ParseDec(v); err != nil {
				return nil, fmt.Errorf("claim: ChargeItem/%s TYLE_TT_BH: %w", str(it, "id"), err)
			}
		}
		l := price(qty, unit, rate, benefit)
		r := Row{"MA_LK": s.MaLK, "MA_NHOM": ext(it, ExtMaNhom), "PHAM_VI": "1",
			"DON_VI_TINH": str(it, "quantity.unit"), "MA_KHOA": khoa,
			"MA_BAC_SI": s.practitionerCode(str(it, "performer.0.actor.reference")),
			"NGAY_YL":   dt(str(it, "occurrenceDateTime")), "NGAY_TH_YL": dt(str(it, "enteredDate"))}
		if drug := codeIn(it, "code", CodeSystemThuoc); drug != "" {
			l.put(r, "DON_GIA")
			r["MA_THUOC"] = drug
			r["TEN_THUOC"] = str(it, "code.text")
			r["HAM_LUONG"] = ext(it, ExtHamLuong)
			r["SO_DANG_KY"] = ext(it, ExtSoDangKy)
			r["TT_THAU"] = ext(it, ExtTTThau)
			if mr, ok := mrs[refID(str(it, "service.0.reference"))]; ok {
				if r["TEN_THUOC"] == "" {
					r["TEN_THUOC"] = str(mr, "medicationCodeableConcept.text")
				}
				r["LIEU_DUNG"] = str(mr, "dosageInstruction.0.text")
				r["CACH_DUNG"] = str(mr, "dosageInstruction.0.patientInstruction")
				r["DUONG_DUNG"] = str(mr, "dosageInstruction.0.route.coding.0.code")
				r["NGAY_YL"] = dt(str(mr, "authoredOn"))
				r["MA_BAC_SI"] = s.practitionerCode(str(mr, "requester.reference"))
			}
			r["STT"] = strconv.Itoa(len(c.Tables["XML2"]) + 1)
			c.Tables["XML2"] = append(c.Tables["XML2"], r)
			tThuoc = tThuoc.Add(l.totalBV)
		} else {
			l.put(r, "DON_GIA_BV")
			r["DON_GIA_BH"] = r["DON_GIA_BV"]
			r["TYLE_TT_DV"] = "100"
			if sup := codeIn(it, "code", CodeSystemVatTu); sup != "" {
				r["MA_VAT_TU"], r["TEN_VAT_TU"] = sup, str(it, "code.text")
				tVTYT = tVTYT.Add(l.totalBV)
			} else {
				r["MA_DICH_VU"], r["TEN_DICH_VU"] = codeIn(it, "code", CodeSystemDichVu), str(it, "code.text")
			}
			r["MA_GIUONG"] = ext(it, ExtMaGiuong)
			r["MA_BENH"] = strings.Join(append([]string{main}, others...), ";")
			r["STT"] = strconv.Itoa(len(c.Tables["XML3"]) + 1)
			c.Tables["XML3"] = append(c.Tables["XML3"], r)
		}
		tBV, tBH = tBV.Add(l.totalBV), tBH.Add(l.totalBH)
		tBNTT, tBNCCT, tBHTT = tBNTT.Add(l.selfPay), tBNCCT.Add(l.copay), tBHTT.Add(l.paidBH)
	}
	x1["T_THUOC"], x1["T_VTYT"] = tThuoc.String(), tVTYT.String()
	x1["T_TONGCHI_BV"], x1["T_TONGCHI_BH"] = tBV.String(), tBH.String()
	x1["T_BNTT"], x1["T_BNCCT"], x1["T_BHTT"] = tBNTT.String(), tBNCCT.String(), tBHTT.String()
	x1["T_NGUONKHAC"], x1["T_BHTT_GDV"] = "0", tBHTT.String()
	c.Tables["XML1"] = []Row{x1}

	// XML0: check-in at the first cost; emergencies are exempt.
	if doiTuong != "2" {
		x0 := Row{}
		for k, v := range p {
			x0[k] = v
		}
		x0["STT"] = "1"
		if len(items) > 0 {
			first := items[0]
			x0["NGAY_YL"] = dt(str(first, "occurrenceDateTime"))
			if d := codeIn(first, "code", CodeSystemThuoc); d != "" {
				x0["MA_THUOC"], x0["TEN_THUOC"] = d, str(first, "code.text")
			} else {
				x0["MA_DICH_VU"], x0["TEN_DICH_VU"] = codeIn(first, "code", CodeSystemDichVu), str(first, "code.text")
			}
		}
		c.Tables["XML0"] = []Row{x0}
	}

	s.results(c)
	if loai != "01" && loai != "07" {
		s.progress(c)
	}
	s.dischargePaper(c, x1, inpatient)
	s.referral(c, x1)
	s.appointment(c, x1)
	return c, nil
}

func patientName(p obj) string {
	if t := str(p, "name.0.text"); t != "" {
		return t
	}
	parts := []string{str(p, "name.0.family")}
	for _, g := range list(p, "name.0.given") {
		parts = append(parts, fmt.Sprint(g))
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

func sexCode(g string) string {
	switch g {
	case "male":
		return "1"
	case "female":
		return "2"
	}
	return "3"
}

func ethnicity(p obj) string {
	if e := ext(p, vn.ExtEthnicity); e != "" {
		return e
	}
	return "01" // Kinh
}

func address(p obj) string {
	if t := str(p, "address.0.text"); t != "" {
		return t
	}
	var parts []string
	for _, l := range list(p, "address.0.line") {
		parts = append(parts, fmt.Sprint(l))
	}
	for _, k := range []string{"city", "state"} {
		if v := str(p, "address.0."+k); v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ", ")
}

func adminUnits(p obj) (province, commune string) {
	addr := get(p, "address.0")
	for _, e := range list(addr, "extension") {
		if str(e, "url") != vn.ExtAddressAdminUnit {
			continue
		}
		switch str(e, "valueCoding.system") {
		case vn.CodeSystemProvince:
			province = str(e, "valueCoding.code")
		case vn.CodeSystemCommune:
			commune = str(e, "valueCoding.code")
		}
	}
	return province, commune
}

var nonDigit = regexp.MustCompile(`[^0-9]`)

func phone(p obj) string {
	for _, t := range list(p, "telecom") {
		if str(t, "system") == "phone" {
			v := str(t, "value")
			if strings.HasPrefix(v, "+84") {
				v = "0" + v[3:]
			}
			return nonDigit.ReplaceAllString(v, "")
		}
	}
	return ""
}

// diagnoses returns the main ICD-10 code (Encounter.diagnosis rank 1, else
// the first Condition), the others (at most 12), and the diagnosis texts.
func (s *Source) diagnoses() (main string, others []string, mainText, all string) {
	byID := map[string]obj{}
	for _, c := range s.Conditions {
		byID[str(c, "id")] = c
	}
	var ordered []obj
	type ranked struct {
		c    obj
		rank int
	}
	var rs []ranked
	for _, d := range list(s.Encounter, "diagnosis") {
		if c, ok := byID[refID(str(d, "condition.reference"))]; ok {
			rank, err := strconv.Atoi(str(d, "rank"))
			if err != nil {
				rank = 99
			}
			rs = append(rs, ranked{c, rank})
		}
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].rank < rs[j].rank })
	for _, r := range rs {
		ordered = append(ordered, r.c)
	}
	if len(ordered) == 0 {
		ordered = s.Conditions
	}
	var texts []string
	for i, c := range ordered {
		code := codeIn(c, "code", icd10)
		text := str(c, "code.text")
		if text == "" {
			text = str(c, "code.coding.0.display")
		}
		texts = append(texts, strings.TrimSpace(code+" "+text))
		if i == 0 {
			main, mainText = code, text
		} else if code != "" && len(others) < 12 {
			others = append(others, code)
		}
	}
	return main, others, mainText, strings.Join(texts, "; ")
}

// treatmentDays is SO_NGAY_DTRI: 0 for visit types 01, 07 and 09 (no
// treatment days), otherwise calendar days from admission to discharge,
// inclusive ([M]: Circular 39/2024 refines bed-day counting).
func treatmentDays(loai, start, end string) string {
	switch loai {
	case "01", "07", "09":
		return "0"
	}
	a, ok1 := fhirTime(start)
	b, ok2 := fhirTime(end)
	if !ok1 || !ok2 {
		return ""
	}
	da := time.Date(a.In(vnZone).Year(), a.In(vnZone).Month(), a.In(vnZone).Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.In(vnZone).Year(), b.In(vnZone).Month(), b.In(vnZone).Day(), 0, 0, 0, 0, time.UTC)
	return strconv.Itoa(int(db.Sub(da).Hours()/24) + 1)
}

// dischargeType maps Encounter.hospitalization.dischargeDisposition to
// MA_LOAI_RV: 1 discharged, 2 transferred, 3 absconded, 4 left on request.
func dischargeType(enc obj) string {
	switch codeIn(enc, "hospitalization.dischargeDisposition", "http://terminology.hl7.org/CodeSystem/discharge-disposition") {
	case "other-hcf", "rehab", "long":
		return "2"
	case "aadvice":
		return "4"
	case "oth":
		return "3"
	}
	return "1"
}

func destination(enc obj) string {
	return str(enc, "hospitalization.destination.identifier.value")
}

func (s *Source) followUp() obj {
	for _, a := range s.Appointments {
		if st := str(a, "status"); st == "booked" || st == "proposed" || st == "pending" {
			return a
		}
	}
	return nil
}

func (s *Source) composition(loincCode string) obj {
	for _, c := range s.Compositions {
		if codeIn(c, "type", loinc) == loincCode {
			return c
		}
	}
	return nil
}

var tags = regexp.MustCompile(`<[^>]*>`)

// section returns the plain text of a Composition section by title.
func section(c obj, title string) string {
	for _, sct := range list(c, "section") {
		if strings.EqualFold(str(sct, "title"), title) {
			return strings.TrimSpace(tags.ReplaceAllString(str(sct, "text.div"), ""))
		}
	}
	return ""
}

func allSections(c obj) string {
	var parts []string
	for _, sct := range list(c, "section") {
		t := strings.TrimSpace(tags.ReplaceAllString(str(sct, "text.div"), ""))
		if t != "" {
			parts = append(parts, str(sct, "title")+": "+t)
		}
	}
	return strings.Join(parts, ". ")
}

// results fills XML4 from laboratory and imaging Observations.
func (s *Source) results(c *Claim) {
	for _, o := range s.Observations {
		cat := codeIn(o, "category.0", "http://terminology.hl7.org/CodeSystem/observation-category")
		if cat != "laboratory" && cat != "imaging" {
			continue
		}
		r := Row{"MA_LK": s.MaLK, "STT": strconv.Itoa(len(c.Tables["XML4"]) + 1),
			"MA_DICH_VU": ext(o, ExtMaDichVuObs), "MA_CHI_SO": codeIn(o, "code", CodeSystemChiSo),
			"TEN_CHI_SO": str(o, "code.text"), "GIA_TRI": str(o, "valueQuantity.value"), "DON_VI_DO": str(o, "valueQuantity.unit"),
			"KET_LUAN": str(o, "interpretation.0.text"), "NGAY_KQ": dt(str(o, "issued")),
			"MA_BS_DOC_KQ": s.practitionerCode(str(o, "performer.0.reference"))}
		if r["MA_CHI_SO"] == "" {
			r["MA_CHI_SO"] = codeIn(o, "code", loinc)
		}
		if r["GIA_TRI"] == "" {
			r["GIA_TRI"] = str(o, "valueString")
		}
		if r["NGAY_KQ"] == "" {
			r["NGAY_KQ"] = dt(str(o, "effectiveDateTime"))
		}
		c.Tables["XML4"] = append(c.Tables["XML4"], r)
	}
}

// ExtMaDichVuObs (Observation): MA_DICH_VU of the test that produced it.
const ExtMaDichVuObs = base + "StructureDefinition/bhyt-ma-dich-vu"

// progress fills XML5 from progress notes (LOINC 11506-3).
func (s *Source) progress(c *Claim) {
	for _, comp := range s.Compositions {
		if codeIn(comp, "type", loinc) != "11506-3" {
			continue
		}
		var authors []string
		for _, a := range list(comp, "author") {
			authors = append(authors, s.practitionerCode(str(a, "reference")))
		}
		c.Tables["XML5"] = append(c.Tables["XML5"], Row{"MA_LK": s.MaLK, "STT": strconv.Itoa(len(c.Tables["XML5"]) + 1),
			"DIEN_BIEN_LS": allSections(comp), "THOI_DIEM_DBLS": dt(str(comp, "date")),
			"NGUOI_THUC_HIEN": strings.Join(authors, ";")})
	}
}

// dischargePaper fills XML7 from the discharge summary (LOINC 18842-5) of
// an inpatient episode.
func (s *Source) dischargePaper(c *Claim, x1 Row, inpatient bool) {
	comp := s.composition("18842-5")
	if comp == nil || !inpatient {
		return
	}
	author := str(comp, "author.0.reference")
	c.Tables["XML7"] = []Row{{"MA_LK": s.MaLK, "SO_LUU_TRU": x1["MA_HSBA"], "MA_YTE": x1["MA_BN"], "MA_KHOA_RV": x1["MA_KHOA"],
		"NGAY_VAO": x1["NGAY_VAO"], "NGAY_RA": x1["NGAY_RA"], "CHAN_DOAN_RV": x1["CHAN_DOAN_RV"],
		"PP_DIEUTRI": section(comp, "Phương pháp điều trị"), "GHI_CHU": section(comp, "Lời dặn"),
		"MA_TTDV": x1["MA_TTDV"], "MA_BS": s.practitionerCode(author), "TEN_BS": s.practitionerName(author),
		"NGAY_CT": dOnly(str(comp, "date"))}}
}

// referral fills XML13 from the referral note (LOINC 57133-1) of a
// transferred patient.
func (s *Source) referral(c *Claim, x1 Row) {
	comp := s.composition("57133-1")
	if comp == nil {
		return
	}
	author := str(comp, "author.0.reference")
	c.Tables["XML13"] = []Row{{"MA_LK": s.MaLK, "SO_HOSO": x1["MA_HSBA"], "SO_CHUYENTUYEN": str(comp, "identifier.value"),
		"GIAY_CHUYEN_TUYEN": str(comp, "identifier.value"), "MA_CSKCB": x1["MA_CSKCB"], "MA_CSKCB_DI": x1["MA_CSKCB"],
		"MA_CSKCB_DEN": x1["MA_NOI_DEN"], "HO_TEN": x1["HO_TEN"], "NGAY_SINH": x1["NGAY_SINH"], "GIOI_TINH": x1["GIOI_TINH"],
		"MA_QUOCTICH": x1["MA_QUOCTICH"], "MA_DANTOC": x1["MA_DANTOC"], "DIA_CHI": x1["DIA_CHI"], "MA_THE_BHYT": x1["MA_THE_BHYT"],
		"GT_THE_DEN": x1["GT_THE_DEN"], "NGAY_VAO": x1["NGAY_VAO"], "NGAY_VAO_NOI_TRU": x1["NGAY_VAO_NOI_TRU"], "NGAY_RA": x1["NGAY_RA"],
		"DAU_HIEU_LS": section(comp, "Dấu hiệu lâm sàng"), "CHAN_DOAN_RV": x1["CHAN_DOAN_RV"],
		"QT_BENHLY": section(comp, "Quá trình bệnh lý"), "TOMTAT_KQ": section(comp, "Tóm tắt kết quả"),
		"PP_DIEUTRI": section(comp, "Phương pháp điều trị"), "MA_BENH_CHINH": x1["MA_BENH_CHINH"], "MA_BENH_KT": x1["MA_BENH_KT"],
		"TINH_TRANG_CT": section(comp, "Tình trạng người bệnh"), "MA_LOAI_RV": x1["MA_LOAI_RV"], "MA_LYDO_CT": "1",
		"HUONG_DIEU_TRI": section(comp, "Hướng điều trị"), "PHUONGTIEN_VC": section(comp, "Phương tiện vận chuyển"),
		"MA_BAC_SI": s.practitionerCode(author), "MA_TTDV": x1["MA_TTDV"]}}
}

// appointment fills XML14 from a booked follow-up Appointment.
func (s *Source) appointment(c *Claim, x1 Row) {
	a := s.followUp()
	if a == nil {
		return
	}
	c.Tables["XML14"] = []Row{{"MA_LK": s.MaLK, "SO_GIAYHEN_KL": str(a, "id"), "MA_CSKCB": x1["MA_CSKCB"], "HO_TEN": x1["HO_TEN"],
		"NGAY_SINH": x1["NGAY_SINH"], "GIOI_TINH": x1["GIOI_TINH"], "DIA_CHI": x1["DIA_CHI"], "MA_THE_BHYT": x1["MA_THE_BHYT"],
		"GT_THE_DEN": x1["GT_THE_DEN"], "NGAY_VAO": x1["NGAY_VAO"], "NGAY_VAO_NOI_TRU": x1["NGAY_VAO_NOI_TRU"], "NGAY_RA": x1["NGAY_RA"],
		"NGAY_HEN_KL": dOnly(str(a, "start")), "CHAN_DOAN_RV": x1["CHAN_DOAN_RV"], "MA_BENH_CHINH": x1["MA_BENH_CHINH"],
		"MA_BENH_KT": x1["MA_BENH_KT"], "MA_DOITUONG_KCB": x1["MA_DOITUONG_KCB"],
		"MA_BAC_SI": s.practitionerCode(str(a, "participant.0.actor.reference")), "MA_TTDV": x1["MA_TTDV"],
		"NGAY_CT": dOnly(str(a, "created"))}}
}
