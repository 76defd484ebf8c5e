package vn

import (
	"math/rand/v2"
	"testing"
)

func TestParseCCCDValid(t *testing.T) {
	tests := []struct {
		in       string
		province string
		sex      string
		year     int
	}{
		// REGULATIONS.md §3 gives 079188009988 as "male, born 1988", but
		// its own rule (0/1 = male/female, 1900s) makes digit 4 = 1 female.
		{"079188009988", "Hồ Chí Minh", SexFemale, 1988},
		{"079088009988", "Hồ Chí Minh", SexMale, 1988},
		{"079 1 88 009988", "Hồ Chí Minh", SexFemale, 1988},
		{"096-2-05-123456", "Cà Mau", SexMale, 2005},
		{"092.3.01.000001", "Cần Thơ", SexFemale, 2001},
		{" 074200000000 ", "Bình Dương", SexMale, 2000},
		{"001090999999", "Hà Nội", SexMale, 1990},
		{"001519414002", "Hà Nội", SexFemale, 2119},
		{"002009861168", "Hà Giang", SexMale, 1909},
		{"004046611097", "Cao Bằng", SexMale, 1946},
		{"006064225127", "Bắc Kạn", SexMale, 1964},
		{"008011454710", "Tuyên Quang", SexMale, 1911},
		{"010308252353", "Lào Cai", SexFemale, 2008},
		{"011070445140", "Điện Biên", SexMale, 1970},
		{"012072129815", "Lai Châu", SexMale, 1972},
		{"014180657911", "Sơn La", SexFemale, 1980},
		{"015473613984", "Yên Bái", SexMale, 2173},
		{"017306231821", "Hòa Bình", SexFemale, 2006},
		{"019071900169", "Thái Nguyên", SexMale, 1971},
		{"020137439499", "Lạng Sơn", SexFemale, 1937},
		{"022169123514", "Quảng Ninh", SexFemale, 1969},
		{"024271855770", "Bắc Giang", SexMale, 2071},
		{"025113609851", "Phú Thọ", SexFemale, 1913},
		{"026147102163", "Vĩnh Phúc", SexFemale, 1947},
		{"027072062496", "Bắc Ninh", SexMale, 1972},
		{"030463713451", "Hải Dương", SexMale, 2163},
		{"031399329407", "Hải Phòng", SexFemale, 2099},
		{"033374968298", "Hưng Yên", SexFemale, 2074},
		{"034346314328", "Thái Bình", SexFemale, 2046},
		{"035123732948", "Hà Nam", SexFemale, 1923},
		{"036110602326", "Nam Định", SexFemale, 1910},
		{"037267519167", "Ninh Bình", SexMale, 2067},
		{"038293470636", "Thanh Hóa", SexMale, 2093},
		{"040277076756", "Nghệ An", SexMale, 2077},
		{"044196358671", "Quảng Bình", SexFemale, 1996},
		{"045162442182", "Quảng Trị", SexFemale, 1962},
		{"046085081390", "Huế", SexMale, 1985},
		{"048243729070", "Đà Nẵng", SexMale, 2043},
		{"049276520801", "Quảng Nam", SexMale, 2076},
		{"051308880770", "Quảng Ngãi", SexFemale, 2008},
		{"091799000000", "Kiên Giang", SexFemale, 2299},
		{"095800000000", "Bạc Liêu", SexMale, 2300},
		{"095999000000", "Bạc Liêu", SexFemale, 2399},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCCCD(tt.in)
			if err != nil {
				t.Fatalf("ParseCCCD(%q): %v", tt.in, err)
			}
			if got.Province.Name != tt.province || got.Sex != tt.sex || got.BirthYear != tt.year {
				t.Errorf("got %s %s %d, want %s %s %d", got.Province.Name, got.Sex, got.BirthYear, tt.province, tt.sex, tt.year)
			}
			if len(got.Number) != 12 || got.PlaceCode != got.Number[:3] || got.Serial != got.Number[6:] {
				t.Errorf("parts do not add up: %+v", got)
			}
			if err := got.ConsistentWith(tt.year, tt.sex); err != nil {
				t.Errorf("ConsistentWith own values: %v", err)
			}
		})
	}
}

