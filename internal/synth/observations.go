package synth

// obsSpec says how an observation kind is coded: LOINC code with its
// LOINC long common name, Vietnamese text, UCUM unit and category.
type obsSpec struct {
	loinc, display, text string
	unit, ucum           string
	category             string // vital-signs, laboratory, survey
}

var obsSpecs = [...]obsSpec{
	obsBP:          {"85354-9", "Blood pressure panel with all children optional", "Huyết áp", "mmHg", "mm[Hg]", "vital-signs"},
	obsHR:          {"8867-4", "Heart rate", "Mạch", "lần/phút", "/min", "vital-signs"},
	obsWeight:      {"29463-7", "Body weight", "Cân nặng", "kg", "kg", "vital-signs"},
	obsHeight:      {"8302-2", "Body height", "Chiều cao", "cm", "cm", "vital-signs"},
	obsBMI:         {"39156-5", "Body mass index (BMI) [Ratio]", "Chỉ số khối cơ thể (BMI)", "kg/m2", "kg/m2", "vital-signs"},
	obsHbA1c:       {"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "HbA1c", "%", "%", "laboratory"},
	obsFPG:         {"14771-0", "Fasting glucose [Moles/volume] in Serum or Plasma", "Glucose máu lúc đói", "mmol/L", "mmol/L", "laboratory"},
	obsCreatinine:  {"14682-9", "Creatinine [Moles/volume] in Serum or Plasma", "Creatinin máu", "µmol/L", "umol/L", "laboratory"},
	obsEGFR:        {"62238-1", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)", "Mức lọc cầu thận ước tính (eGFR, CKD-EPI)", "mL/phút/1,73m²", "mL/min/{1.73_m2}", "laboratory"},
	obsCholesterol: {"14647-2", "Cholesterol [Moles/volume] in Serum or Plasma", "Cholesterol toàn phần", "mmol/L", "mmol/L", "laboratory"},
	obsLDL:         {"22748-8", "Cholesterol in LDL [Moles/volume] in Serum or Plasma", "LDL-cholesterol", "mmol/L", "mmol/L", "laboratory"},
	obsPHQ9:        {"44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]", "Điểm PHQ-9 (sàng lọc trầm cảm)", "điểm", "{score}", "survey"},
	obsMMSE:        {"72107-6", "Mini-Mental State Examination [MMSE]", "Điểm MMSE (đánh giá nhận thức)", "điểm", "{score}", "survey"},
}

var categoryDisplay = map[string]string{
	"vital-signs": "Vital Signs", "laboratory": "Laboratory", "survey": "Survey",
}
