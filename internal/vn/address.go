package vn

import (
	"fmt"
	"strings"
)

// Codes for problems found in a FHIR Address.
const (
	CodeAddressType              Code = "address.type"                // an element has the wrong JSON type
	CodeAddressCountry           Code = "address.country"             // country is present but unreadable
	CodeAddressProvinceMissing   Code = "address.province-missing"    // no state and no province code
	CodeAddressProvinceUnknown   Code = "address.province-unknown"    // state names no current province
	CodeAddressProvincePreReform Code = "address.province-pre-reform" // state names a province merged in 2025
	CodeAddressCommuneMissing    Code = "address.commune-missing"     // no city and no commune code
	CodeAddressCommuneUnknown    Code = "address.commune-unknown"     // city names no unit anywhere
	CodeAddressCommuneAmbiguous  Code = "address.commune-ambiguous"   // city matches several units of the province
	CodeAddressCommuneProvince   Code = "address.commune-not-in-province"
	CodeAddressCodeUnknown       Code = "address.code-unknown"     // an admin-unit code that does not exist
	CodeAddressCodeMismatch      Code = "address.code-mismatch"    // code and name name different units
	CodeAddressDistrict          Code = "address.district-present" // warning: districts were abolished
)

// Severity of a Problem, named like OperationOutcome.issue.severity.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one finding of ValidateAddress.
type Problem struct {
	Severity Severity
	Code     Code
	Path     string // element of the Address, e.g. "state" or "extension[1]"
	VI, EN   string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s %s %s: %s", p.Severity, p.Code, p.Path, p.EN)
}

// NewAddress returns a FHIR Address (JSON map) for a place in Vietnam
// following Sen's convention (docs/addresses.md): line = house, street,
// village; city = commune/ward name; state = province name; no district;
// country "VN"; text in Vietnamese order with the unit types written out;
// and the two codes in ExtAddressAdminUnit extensions. An unknown province
// or a commune outside it gives an *Error.
func NewAddress(units *Units, provinceCode, communeCode, line string) (map[string]any, error) {
	p, ok := units.Province(provinceCode)
	if !ok {
		return nil, newError(CodeAddressProvinceUnknown, provinceCode,
			"Không có tỉnh/thành phố mã %q", "no province with code %q", provinceCode)
	}
	c, ok := units.Commune(communeCode)
	if !ok {
		return nil, newError(CodeAddressCodeUnknown, communeCode,
			"Không có xã/phường mã %q", "no commune with code %q", communeCode)
	}
	if c.ProvinceCode != p.Code {
		return nil, newError(CodeAddressCommuneProvince, communeCode,
			"%s (mã %s) không thuộc %s", "%s (code %s) is not in %s", c.FullName(), c.Code, p.FullName())
	}
	line = strings.Join(strings.Fields(line), " ")
	text := c.FullName() + ", " + p.FullName()
	a := map[string]any{
		"use":     "home",
		"type":    "physical",
		"city":    c.Name,
		"state":   p.Name,
		"country": "VN",
		"extension": []any{
			adminUnitExt(CodeSystemProvince, p.Code, p.Name),
			adminUnitExt(CodeSystemCommune, c.Code, c.Name),
		},
	}
	if line != "" {
		a["line"] = []any{line}
		text = line + ", " + text
	}
	a["text"] = text
	return a, nil
}

func adminUnitExt(system, code, display string) map[string]any {
	return map[string]any{
		"url": ExtAddressAdminUnit,
		"valueCoding": map[string]any{
			"system": system, "code": code, "display": display,
		},
	}
}

// ValidateAddress checks a FHIR Address against the embedded units (see
// Units.ValidateAddress). It reports a single CodeAddressType problem if the
// embedded data cannot be loaded, which only happens with a corrupt build.
func ValidateAddress(addr map[string]any) []Problem {
	u, err := LoadUnits()
	if err != nil {
		return []Problem{{Severity: SeverityError, Code: CodeAddressType, VI: err.Error(), EN: err.Error()}}
	}
	return u.ValidateAddress(addr)
}

