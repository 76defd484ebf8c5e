package vn

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkErr fails unless err is nil or an *Error with a code and both
// messages: parsers must explain every rejection.
func checkErr(t *testing.T, in string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Code == "" || e.VI == "" || e.EN == "" {
		t.Fatalf("%q: error %#v lacks code or message", in, err)
	}
}

func FuzzParseCCCD(f *testing.F) {
	for _, s := range []string{"079188009988", "001 0 90 123456", "123456789", "003188009988", "", "０７９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCCCD(s)
		checkErr(t, s, err)
		if err != nil {
			return
		}
		again, err := ParseCCCD(c.Number)
		if err != nil || again != c {
			t.Fatalf("%q: reparse of %s = %+v, %v", s, c.Number, again, err)
		}
		if c.BirthYear < 1900 || c.BirthYear > 2399 || (c.Sex != SexMale && c.Sex != SexFemale) {
			t.Fatalf("%q: impossible fields %+v", s, c)
		}
	})
}

func FuzzParseBHYT(f *testing.F) {
	for _, s := range []string{"HS4010120878811", "hs 4 01 0120878811", "0120878811", "079188009988", "ZZ4010120878811", "HS6010120878811"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBHYT(s)
		checkErr(t, s, err)
		if err != nil {
			return
		}
		again, err := ParseBHYT(b.Number)
		if err != nil || again.Number != b.Number || again.Kind != b.Kind {
			t.Fatalf("%q: reparse of %s = %+v, %v", s, b.Number, again, err)
		}
	})
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"0912345678", "+84912345678", "84 91 234 5678", "01234567890", "02439999999", "+1 202 555 0143"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhone(s)
		checkErr(t, s, err)
		if err != nil {
			return
		}
		if len(p.E164) != 12 || !strings.HasPrefix(p.E164, "+84") || p.Carrier == "" {
			t.Fatalf("%q: bad result %+v", s, p)
		}
		again, err := ParsePhone(p.E164)
		if err != nil || again != p {
			t.Fatalf("%q: reparse of %s = %+v, %v", s, p.E164, again, err)
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Nguyễn", "ĐÀ NẴNG", "  a  b ", "Yên Hoà", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if Fold(got) != got && utf8.ValidString(s) {
			t.Fatalf("Fold not idempotent on %q: %q then %q", s, got, Fold(got))
		}
		if Fold(NormalizeTone(s)) != got && utf8.ValidString(s) {
			t.Fatalf("NormalizeTone changed letters of %q", s)
		}
	})
}
