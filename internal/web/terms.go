package web

// Pick lists for the prescribing and problem forms. They hold the medicines
// and ICD-10 codes of Vietnam's chronic-disease programmes (the ones the
// synthetic population uses); the forms accept any other entry as free text.

// drug is a prescribable product.
type drug struct {
	ATC  string
	Name string // Vietnamese product name with strength
	Unit string // dose unit shown and stored ("viên", "ống", "ml")
}

func drugList() []drug {
	return []drug{
		{"C08CA01", "Amlodipin 5 mg", "viên"},
		{"C09AA02", "Enalapril 5 mg", "viên"},
		{"C09CA01", "Losartan 50 mg", "viên"},
		{"C07AB02", "Metoprolol 50 mg", "viên"},
		{"C03AA03", "Hydroclorothiazid 25 mg", "viên"},
		{"A10BA02", "Metformin 500 mg", "viên"},
		{"A10BB09", "Gliclazid 30 mg", "viên"},
		{"C10AA05", "Atorvastatin 20 mg", "viên"},
		{"B01AC06", "Aspirin 81 mg", "viên"},
		{"R03AC02", "Salbutamol 100 mcg/liều", "nhát xịt"},
		{"N06AB04", "Citalopram 20 mg", "viên"},
		{"N02BE01", "Paracetamol 500 mg", "viên"},
	}
}

func drugByName(name string) (drug, bool) {
	for _, d := range drugList() {
		if d.Name == name || d.ATC == name {
			return d, true
		}
	}
	return drug{}, false
}

// icdTerm is an ICD-10 code with its Vietnamese (Bộ Y tế) and English titles.
type icdTerm struct {
	Code, VI, EN string
}

func icdList() []icdTerm {
	return []icdTerm{
		{"I10", "Bệnh lý tăng huyết áp vô căn (nguyên phát)", "Essential (primary) hypertension"},
		{"E11.9", "Bệnh đái tháo đường không phụ thuộc insulin, không có biến chứng", "Type 2 diabetes mellitus without complications"},
		{"J44.9", "Bệnh phổi tắc nghẽn mạn tính, không đặc hiệu", "Chronic obstructive pulmonary disease, unspecified"},
		{"J45.9", "Hen phế quản, không đặc hiệu", "Asthma, unspecified"},
		{"I25.9", "Bệnh tim thiếu máu cục bộ mạn, không đặc hiệu", "Chronic ischaemic heart disease, unspecified"},
		{"I69.3", "Di chứng nhồi máu não", "Sequelae of cerebral infarction"},
		{"N18.3", "Bệnh thận mạn, giai đoạn 3", "Chronic kidney disease, stage 3"},
		{"F32.9", "Giai đoạn trầm cảm, không đặc hiệu", "Depressive episode, unspecified"},
		{"F03", "Sa sút trí tuệ không đặc hiệu", "Unspecified dementia"},
		{"A15.0", "Lao phổi, xác nhận bằng soi đờm có hoặc không có nuôi cấy", "Tuberculosis of lung, confirmed by sputum microscopy"},
		{"E78.5", "Tăng lipid máu, không đặc hiệu", "Hyperlipidaemia, unspecified"},
		{"J06.9", "Nhiễm trùng đường hô hấp trên cấp, không đặc hiệu", "Acute upper respiratory infection, unspecified"},
	}
}

func icdByCode(code string) (icdTerm, bool) {
	for _, t := range icdList() {
		if t.Code == code {
			return t, true
		}
	}
	return icdTerm{}, false
}

// whenOption is a dosing time offered by the prescribing form: a FHIR
// EventTiming code (https://hl7.org/fhir/R4/valueset-event-timing.html)
// with the message id of its label.
type whenOption struct {
	Code, MsgID string
}

func whenOptions() []whenOption {
	return []whenOption{
		{"MORN", "when.MORN"}, {"AFT", "when.AFT"}, {"EVE", "when.EVE"}, {"HS", "when.HS"},
		{"ACM", "when.ACM"}, {"PCM", "when.PCM"}, {"ACD", "when.ACD"}, {"PCD", "when.PCD"},
		{"ACV", "when.ACV"}, {"PCV", "when.PCV"}, {"AC", "when.AC"}, {"PC", "when.PC"},
	}
}

func validWhen(code string) bool {
	for _, w := range whenOptions() {
		if w.Code == code {
			return true
		}
	}
	return false
}