// ValidateAddress checks a FHIR Address (decoded JSON) for a place in
// Vietnam: the province exists in the 2025 list, the commune exists and
// belongs to it, and any ExtAddressAdminUnit codes agree with the names.
// state and city may hold names (matched as FindProvince/FindCommune do)
// or codes; an address with only the extension codes is accepted too.
// Addresses whose country is not Vietnam are not checked. A district is a
// warning, since districts were abolished on 1 July 2025. It returns nil
// when there is nothing to report.
func (u *Units) ValidateAddress(addr map[string]any) []Problem {
	v := addrCheck{u: u}
	country, ok := v.str(addr, "country")
	if ok && country != "" && !isVietnam(country) {
		return nil
	}
	if d, ok := v.str(addr, "district"); ok && d != "" {
		v.add(SeverityWarning, CodeAddressDistrict, "district",
			"Từ 01/07/2025 không còn cấp huyện; bỏ trống trường district",
			"districts were abolished on 1 July 2025; leave district empty")
	}
	if l, ok := addr["line"]; ok {
		if _, isList := l.([]any); !isList {
			if _, isStrings := l.([]string); !isStrings {
				v.add(SeverityError, CodeAddressType, "line", "line phải là danh sách chuỗi", "line must be a list of strings")
			}
		}
	}
	provCode, commCode := v.extensionCodes(addr)
	state, _ := v.str(addr, "state")
	city, _ := v.str(addr, "city")

	var prov Province
	switch {
	case state != "":
		p, err := u.FindProvince(state)
		if err != nil {
			code := CodeAddressProvinceUnknown
			if CodeOf(err) == CodeProvincePreReform {
				code = CodeAddressProvincePreReform
			}
			e := err.(*Error)
			v.add(SeverityError, code, "state", e.VI, e.EN)
			return v.out
		}
		prov = p
		if provCode.code != "" && provCode.code != p.Code {
			v.add(SeverityError, CodeAddressCodeMismatch, provCode.path,
				fmt.Sprintf("Mã tỉnh %s không khớp với %q (mã %s)", provCode.code, state, p.Code),
				fmt.Sprintf("province code %s does not match state %q (code %s)", provCode.code, state, p.Code))
		}
	case provCode.code != "":
		p, ok := u.Province(provCode.code)
		if !ok {
			v.add(SeverityError, CodeAddressCodeUnknown, provCode.path,
				fmt.Sprintf("Không có tỉnh/thành phố mã %q", provCode.code),
				fmt.Sprintf("no province with code %q", provCode.code))
			return v.out
		}
		prov = p
	default:
		v.add(SeverityError, CodeAddressProvinceMissing, "state",
			"Thiếu tỉnh/thành phố (state)", "the province (state) is missing")
		return v.out
	}

	switch {
	case city != "":
		c, err := u.FindCommune(prov.Code, city)
		if err != nil {
			v.communeError(prov, city, err)
			return v.out
		}
		if commCode.code != "" && commCode.code != c.Code {
			v.add(SeverityError, CodeAddressCodeMismatch, commCode.path,
				fmt.Sprintf("Mã xã %s không khớp với %q (mã %s)", commCode.code, city, c.Code),
				fmt.Sprintf("commune code %s does not match city %q (code %s)", commCode.code, city, c.Code))
		}
	case commCode.code != "":
		c, ok := u.Commune(commCode.code)
		switch {
		case !ok:
			v.add(SeverityError, CodeAddressCodeUnknown, commCode.path,
				fmt.Sprintf("Không có xã/phường mã %q", commCode.code),
				fmt.Sprintf("no commune with code %q", commCode.code))
		case c.ProvinceCode != prov.Code:
			v.add(SeverityError, CodeAddressCommuneProvince, commCode.path,
				fmt.Sprintf("%s (mã %s) không thuộc %s", c.FullName(), c.Code, prov.FullName()),
				fmt.Sprintf("%s (code %s) is not in %s", c.FullName(), c.Code, prov.FullName()))
		}
	default:
		v.add(SeverityError, CodeAddressCommuneMissing, "city",
			"Thiếu xã/phường/đặc khu (city)", "the commune or ward (city) is missing")
	}
	return v.out
}

