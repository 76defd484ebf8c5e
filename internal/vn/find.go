package vn

import (
	"strings"
)

// Codes for failed look-ups of administrative units.
const (
	CodeProvinceUnknown   Code = "province.unknown"
	CodeProvincePreReform Code = "province.pre-reform"
	CodeCommuneUnknown    Code = "commune.unknown"
	CodeCommuneAmbiguous  Code = "commune.ambiguous"
)

// matchKey is the key names are matched on: folded, with everything but
// letters and digits removed, so that "Bà Rịa - Vũng Tàu", "ba ria vung tau"
// and "Haiphong"/"Hải Phòng" meet.
func matchKey(s string) string {
	f := Fold(s)
	b := make([]byte, 0, len(f))
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c >= 0x80 || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') {
			b = append(b, c)
		}
	}
	return string(b)
}

// unitPrefixes are the type words people write before unit names, folded,
// longest first, with the unit type they imply ("" = any).
var unitPrefixes = []struct {
	words []string
	typ   UnitType
}{
	{[]string{"thanh", "pho"}, UnitCity},
	{[]string{"dac", "khu"}, UnitSpecialZone},
	{[]string{"tp"}, UnitCity},
	{[]string{"tinh"}, UnitProvince},
	{[]string{"phuong"}, UnitWard},
	{[]string{"p"}, UnitWard},
	{[]string{"xa"}, UnitCommune},
	{[]string{"x"}, UnitCommune},
	{[]string{"dk"}, UnitSpecialZone},
}

// stripPrefix removes a leading unit-type word ("TP.", "Tỉnh", "Phường",
// "Xã", "Đặc khu" …) from s and returns the rest and the type it implies.
// It returns ok=false when s has no such prefix.
func stripPrefix(s string) (rest string, typ UnitType, ok bool) {
	words := strings.FieldsFunc(Fold(s), func(r rune) bool {
		return !(r >= 0x80 || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9'))
	})
	for _, p := range unitPrefixes {
		if len(words) > len(p.words) && equalWords(words[:len(p.words)], p.words) {
			return strings.Join(words[len(p.words):], " "), p.typ, true
		}
	}
	return "", "", false
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FindProvince returns the province called name, ignoring case, diacritics,
// tone-mark placement, punctuation and a leading "Thành phố", "TP." or
// "Tỉnh"; "TP. Hồ Chí Minh", "Ho Chi Minh", "HCM" and "Tỉnh Thanh Hoá" all
// match, and so does a 2-digit code. A pre-2025 province that was merged
// fails with CodeProvincePreReform naming its successor; anything else
// unknown fails with CodeProvinceUnknown.
func (u *Units) FindProvince(name string) (Province, error) {
	name = strings.TrimSpace(name)
	orig := name
	if p, ok := u.byProvince[name]; ok {
		return u.provinces[p], nil
	}
	if i, ok := u.provKeys[matchKey(name)]; ok {
		return u.provinces[i], nil
	}
	if rest, _, ok := stripPrefix(name); ok {
		if i, ok := u.provKeys[matchKey(rest)]; ok {
			return u.provinces[i], nil
		}
		name = rest
	}
	if old, ok := u.FindPreReformProvince(name); ok {
		p := u.provinces[u.byProvince[old.Successor]]
		return Province{}, newError(CodeProvincePreReform, orig,
			"Tỉnh %s đã được sáp nhập vào %s (mã %s) từ 01/07/2025",
			"province %s was merged into %s (code %s) on 1 July 2025",
			old.Name, p.FullName(), p.Code)
	}
	return Province{}, newError(CodeProvinceUnknown, orig,
		"Không tìm thấy tỉnh/thành phố %q", "no province or city called %q", orig)
}

// FindPreReformProvince returns the pre-2025 province called name (matched
// like FindProvince) or with that 2-digit code or 3-digit CCCD place code.
func (u *Units) FindPreReformProvince(name string) (PreReformProvince, bool) {
	name = strings.TrimSpace(name)
	if p, ok := u.PreReformProvince(name); ok {
		return p, true
	}
	if i, ok := u.preKeys[matchKey(name)]; ok {
		return u.pre[i], true
	}
	if rest, _, ok := stripPrefix(name); ok {
		if i, ok := u.preKeys[matchKey(rest)]; ok {
			return u.pre[i], true
		}
	}
	return PreReformProvince{}, false
}

// FindCommune returns the commune, ward or special zone called name in the
// province with the given code, matched like FindProvince; a leading
// "Phường"/"P.", "Xã"/"X." or "Đặc khu" restricts the match to that type,
// and a 5-digit code of a unit in the province also matches. When folding
// makes two units alike (Đồng Tiến and Đông Tiến) the accent-exact spelling
// decides; if it cannot, the error has CodeCommuneAmbiguous and lists them.
func (u *Units) FindCommune(provinceCode, name string) (Commune, error) {
	name = strings.TrimSpace(name)
	if _, ok := u.byProvince[provinceCode]; !ok {
		return Commune{}, newError(CodeProvinceUnknown, provinceCode,
			"Không có tỉnh/thành phố mã %q", "no province with code %q", provinceCode)
	}
	if i, ok := u.byCommune[name]; ok && u.communes[i].ProvinceCode == provinceCode {
		return u.communes[i], nil
	}
	cands := u.communeKeys[provinceCode+"|"+matchKey(name)]
	if len(cands) == 0 {
		if rest, typ, ok := stripPrefix(name); ok {
			for _, i := range u.communeKeys[provinceCode+"|"+matchKey(rest)] {
				if u.communes[i].Type == typ {
					cands = append(cands, i)
				}
			}
		}
	}
	switch len(cands) {
	case 0:
		return Commune{}, newError(CodeCommuneUnknown, name,
			"Không tìm thấy xã/phường %q thuộc tỉnh/thành phố mã %s",
			"no commune or ward called %q in province %s", name, provinceCode)
	case 1:
		return u.communes[cands[0]], nil
	}
	exact := exactKey(name)
	var hit []int
	for _, i := range cands {
		c := u.communes[i]
		if exactKey(c.Name) == exact || exactKey(c.FullName()) == exact {
			hit = append(hit, i)
		}
	}
	if len(hit) == 1 {
		return u.communes[hit[0]], nil
	}
	names := make([]string, len(cands))
	for k, i := range cands {
		names[k] = u.communes[i].FullName() + " (" + u.communes[i].Code + ")"
	}
	list := strings.Join(names, ", ")
	return Commune{}, newError(CodeCommuneAmbiguous, name,
		"Tên %q trùng với nhiều đơn vị: %s", "%q matches several units: %s", name, list)
}

// exactKey is an accent-sensitive comparison key: lower case, canonical
// tone placement, single spaces.
func exactKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(NormalizeTone(s)), " "))
}

// FindEthnicity returns the ethnic group called name (diacritic- and
// punctuation-insensitive, so "Khơ me" finds "Khơ-me") or with that code.
func (u *Units) FindEthnicity(name string) (Ethnicity, bool) {
	name = strings.TrimSpace(name)
	if e, ok := u.Ethnicity(name); ok {
		return e, true
	}
	k := matchKey(name)
	for _, e := range u.ethnicities {
		if matchKey(e.Name) == k {
			return e, true
		}
	}
	return Ethnicity{}, false
}
