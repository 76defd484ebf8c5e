package bhyt

// CheckInFromSummary makes the XML0 check-in row of a claim from its XML1
// summary row: the patient, card, entry and encounter-type fields the two
// tables share. ok is false for an emergency (MA_DOITUONG_KCB 2), which is
// exempt from check-in (REGULATIONS.md §2). The fields of the first cost
// (NGAY_YL, MA_DICH_VU / MA_THUOC) are optional and left empty: the
// summary does not say which cost came first.
func CheckInFromSummary(x1 Row) (Row, bool) {
	if x1["MA_DOITUONG_KCB"] == "2" {
		return nil, false
	}
	t, _ := TableByName("XML0")
	x0 := Row{}
	for _, f := range t.Fields {
		if v, ok := x1[f.Name]; ok && v != "" {
			x0[f.Name] = v
		}
	}
	x0["STT"] = "1"
	return x0, true
}
