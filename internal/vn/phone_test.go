package vn

import (
	"math/rand/v2"
	"testing"
)

func TestParsePhoneValid(t *testing.T) {
	tests := []struct{ in, e164, carrier string }{
		{"0912345678", "+84912345678", "Vinaphone"},
		{"+84912345678", "+84912345678", "Vinaphone"},
		{"84 91 234 5678", "+84912345678", "Vinaphone"},
		{"84912345678", "+84912345678", "Vinaphone"},
		{"0084 912 345 678", "+84912345678", "Vinaphone"},
		{"(+84) 912-345-678", "+84912345678", "Vinaphone"},
		{"0912.345.678", "+84912345678", "Vinaphone"},
		{"+84 0912 345 678", "+84912345678", "Vinaphone"}, // trunk 0 after the country code
		{"912345678", "+84912345678", "Vinaphone"},        // 0 left out
		{" 0912345678 ", "+84912345678", "Vinaphone"},
		{"0321234567", "+84321234567", "Viettel"},
		{"0331234567", "+84331234567", "Viettel"},
		{"0391234567", "+84391234567", "Viettel"},
		{"0861234567", "+84861234567", "Viettel"},
		{"0961234567", "+84961234567", "Viettel"},
		{"0971234567", "+84971234567", "Viettel"},
		{"0981234567", "+84981234567", "Viettel"},
		{"0811234567", "+84811234567", "Vinaphone"},
		{"0851234567", "+84851234567", "Vinaphone"},
		{"0881234567", "+84881234567", "Vinaphone"},
		{"0941234567", "+84941234567", "Vinaphone"},
		{"0841234567", "+84841234567", "Vinaphone"},
		{"+84841234567", "+84841234567", "Vinaphone"},
		{"0701234567", "+84701234567", "MobiFone"},
		{"0761234567", "+84761234567", "MobiFone"},
		{"0791234567", "+84791234567", "MobiFone"},
		{"0891234567", "+84891234567", "MobiFone"},
		{"0901234567", "+84901234567", "MobiFone"},
		{"0931234567", "+84931234567", "MobiFone"},
		{"0521234567", "+84521234567", "Vietnamobile"},
		{"0561234567", "+84561234567", "Vietnamobile"},
		{"0581234567", "+84581234567", "Vietnamobile"},
		{"0921234567", "+84921234567", "Vietnamobile"},
		{"0591234567", "+84591234567", "Gmobile"},
		{"0991234567", "+84991234567", "Gmobile"},
		{"0871234567", "+84871234567", "Itelecom"},
		{"0551234567", "+84551234567", "Reddi"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePhone(tt.in)
			if err != nil {
				t.Fatalf("ParsePhone(%q): %v", tt.in, err)
			}
			if got.E164 != tt.e164 || got.Carrier != tt.carrier || got.National != "0"+tt.e164[3:] || got.Zalo() != tt.e164[1:] {
				t.Errorf("got %+v, want %s %s", got, tt.e164, tt.carrier)
			}
		})
	}
}

func TestParsePhoneInvalid(t *testing.T) {
	tests := []struct {
		in   string
		want Code
	}{
		{"", CodePhoneEmpty},
		{"  ", CodePhoneEmpty},
		{"091234567a", CodePhoneCharacters},
		{"0912/345/678", CodePhoneCharacters},
		{"09123+45678", CodePhoneCharacters},
		{"++84912345678", CodePhoneCharacters},
		{"tel:0912345678", CodePhoneCharacters},
		{"０９１２３４５６７８", CodePhoneCharacters},
		{"+1 202 555 0143", CodePhoneCountry},
		{"+44 20 7946 0958", CodePhoneCountry},
		{"+8591234567", CodePhoneCountry},
		{"001 202 555 0143", CodePhoneCountry},
		{"091234567", CodePhoneLength},
		{"09123456789", CodePhoneLength},
		{"0912", CodePhoneLength},
		{"+8491234567", CodePhoneLength},
		{"+849123456789", CodePhoneLength},
		{"0", CodePhoneLength},
		{"02439999999", CodePhoneLandline},
		{"0283 822 1234", CodePhoneLandline},
		{"+84 24 3999 9999", CodePhoneLandline},
		{"0236 3822 123", CodePhoneLandline},
		{"01234567890", CodePhoneOld11Digits},
		{"+841664567890", CodePhoneOld11Digits},
		{"0199 456 7890", CodePhoneOld11Digits},
		{"01864567890", CodePhoneOld11Digits},
		{"0112345678", CodePhonePrefix},
		{"0412345678", CodePhonePrefix},
		{"0512345678", CodePhonePrefix},
		{"0612345678", CodePhonePrefix},
		{"0312345678", CodePhonePrefix},
		{"0712345678", CodePhonePrefix},
		{"0802345678", CodePhonePrefix},
		{"0952345678", CodePhonePrefix},
		{"0532345678", CodePhonePrefix},
		{"0100000000", CodePhonePrefix},
		{"0000000000", CodePhoneCountry}, // 00 opens an international number
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParsePhone(tt.in)
			wantCode(t, err, tt.want)
		})
	}
}

func TestGeneratePhone(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	carriers := map[string]int{}
	for range 2000 {
		s := GeneratePhone(rng)
		p, err := ParsePhone(s)
		if err != nil {
			t.Fatalf("generated %s does not parse: %v", s, err)
		}
		if p.E164 != s {
			t.Fatalf("generated %s normalises to %s", s, p.E164)
		}
		carriers[p.Carrier]++
	}
	for _, c := range []string{"Viettel", "Vinaphone", "MobiFone", "Vietnamobile"} {
		if carriers[c] == 0 {
			t.Errorf("no %s numbers in 2000 draws: %v", c, carriers)
		}
	}
	if carriers["Viettel"] < carriers["Vinaphone"] {
		t.Errorf("Viettel should dominate: %v", carriers)
	}
}
