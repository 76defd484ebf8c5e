package vn

import (
	"fmt"
	"slices"
	"sync"
)

// UnitType says what kind of administrative unit a Province or Commune is.
type UnitType string

// Unit types as spelled in the data files.
const (
	UnitCity        UnitType = "city"         // thành phố trực thuộc trung ương
	UnitProvince    UnitType = "province"     // tỉnh
	UnitWard        UnitType = "ward"         // phường
	UnitCommune     UnitType = "commune"      // xã
	UnitSpecialZone UnitType = "special_zone" // đặc khu
)

// Prefix returns the Vietnamese word written before a unit's name: "Thành
// phố", "Tỉnh", "Phường", "Xã" or "Đặc khu".
func (t UnitType) Prefix() string {
	switch t {
	case UnitCity:
		return "Thành phố"
	case UnitProvince:
		return "Tỉnh"
	case UnitWard:
		return "Phường"
	case UnitCommune:
		return "Xã"
	case UnitSpecialZone:
		return "Đặc khu"
	}
	return ""
}

// Province is a provincial-level unit in force since 1 July 2025 (QĐ
// 19/2025/QĐ-TTg, with Đồng Nai a city since 30 April 2026).
type Province struct {
	Code       string   // 2 digits, e.g. "79"
	Name       string   // Vietnamese name as in the legal text, e.g. "Hồ Chí Minh"
	NameEN     string   // English name, e.g. "Ho Chi Minh"
	Type       UnitType // UnitCity or UnitProvince
	MergedFrom []string // names of the pre-2025 provinces it absorbed; nil if not merged
}

// FullName returns the name with its type, e.g. "Thành phố Hồ Chí Minh".
func (p Province) FullName() string { return p.Type.Prefix() + " " + p.Name }

// Commune is a commune-level unit (commune, ward or special zone) in force
// since 1 July 2025. There are no districts.
type Commune struct {
	Code         string   // 5 digits, e.g. "00004"
	Name         string   // Vietnamese name as the GSO writes it, e.g. "Ba Đình"
	NameEN       string   // English name, e.g. "Ba Dinh"
	Type         UnitType // UnitWard, UnitCommune or UnitSpecialZone
	ProvinceCode string   // 2-digit code of its Province
}

// FullName returns the name with its type, e.g. "Phường Ba Đình".
func (c Commune) FullName() string { return c.Type.Prefix() + " " + c.Name }

// PreReformProvince is one of the 63 provinces before 1 July 2025. Their
// codes still appear in CCCD numbers (digits 1–3), old BHYT cards
// (characters 4–5) and claims made before the reform.
type PreReformProvince struct {
	Code          string   // 2 digits, e.g. "74"
	CCCDPlaceCode string   // "0" + Code, e.g. "074"
	Name          string   // e.g. "Bình Dương"
	NameEN        string   // e.g. "Binh Duong"
	Type          UnitType // UnitCity or UnitProvince
	Successor     string   // code of the 2025 Province that absorbed it, e.g. "79"
}

// Ethnicity is one of the 54 ethnic groups with its GSO code.
type Ethnicity struct {
	Code string // "01" … "54"
	Name string // e.g. "Kinh"
}

// Units holds the embedded administrative-unit and ethnicity tables. It is
// immutable and safe for concurrent use; slices it returns are copies.
type Units struct {
	provinces   []Province
	byProvince  map[string]int // code → index in provinces
	provKeys    map[string]int // matchKey(name) → index in provinces
	communes    []Commune
	byCommune   map[string]int      // code → index in communes
	communesOf  map[string][]int    // province code → indexes in communes
	communeKeys map[string][]int    // province code + "|" + matchKey(name) → indexes
	pre         []PreReformProvince // sorted by code
	byPre       map[string]int      // code and CCCD place code → index in pre
	preKeys     map[string]int      // matchKey(name) → index in pre
	ethnicities []Ethnicity
	byEthnicity map[string]int
}

// loadOnce parses the embedded tables the first time they are needed; the
// result is never modified afterwards, so sharing it is safe.
var loadOnce = sync.OnceValues(func() (*Units, error) { return parseUnits(dataFS) })

// LoadUnits returns the embedded tables. The data are parsed once per
// process and shared; an error means the embedded data are corrupt.
func LoadUnits() (*Units, error) {
	u, err := loadOnce()
	if err != nil {
		return nil, fmt.Errorf("load embedded administrative units: %w", err)
	}
	return u, nil
}

// Province returns the province with the given 2-digit code.
func (u *Units) Province(code string) (Province, bool) {
	i, ok := u.byProvince[code]
	if !ok {
		return Province{}, false
	}
	return u.provinces[i], true
}

// Provinces returns the 34 provinces in code order.
func (u *Units) Provinces() []Province { return slices.Clone(u.provinces) }

// Commune returns the commune, ward or special zone with the given 5-digit
// code.
func (u *Units) Commune(code string) (Commune, bool) {
	i, ok := u.byCommune[code]
	if !ok {
		return Commune{}, false
	}
	return u.communes[i], true
}

// NumCommunes returns how many commune-level units there are (3,321).
func (u *Units) NumCommunes() int { return len(u.communes) }

// Communes returns all commune-level units in code order.
func (u *Units) Communes() []Commune { return slices.Clone(u.communes) }

// CommunesOf returns the communes of the province with the given code, in
// code order; nil when the province does not exist.
func (u *Units) CommunesOf(provinceCode string) []Commune {
	idx := u.communesOf[provinceCode]
	if idx == nil {
		return nil
	}
	out := make([]Commune, len(idx))
	for i, j := range idx {
		out[i] = u.communes[j]
	}
	return out
}

// PreReformProvince returns the pre-2025 province with the given 2-digit
// code or 3-digit CCCD place code.
func (u *Units) PreReformProvince(code string) (PreReformProvince, bool) {
	i, ok := u.byPre[code]
	if !ok {
		return PreReformProvince{}, false
	}
	return u.pre[i], true
}

// PreReformProvinceByCCCDCode returns the pre-2025 province whose place code
// ("001" … "096") opens a CCCD number.
func (u *Units) PreReformProvinceByCCCDCode(placeCode string) (PreReformProvince, bool) {
	if len(placeCode) != 3 {
		return PreReformProvince{}, false
	}
	return u.PreReformProvince(placeCode)
}

// PreReformProvinces returns the 63 pre-2025 provinces in code order.
func (u *Units) PreReformProvinces() []PreReformProvince { return slices.Clone(u.pre) }

// Ethnicities returns the 54 ethnic groups in code order.
func (u *Units) Ethnicities() []Ethnicity { return slices.Clone(u.ethnicities) }

// Ethnicity returns the ethnic group with the given 2-digit GSO code.
func (u *Units) Ethnicity(code string) (Ethnicity, bool) {
	i, ok := u.byEthnicity[code]
	if !ok {
		return Ethnicity{}, false
	}
	return u.ethnicities[i], true
}
