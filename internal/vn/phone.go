package vn

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Codes for rejected phone numbers.
const (
	CodePhoneEmpty       Code = "phone.empty"
	CodePhoneCharacters  Code = "phone.characters"
	CodePhoneCountry     Code = "phone.country-code" // an international number outside Vietnam
	CodePhoneLength      Code = "phone.length"
	CodePhoneLandline    Code = "phone.landline"     // 02x: a fixed line, not a mobile
	CodePhoneOld11Digits Code = "phone.old-11-digit" // 01xx numbers renumbered in 2018
	CodePhonePrefix      Code = "phone.prefix"       // no mobile network uses this prefix
)

// Phone is a Vietnamese mobile number.
type Phone struct {
	E164     string // "+84912345678"
	National string // "0912345678"
	Carrier  string // network the prefix was allocated to, e.g. "Vinaphone"
}

// Zalo returns the number in the form Zalo ZNS expects: "84912345678".
func (p Phone) Zalo() string { return strings.TrimPrefix(p.E164, "+") }

// mobilePrefix maps the first two digits of the 9-digit national
// significant number to the network, as allocated after the 2018
// renumbering (REGULATIONS.md §3: mobiles are 0[35789]x… 10 digits).
// Numbers ported between networks keep their prefix, so Carrier is the
// original network, not necessarily the current one.
func mobileCarrier(nsn2 string) string {
	switch nsn2 {
	case "32", "33", "34", "35", "36", "37", "38", "39", "86", "96", "97", "98":
		return "Viettel"
	case "81", "82", "83", "84", "85", "88", "91", "94":
		return "Vinaphone"
	case "70", "76", "77", "78", "79", "89", "90", "93":
		return "MobiFone"
	case "52", "56", "58", "92":
		return "Vietnamobile"
	case "59", "99":
		return "Gmobile"
	case "87":
		return "Itelecom"
	case "55":
		return "Reddi"
	}
	return ""
}

// old11Digit maps the 11-digit prefixes retired in 2018 to their 10-digit
// replacements, so the error can say what the number became.
func old11Digit(nsn3 string) string {
	switch nsn3 {
	case "120":
		return "70"
	case "121":
		return "79"
	case "122":
		return "77"
	case "126":
		return "76"
	case "128":
		return "78"
	case "123":
		return "83"
	case "124":
		return "84"
	case "125":
		return "85"
	case "127":
		return "81"
	case "129":
		return "82"
	case "162", "163", "164", "165", "166", "167", "168", "169":
		return "3" + nsn3[2:]
	case "186":
		return "56"
	case "188":
		return "58"
	case "199":
		return "59"
	}
	return ""
}

// ParsePhone parses a Vietnamese mobile number written nationally
// ("0912345678"), internationally ("+84912345678", "0084 912 345 678") or
// with the country code but no plus ("84 91 234 5678"). Spaces, dots,
// hyphens and parentheses are ignored; a trunk 0 after the country code
// ("+84 0912…") is dropped. Errors are *Error with a CodePhone* code.
func ParsePhone(s string) (Phone, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Phone{}, newError(CodePhoneEmpty, s, "Chưa nhập số điện thoại", "phone number is empty")
	}
	plus := false
	b := make([]byte, 0, len(t))
	for i, r := range t {
		switch {
		case r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r == '+' && len(b) == 0 && !plus:
			plus = true
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return Phone{}, newError(CodePhoneCharacters, s,
				"Số điện thoại có ký tự không hợp lệ %q ở vị trí %d",
				"phone number has an invalid character %q at byte %d", r, i)
		}
	}
	d := string(b)
	switch {
	case plus && !strings.HasPrefix(d, "84"):
		return Phone{}, newError(CodePhoneCountry, s,
			"Số điện thoại quốc tế không phải của Việt Nam (+84)",
			"international number is not Vietnamese (+84)")
	case plus:
		d = d[2:]
	case strings.HasPrefix(d, "0084"):
		d = d[4:]
	case strings.HasPrefix(d, "00"):
		return Phone{}, newError(CodePhoneCountry, s,
			"Số điện thoại quốc tế không phải của Việt Nam (+84)",
			"international number is not Vietnamese (+84)")
	case strings.HasPrefix(d, "84") && (len(d) == 11 || len(d) == 12):
		d = d[2:]
	}
	d = strings.TrimPrefix(d, "0")
	if len(d) == 10 && d[0] == '1' {
		if nw := old11Digit(d[:3]); nw != "" {
			return Phone{}, newError(CodePhoneOld11Digits, s,
				"Số 11 chữ số đã đổi từ năm 2018: nay là 0%s", "11-digit numbers were renumbered in 2018: this one is now 0%s",
				nw+d[3:])
		}
	}
	if len(d) > 0 && d[0] == '2' {
		return Phone{}, newError(CodePhoneLandline, s,
			"Số 02x là số cố định, không phải số di động", "02x numbers are fixed lines, not mobiles")
	}
	if len(d) != 9 {
		return Phone{}, newError(CodePhoneLength, s,
			"Số di động có 10 chữ số (0 + 9 chữ số), nhận được %d", "a mobile number has 10 digits (0 + 9), got %d", len(d)+1)
	}
	carrier := mobileCarrier(d[:2])
	if carrier == "" {
		return Phone{}, newError(CodePhonePrefix, s,
			"Đầu số 0%s không thuộc nhà mạng di động nào", "prefix 0%s is not allocated to a mobile network", d[:2])
	}
	return Phone{E164: "+84" + d, National: "0" + d, Carrier: carrier}, nil
}

// phoneWeights spreads generated numbers over networks roughly by market
// share, so synthetic data look plausible; exact shares do not matter.
var phoneWeights = []struct {
	prefixes []string
	weight   int
}{
	{[]string{"32", "33", "34", "35", "36", "37", "38", "39", "86", "96", "97", "98"}, 54},
	{[]string{"81", "82", "83", "84", "85", "88", "91", "94"}, 20},
	{[]string{"70", "76", "77", "78", "79", "89", "90", "93"}, 20},
	{[]string{"52", "56", "58", "92"}, 4},
	{[]string{"59", "99", "87", "55"}, 2},
}

// GeneratePhone returns a synthetic mobile number in E.164 form
// ("+849…"). Numbers are random within real prefixes and may belong to
// real people: use them only as test data and never send to them.
func GeneratePhone(rng *rand.Rand) string {
	n := rng.IntN(100)
	w := phoneWeights[0]
	for _, c := range phoneWeights {
		if n < c.weight {
			w = c
			break
		}
		n -= c.weight
	}
	return fmt.Sprintf("+84%s%07d", w.prefixes[rng.IntN(len(w.prefixes))], rng.IntN(10_000_000))
}
