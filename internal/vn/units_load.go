package vn

import (
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// dataFS holds copies of /work/shared/vn/*.csv; data/SOURCE.md names their
// origin and licence.
//
//go:embed data/*.csv
var dataFS embed.FS

// readCSV reads a UTF-8 CSV file with the given header and returns its rows
// without the header.
func readCSV(fsys fs.FS, name string, header ...string) ([][]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		return nil, fmt.Errorf("read %s: header is not %s", name, strings.Join(header, ","))
	}
	return rows[1:], nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseUnits(fsys fs.FS) (*Units, error) {
	u := &Units{
		byProvince:  map[string]int{},
		provKeys:    map[string]int{},
		byCommune:   map[string]int{},
		communesOf:  map[string][]int{},
		communeKeys: map[string][]int{},
		byPre:       map[string]int{},
		preKeys:     map[string]int{},
		byEthnicity: map[string]int{},
	}
	if err := u.loadProvinces(fsys); err != nil {
		return nil, err
	}
	if err := u.loadCommunes(fsys); err != nil {
		return nil, err
	}
	if err := u.loadPreReform(fsys); err != nil {
		return nil, err
	}
	if err := u.loadEthnicities(fsys); err != nil {
		return nil, err
	}
	return u, nil
}

func (u *Units) loadProvinces(fsys fs.FS) error {
	rows, err := readCSV(fsys, "data/provinces-2025.csv", "code", "name_vi", "name_en", "type")
	if err != nil {
		return err
	}
	for _, row := range rows {
		p := Province{Code: row[0], Name: row[1], NameEN: row[2], Type: UnitType(row[3])}
		if !isDigits(p.Code, 2) || (p.Type != UnitCity && p.Type != UnitProvince) {
			return fmt.Errorf("provinces-2025.csv: bad row %q", row)
		}
		if _, dup := u.byProvince[p.Code]; dup {
			return fmt.Errorf("provinces-2025.csv: duplicate code %s", p.Code)
		}
		u.byProvince[p.Code] = len(u.provinces)
		u.provinces = append(u.provinces, p)
	}
	merged, err := readCSV(fsys, "data/provinces-2025-merged-from.csv", "code", "name_vi", "merged_from")
	if err != nil {
		return err
	}
	for _, row := range merged {
		i, ok := u.byProvince[row[0]]
		if !ok {
			return fmt.Errorf("provinces-2025-merged-from.csv: unknown code %s", row[0])
		}
		if row[2] == "" {
			continue
		}
		for _, name := range strings.Split(row[2], ";") {
			u.provinces[i].MergedFrom = append(u.provinces[i].MergedFrom, strings.TrimSpace(name))
		}
	}
	for i, p := range u.provinces {
		for _, k := range []string{matchKey(p.Name), matchKey(p.NameEN), matchKey(p.FullName())} {
			u.provKeys[k] = i
		}
	}
	// Common names in speech and old forms that are not in the tables.
	for alias, code := range map[string]string{
		"hcm": "79", "tphcm": "79", "hcmc": "79", "saigon": "79",
		"thuathienhue": "46", "hn": "01",
	} {
		u.provKeys[alias] = u.byProvince[code]
	}
	return nil
}

func (u *Units) loadCommunes(fsys fs.FS) error {
	rows, err := readCSV(fsys, "data/communes-2025.csv", "code", "name_vi", "name_en", "type", "province_code")
	if err != nil {
		return err
	}
	for _, row := range rows {
		c := Commune{Code: row[0], Name: row[1], NameEN: row[2], Type: UnitType(row[3]), ProvinceCode: row[4]}
		switch {
		case !isDigits(c.Code, 5):
			return fmt.Errorf("communes-2025.csv: bad code %q", c.Code)
		case c.Type != UnitWard && c.Type != UnitCommune && c.Type != UnitSpecialZone:
			return fmt.Errorf("communes-2025.csv: %s: bad type %q", c.Code, c.Type)
		}
		if _, ok := u.byProvince[c.ProvinceCode]; !ok {
			return fmt.Errorf("communes-2025.csv: %s: unknown province %q", c.Code, c.ProvinceCode)
		}
		if _, dup := u.byCommune[c.Code]; dup {
			return fmt.Errorf("communes-2025.csv: duplicate code %s", c.Code)
		}
		i := len(u.communes)
		u.byCommune[c.Code] = i
		u.communes = append(u.communes, c)
		u.communesOf[c.ProvinceCode] = append(u.communesOf[c.ProvinceCode], i)
		keys := []string{matchKey(c.Name), matchKey(c.FullName())}
		if en := matchKey(c.NameEN); en != keys[0] {
			keys = append(keys, en)
		}
		for _, k := range keys {
			k = c.ProvinceCode + "|" + k
			u.communeKeys[k] = append(u.communeKeys[k], i)
		}
	}
	return nil
}

func (u *Units) loadPreReform(fsys fs.FS) error {
	rows, err := readCSV(fsys, "data/provinces-pre2025.csv", "code", "cccd_place_code", "name_vi", "name_en", "type")
	if err != nil {
		return err
	}
	successor := map[string]string{} // matchKey(old name) → new code
	for _, p := range u.provinces {
		if len(p.MergedFrom) == 0 {
			successor[matchKey(p.Name)] = p.Code
		}
		for _, name := range p.MergedFrom {
			successor[matchKey(name)] = p.Code
		}
	}
	var missing []string
	for _, row := range rows {
		p := PreReformProvince{Code: row[0], CCCDPlaceCode: row[1], Name: row[2], NameEN: row[3], Type: UnitType(row[4])}
		if !isDigits(p.Code, 2) || p.CCCDPlaceCode != "0"+p.Code {
			return fmt.Errorf("provinces-pre2025.csv: bad codes in %q", row)
		}
		p.Successor = successor[matchKey(p.Name)]
		if p.Successor == "" {
			missing = append(missing, p.Name)
		}
		i := len(u.pre)
		u.byPre[p.Code] = i
		u.byPre[p.CCCDPlaceCode] = i
		u.preKeys[matchKey(p.Name)] = i
		u.preKeys[matchKey(p.NameEN)] = i
		u.pre = append(u.pre, p)
	}
	if len(missing) > 0 {
		return fmt.Errorf("provinces-pre2025.csv: no 2025 successor for %s", strings.Join(missing, ", "))
	}
	return nil
}

func (u *Units) loadEthnicities(fsys fs.FS) error {
	rows, err := readCSV(fsys, "data/ethnicities.csv", "code", "name_vi")
	if err != nil {
		return err
	}
	for _, row := range rows {
		if !isDigits(row[0], 2) || row[1] == "" {
			return fmt.Errorf("ethnicities.csv: bad row %q", row)
		}
		u.byEthnicity[row[0]] = len(u.ethnicities)
		u.ethnicities = append(u.ethnicities, Ethnicity{Code: row[0], Name: row[1]})
	}
	if len(u.ethnicities) == 0 {
		return errors.New("ethnicities.csv: empty")
	}
	return nil
}
