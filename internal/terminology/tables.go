package terminology

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"strings"
)

// The tables; their sources and licences are in docs/terminology.md and in
// the comment lines that open each file.
//
//go:embed data/*.tsv
var tables embed.FS

// row is one data line of a table, split on tabs, with its line number for
// error messages.
type row struct {
	line   int
	fields []string
}

// readTable returns the data rows of a TSV table: lines starting with '#'
// are comments, the first other line is the header, which must equal
// header.
func readTable(name string, header ...string) ([]row, error) {
	b, err := tables.ReadFile("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("read table %s: %w", name, err)
	}
	var rows []row
	sc := bufio.NewScanner(bytes.NewReader(b))
	n, seenHeader := 0, false
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if !seenHeader {
			if strings.Join(f, "\t") != strings.Join(header, "\t") {
				return nil, fmt.Errorf("table %s line %d: header %q, want %q", name, n, f, header)
			}
			seenHeader = true
			continue
		}
		if len(f) != len(header) {
			return nil, fmt.Errorf("table %s line %d: %d fields, want %d", name, n, len(f), len(header))
		}
		rows = append(rows, row{line: n, fields: f})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read table %s: %w", name, err)
	}
	return rows, nil
}

func bilingual(vi, en string) []Designation {
	return []Designation{{Language: "vi", Value: vi}, {Language: "en", Value: en}}
}

// loadICD10 builds the ICD-10 code system from data/icd10.tsv: chapters
// (Roman numerals) and blocks ("I10-I15") are abstract groupers; titles are
// Vietnamese first.
func loadICD10() (*CodeSystem, error) {
	rows, err := readTable("icd10.tsv", "code", "parent", "vi", "en", "check")
	if err != nil {
		return nil, err
	}
	cs := newCodeSystem()
	cs.URL, cs.ID, cs.Name = SystemICD10, "icd-10-vn", "ICD10VN"
	cs.Title = "ICD-10 – Bảng phân loại quốc tế bệnh tật, bản tiếng Việt của Bộ Y tế (tập con của Sen)"
	cs.Version = "vn-moh-2026"
	cs.Publisher = "Sen (titles after Bộ Y tế, QĐ 4469/QĐ-BYT and TT 06/2026/TT-BYT; classification © WHO)"
	cs.Description = "A subset of ICD-10 with the Vietnamese Ministry of Health titles and WHO English titles, with the chapter/block hierarchy."
	cs.Copyright = "ICD-10 © World Health Organization. Vietnamese titles: Ministry of Health of Viet Nam. Titles marked unverified await checking against icd.kcb.vn."
	cs.Language, cs.Hierarchical, cs.AllCodes = "vi", true, CanonicalBase+"/ValueSet/icd-10-vn"
	cs.normalize = normalizeICD10
	for _, r := range rows {
		code, parent, vi, en, check := r.fields[0], r.fields[1], r.fields[2], r.fields[3], r.fields[4]
		if code == "" || vi == "" || en == "" {
			return nil, fmt.Errorf("icd10.tsv line %d: empty code or title", r.line)
		}
		if cs.concepts[code] != nil {
			return nil, fmt.Errorf("icd10.tsv line %d: duplicate code %s", r.line, code)
		}
		var p *Concept
		if parent != "" {
			if p = cs.concepts[parent]; p == nil {
				return nil, fmt.Errorf("icd10.tsv line %d: parent %s of %s is not listed before it", r.line, parent, code)
			}
		}
		kind := "category"
		switch {
		case parent == "":
			kind = "chapter"
		case strings.Contains(code, "-"):
			kind = "block"
		}
		c := &Concept{Code: code, Display: vi, Designations: bilingual(vi, en), Abstract: kind != "category",
			Unverified: check == "?", Properties: []Property{{Code: "kind", Value: kind}}}
		cs.add(c, p)
	}
	cs.PropertyDefs = []PropertyDef{{Code: "kind", Type: "code", Description: "chapter, block or category"}}
	return cs, nil
}

// atcParentLen gives the length of the parent code for each ATC level's
// code length (levels 1–5: 1, 3, 4, 5, 7 characters).
func atcParentLen(n int) (int, bool) {
	switch n {
	case 1:
		return 0, true
	case 3:
		return 1, true
	case 4:
		return 3, true
	case 5:
		return 4, true
	case 7:
		return 5, true
	}
	return 0, false
}