// addrCheck accumulates the problems of one ValidateAddress call.
type addrCheck struct {
	u   *Units
	out []Problem
}

func (v *addrCheck) add(sev Severity, code Code, path, vi, en string) {
	v.out = append(v.out, Problem{Severity: sev, Code: code, Path: path, VI: vi, EN: en})
}

// str returns addr[key] as a trimmed string; a present non-string value is
// reported and returns ok=false.
func (v *addrCheck) str(addr map[string]any, key string) (string, bool) {
	raw, ok := addr[key]
	if !ok || raw == nil {
		return "", false
	}
	s, ok := raw.(string)
	if !ok {
		v.add(SeverityError, CodeAddressType, key,
			fmt.Sprintf("%s phải là chuỗi", key), fmt.Sprintf("%s must be a string", key))
		return "", false
	}
	return strings.TrimSpace(s), true
}

type codeAt struct{ code, path string }

// extensionCodes returns the province and commune codes carried in
// ExtAddressAdminUnit extensions, with the path of each.
func (v *addrCheck) extensionCodes(addr map[string]any) (prov, comm codeAt) {
	exts, _ := addr["extension"].([]any)
	for i, e := range exts {
		m, _ := e.(map[string]any)
		if m == nil || m["url"] != ExtAddressAdminUnit {
			continue
		}
		path := fmt.Sprintf("extension[%d]", i)
		coding, _ := m["valueCoding"].(map[string]any)
		code, _ := coding["code"].(string)
		if coding == nil || code == "" {
			v.add(SeverityError, CodeAddressType, path,
				"Phần mở rộng mã đơn vị hành chính thiếu valueCoding.code",
				"admin-unit extension has no valueCoding.code")
			continue
		}
		switch coding["system"] {
		case CodeSystemProvince:
			prov = codeAt{code, path}
		case CodeSystemCommune:
			comm = codeAt{code, path}
		default:
			v.add(SeverityError, CodeAddressType, path+".valueCoding.system",
				fmt.Sprintf("Hệ mã %v không phải %s hay %s", coding["system"], CodeSystemProvince, CodeSystemCommune),
				fmt.Sprintf("system %v is neither %s nor %s", coding["system"], CodeSystemProvince, CodeSystemCommune))
		}
	}
	return prov, comm
}

// communeError explains why city was not found in prov, naming the
// province it belongs to when it exists elsewhere.
func (v *addrCheck) communeError(prov Province, city string, err error) {
	e, _ := err.(*Error)
	if e == nil {
		v.add(SeverityError, CodeAddressCommuneUnknown, "city", err.Error(), err.Error())
		return
	}
	if e.Code == CodeCommuneAmbiguous {
		v.add(SeverityError, CodeAddressCommuneAmbiguous, "city", e.VI, e.EN)
		return
	}
	if c, ok := v.u.Commune(strings.TrimSpace(city)); ok {
		other, _ := v.u.Province(c.ProvinceCode)
		v.add(SeverityError, CodeAddressCommuneProvince, "city",
			fmt.Sprintf("%s (mã %s) thuộc %s, không thuộc %s", c.FullName(), c.Code, other.FullName(), prov.FullName()),
			fmt.Sprintf("%s (code %s) is in %s, not in %s", c.FullName(), c.Code, other.FullName(), prov.FullName()))
		return
	}
	for _, p := range v.u.provinces {
		if p.Code == prov.Code {
			continue
		}
		if c, err := v.u.FindCommune(p.Code, city); err == nil {
			v.add(SeverityError, CodeAddressCommuneProvince, "city",
				fmt.Sprintf("Không có %q thuộc %s; có %s thuộc %s", city, prov.FullName(), c.FullName(), p.FullName()),
				fmt.Sprintf("no %q in %s; there is %s in %s", city, prov.FullName(), c.FullName(), p.FullName()))
			return
		}
	}
	v.add(SeverityError, CodeAddressCommuneUnknown, "city", e.VI, e.EN)
}

func isVietnam(country string) bool {
	switch matchKey(country) {
	case "vn", "vnm", "vietnam", "704":
		return true
	}
	return false
}
