package vn

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Codes for rejected CCCD numbers.
const (
	CodeCCCDEmpty        Code = "cccd.empty"
	CodeCCCDCharacters   Code = "cccd.characters"
	CodeCCCDLength       Code = "cccd.length"
	CodeCCCDIsCMND       Code = "cccd.cmnd"
	CodeCCCDPlace        Code = "cccd.place-code"
	CodeCCCDBirthYear    Code = "cccd.birth-year-mismatch"
	CodeCCCDSex          Code = "cccd.sex-mismatch"
	CodeCCCDGenerateArgs Code = "cccd.generate-arguments"
)

// FHIR administrative-gender codes used for sex.
const (
	SexMale   = "male"
	SexFemale = "female"
)

// CCCD is a parsed 12-digit personal identification number (căn cước công
// dân), which since Decree 102/2025 is also the health identifier:
// place code (3) + century/sex (1) + birth year (2) + serial (6).
type CCCD struct {
	Number    string            // the 12 digits
	PlaceCode string            // digits 1–3: "0" + pre-2025 province code of birth registration
	Province  PreReformProvince // the province PlaceCode names
	Sex       string            // SexMale or SexFemale (even digit 4 = male)
	BirthYear int               // from digit 4 (century) and digits 5–6
	Serial    string            // digits 7–12
}

// ParseCCCD parses and checks a CCCD number. Spaces, dots and hyphens
// between digits are ignored. Errors are *Error: CodeCCCDEmpty,
// CodeCCCDCharacters (not a digit), CodeCCCDIsCMND (9 digits: an old
// identity-card number), CodeCCCDLength, CodeCCCDPlace (digits 1–3 are not
// a pre-2025 province place code). Digit 4 may be any digit: 0/1 = male/
// female born 1900–1999, 2/3 = 2000–2099 … 8/9 = 2300–2399.
func ParseCCCD(s string) (CCCD, error) {
	u, err := LoadUnits()
	if err != nil {
		return CCCD{}, err
	}
	digits, err := compactDigits(s, CodeCCCDEmpty, CodeCCCDCharacters, "CCCD")
	if err != nil {
		return CCCD{}, err
	}
	switch {
	case len(digits) == 9:
		return CCCD{}, newError(CodeCCCDIsCMND, s,
			"%s có 9 chữ số: đây là số CMND cũ, không phải số CCCD/định danh cá nhân 12 chữ số",
			"%s has 9 digits: it is an old identity-card (CMND) number, not a 12-digit personal ID", digits)
	case len(digits) != 12:
		return CCCD{}, newError(CodeCCCDLength, s,
			"Số CCCD phải có 12 chữ số, nhận được %d", "a CCCD number has 12 digits, got %d", len(digits))
	}
	c := CCCD{Number: digits, PlaceCode: digits[:3], Serial: digits[6:]}
	p, ok := u.PreReformProvinceByCCCDCode(c.PlaceCode)
	if !ok {
		return CCCD{}, newError(CodeCCCDPlace, s,
			"Ba chữ số đầu %s không phải mã tỉnh nơi đăng ký khai sinh",
			"the first three digits %s are not a province place code (001–096, pre-2025 codes)", c.PlaceCode)
	}
	c.Province = p
	d := int(digits[3] - '0')
	c.Sex = SexMale
	if d%2 == 1 {
		c.Sex = SexFemale
	}
	c.BirthYear = 1900 + 100*(d/2) + int(digits[4]-'0')*10 + int(digits[5]-'0')
	return c, nil
}

// compactDigits removes spaces, dots and hyphens from s and checks that
// what is left is only ASCII digits.
func compactDigits(s string, empty, chars Code, what string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", newError(empty, s, "Chưa nhập số %s", "%s number is empty", what)
	}
	b := make([]byte, 0, len(t))
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r == ' ' || r == '.' || r == '-':
		default:
			return "", newError(chars, s,
				"Số %s chỉ gồm chữ số, có ký tự %q", "%s number may contain only digits, found %q", what, r)
		}
	}
	return string(b), nil
}

// ConsistentWith checks the number against a birth year and FHIR
// administrative gender recorded elsewhere. A birthYear of 0 and a sex other
// than "male"/"female" are not checked. Errors are *Error with
// CodeCCCDBirthYear or CodeCCCDSex.
func (c CCCD) ConsistentWith(birthYear int, sex string) error {
	if birthYear != 0 && birthYear != c.BirthYear {
		return newError(CodeCCCDBirthYear, c.Number,
			"Số CCCD mã hoá năm sinh %d nhưng hồ sơ ghi %d",
			"the CCCD number encodes birth year %d but the record says %d", c.BirthYear, birthYear)
	}
	if (sex == SexMale || sex == SexFemale) && sex != c.Sex {
		return newError(CodeCCCDSex, c.Number,
			"Số CCCD mã hoá giới tính %s nhưng hồ sơ ghi %s",
			"the CCCD number encodes sex %s but the record says %s", c.Sex, sex)
	}
	return nil
}

// GenerateCCCD returns a well-formed synthetic CCCD number for a person of
// the given sex (SexMale or SexFemale) born in birthYear (1900–2399) whose
// birth was registered in the pre-2025 province with the given place code
// ("079") or 2-digit code ("79"). The serial is drawn from rng. Numbers are
// synthetic: they may collide with real ones and must only be used as test
// data. Bad arguments give CodeCCCDGenerateArgs.
func GenerateCCCD(rng *rand.Rand, placeCode, sex string, birthYear int) (string, error) {
	u, err := LoadUnits()
	if err != nil {
		return "", err
	}
	p, ok := u.PreReformProvince(placeCode)
	if !ok {
		return "", newError(CodeCCCDGenerateArgs, placeCode,
			"Mã tỉnh %q không hợp lệ", "place code %q is not a pre-2025 province code", placeCode)
	}
	if birthYear < 1900 || birthYear > 2399 {
		return "", newError(CodeCCCDGenerateArgs, fmt.Sprint(birthYear),
			"Năm sinh %d ngoài khoảng 1900–2399", "birth year %d is outside 1900–2399", birthYear)
	}
	d := 2 * ((birthYear - 1900) / 100)
	switch sex {
	case SexMale:
	case SexFemale:
		d++
	default:
		return "", newError(CodeCCCDGenerateArgs, sex,
			"Giới tính %q phải là male hoặc female", "sex %q must be male or female", sex)
	}
	return fmt.Sprintf("%s%d%02d%06d", p.CCCDPlaceCode, d, birthYear%100, rng.IntN(1_000_000)), nil
}