// loadATC builds the ATC code system from data/atc.tsv; the parent of each
// code is implied by the level lengths.
func loadATC() (*CodeSystem, error) {
	rows, err := readTable("atc.tsv", "code", "vi", "en", "check")
	if err != nil {
		return nil, err
	}
	cs := newCodeSystem()
	cs.URL, cs.ID, cs.Name = SystemATC, "atc-vn", "ATCVN"
	cs.Title = "Anatomical Therapeutic Chemical (ATC) classification, with Vietnamese generic names (Sen subset)"
	cs.Version = "2025"
	cs.Publisher = "Sen (classification: WHO Collaborating Centre for Drug Statistics Methodology)"
	cs.Description = "The medicines of Sen's synthetic population and common essential medicines with their ATC groups; Vietnamese substance names after Dược thư quốc gia Việt Nam."
	cs.Copyright = "ATC © WHO Collaborating Centre for Drug Statistics Methodology, Oslo. Use of the ATC index is free for non-commercial use; see https://atcddd.fhi.no/copyright_disclaimer/."
	cs.Language, cs.Hierarchical, cs.AllCodes = "vi", true, CanonicalBase+"/ValueSet/atc-vn"
	cs.normalize = func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
	for _, r := range rows {
		code, vi, en, check := r.fields[0], r.fields[1], r.fields[2], r.fields[3]
		pl, ok := atcParentLen(len(code))
		if !ok || vi == "" || en == "" {
			return nil, fmt.Errorf("atc.tsv line %d: bad code %q or empty name", r.line, code)
		}
		if cs.concepts[code] != nil {
			return nil, fmt.Errorf("atc.tsv line %d: duplicate code %s", r.line, code)
		}
		var p *Concept
		if pl > 0 {
			if p = cs.concepts[code[:pl]]; p == nil {
				return nil, fmt.Errorf("atc.tsv line %d: group %s of %s is not listed before it", r.line, code[:pl], code)
			}
		}
		level := map[int]string{1: "1", 3: "2", 4: "3", 5: "4", 7: "5"}[len(code)]
		cs.add(&Concept{Code: code, Display: vi, Designations: bilingual(vi, en), Unverified: check == "?",
			Properties: []Property{{Code: "level", Value: level}}}, p)
	}
	cs.PropertyDefs = []PropertyDef{{Code: "level", Type: "code", Description: "ATC level, 1 (anatomical main group) to 5 (chemical substance)"}}
	return cs, nil
}

// loadLOINC builds the flat LOINC subset from data/loinc.tsv. LOINC's own
// language is English, so Display is the Long Common Name and the
// Vietnamese name is a designation.
func loadLOINC() (*CodeSystem, error) {
	rows, err := readTable("loinc.tsv", "code", "category", "vi", "en", "check")
	if err != nil {
		return nil, err
	}
	cs := newCodeSystem()
	cs.URL, cs.ID, cs.Name = SystemLOINC, "loinc-vn", "LOINCVN"
	cs.Title = "LOINC – vital signs and common laboratory tests, with Vietnamese names (Sen subset)"
	cs.Version = "2.80"
	cs.Publisher = "Sen (codes and English names: Regenstrief Institute)"
	cs.Description = "Vital signs, common laboratory tests and screening scores of Vietnamese primary care. The Vietnamese names are Sen's, not a LOINC linguistic variant."
	cs.Copyright = "This material contains content from LOINC (http://loinc.org). LOINC is copyright © Regenstrief Institute, Inc. and the Logical Observation Identifiers Names and Codes (LOINC) Committee and is available at no cost under the license at http://loinc.org/license. LOINC® is a registered United States trademark of Regenstrief Institute, Inc."
	cs.Language, cs.AllCodes = "en", CanonicalBase+"/ValueSet/loinc-vn"
	for _, r := range rows {
		code, cat, vi, en, check := r.fields[0], r.fields[1], r.fields[2], r.fields[3], r.fields[4]
		if !validLOINC(code) || cat == "" || vi == "" || en == "" {
			return nil, fmt.Errorf("loinc.tsv line %d: bad code %q or empty field", r.line, code)
		}
		if cs.concepts[code] != nil {
			return nil, fmt.Errorf("loinc.tsv line %d: duplicate code %s", r.line, code)
		}
		cs.add(&Concept{Code: code, Display: en, Designations: bilingual(vi, en), Unverified: check == "?",
			Properties: []Property{{Code: "category", Value: cat}}}, nil)
	}
	cs.PropertyDefs = []PropertyDef{{Code: "category", Type: "code", Description: "FHIR observation category (http://terminology.hl7.org/CodeSystem/observation-category)"}}
	return cs, nil
}

// validLOINC checks the form and the mod-10 check digit of a LOINC code
// (https://loinc.org/kb/faq/structure/), which catches most typing errors
// in the table.
func validLOINC(code string) bool {
	body, check, ok := strings.Cut(code, "-")
	if !ok || len(check) != 1 || body == "" || len(body) > 7 {
		return false
	}
	for i := 0; i < len(body); i++ {
		if body[i] < '0' || body[i] > '9' {
			return false
		}
	}
	if check[0] < '0' || check[0] > '9' {
		return false
	}
	// Mod 10: from the right, double every other digit starting with the
	// rightmost; sum the digits of the results; check = (10 - sum%10)%10.
	sum := 0
	for i, j := len(body)-1, 0; i >= 0; i, j = i-1, j+1 {
		d := int(body[i] - '0')
		if j%2 == 0 {
			d *= 2
			if d > 9 {
				d = d/10 + d%10
			}
		}
		sum += d
	}
	return (10-sum%10)%10 == int(check[0]-'0')
}