func TestParseCCCDInvalid(t *testing.T) {
	tests := []struct {
		in   string
		want Code
	}{
		{"", CodeCCCDEmpty},
		{"   ", CodeCCCDEmpty},
		{"07918800998", CodeCCCDLength},
		{"0791880099881", CodeCCCDLength},
		{"0791", CodeCCCDLength},
		{"1", CodeCCCDLength},
		{"07918800998800", CodeCCCDLength},
		{"123456789", CodeCCCDIsCMND},
		{"025 123 456", CodeCCCDIsCMND},
		{"07918800998A", CodeCCCDCharacters},
		{"O79188009988", CodeCCCDCharacters}, // letter O, not zero
		{"079188/009988", CodeCCCDCharacters},
		{"+79188009988", CodeCCCDCharacters},
		{"０７９１８８００９９８８", CodeCCCDCharacters}, // full-width digits
		{"079188\u00a0009988", CodeCCCDCharacters},
		{"000188009988", CodeCCCDPlace},
		{"003188009988", CodeCCCDPlace},
		{"005188009988", CodeCCCDPlace},
		{"007188009988", CodeCCCDPlace},
		{"009188009988", CodeCCCDPlace},
		{"013188009988", CodeCCCDPlace},
		{"016188009988", CodeCCCDPlace},
		{"018188009988", CodeCCCDPlace},
		{"021188009988", CodeCCCDPlace},
		{"023188009988", CodeCCCDPlace},
		{"028188009988", CodeCCCDPlace},
		{"029188009988", CodeCCCDPlace},
		{"032188009988", CodeCCCDPlace},
		{"039188009988", CodeCCCDPlace},
		{"041188009988", CodeCCCDPlace},
		{"043188009988", CodeCCCDPlace},
		{"047188009988", CodeCCCDPlace},
		{"050188009988", CodeCCCDPlace},
		{"053188009988", CodeCCCDPlace},
		{"097188009988", CodeCCCDPlace},
		{"099188009988", CodeCCCDPlace},
		{"100188009988", CodeCCCDPlace},
		{"790188009988", CodeCCCDPlace}, // place code without its leading zero
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseCCCD(tt.in)
			wantCode(t, err, tt.want)
		})
	}
}

func TestCCCDConsistentWith(t *testing.T) {
	c, err := ParseCCCD("001090123456") // male, 1990
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		year int
		sex  string
		want Code
	}{
		{1990, SexMale, ""},
		{0, SexMale, ""},
		{1990, "unknown", ""},
		{1990, "other", ""},
		{1990, "", ""},
		{1991, SexMale, CodeCCCDBirthYear},
		{2090, SexMale, CodeCCCDBirthYear},
		{1990, SexFemale, CodeCCCDSex},
	}
	for _, tt := range tests {
		err := c.ConsistentWith(tt.year, tt.sex)
		if tt.want == "" {
			if err != nil {
				t.Errorf("ConsistentWith(%d, %q) = %v, want nil", tt.year, tt.sex, err)
			}
			continue
		}
		wantCode(t, err, tt.want)
	}
}

func TestGenerateCCCD(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	u := mustUnits(t)
	for _, p := range u.PreReformProvinces() {
		for _, sex := range []string{SexMale, SexFemale} {
			for _, year := range []int{1900, 1955, 1999, 2000, 2025, 2399} {
				for _, place := range []string{p.CCCDPlaceCode, p.Code} {
					s, err := GenerateCCCD(rng, place, sex, year)
					if err != nil {
						t.Fatalf("GenerateCCCD(%s, %s, %d): %v", place, sex, year, err)
					}
					c, err := ParseCCCD(s)
					if err != nil {
						t.Fatalf("generated %s does not parse: %v", s, err)
					}
					if c.Province.Code != p.Code || c.Sex != sex || c.BirthYear != year {
						t.Fatalf("generated %s parses to %s %s %d, want %s %s %d", s, c.Province.Code, c.Sex, c.BirthYear, p.Code, sex, year)
					}
				}
			}
		}
	}
	bad := []struct {
		place, sex string
		year       int
	}{
		{"003", SexMale, 1990}, {"79", "other", 1990}, {"79", SexMale, 1899}, {"79", SexFemale, 2400}, {"", SexMale, 1990},
	}
	for _, b := range bad {
		_, err := GenerateCCCD(rng, b.place, b.sex, b.year)
		wantCode(t, err, CodeCCCDGenerateArgs)
	}
}
