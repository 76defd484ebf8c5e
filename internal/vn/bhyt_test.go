package vn

import (
	"math/rand/v2"
	"testing"
)

func TestParseBHYTValid(t *testing.T) {
	tests := []struct {
		in     string
		kind   BHYTKind
		number string
		group  string
		level  int
		prov   string
		sin    string
		system string
	}{
		{"HS4010120878811", BHYTCard, "HS4010120878811", "HS", 4, "01", "0120878811", SystemBHYT}, // REGULATIONS.md §3 example
		{"hs4010120878811", BHYTCard, "HS4010120878811", "HS", 4, "01", "0120878811", SystemBHYT},
		{"HS 4 01 0120878811", BHYTCard, "HS4010120878811", "HS", 4, "01", "0120878811", SystemBHYT},
		{"HS-4-01-0120878811", BHYTCard, "HS4010120878811", "HS", 4, "01", "0120878811", SystemBHYT},
		{"TE1790123456789", BHYTCard, "TE1790123456789", "TE", 1, "79", "0123456789", SystemBHYT}, // temporary child card: TE1 + province + 10 digits
		{"DN4790000000001", BHYTCard, "DN4790000000001", "DN", 4, "79", "0000000001", SystemBHYT},
		{"HC4010000000002", BHYTCard, "HC4010000000002", "HC", 4, "01", "0000000002", SystemBHYT},
		{"HT3480000000003", BHYTCard, "HT3480000000003", "HT", 3, "48", "0000000003", SystemBHYT},
		{"HN2380000000004", BHYTCard, "HN2380000000004", "HN", 2, "38", "0000000004", SystemBHYT},
		{"CN3400000000005", BHYTCard, "CN3400000000005", "CN", 3, "40", "0000000005", SystemBHYT},
		{"GD4920000000006", BHYTCard, "GD4920000000006", "GD", 4, "92", "0000000006", SystemBHYT},
		{"TN4310000000007", BHYTCard, "TN4310000000007", "TN", 4, "31", "0000000007", SystemBHYT},
		{"CC1960000000008", BHYTCard, "CC1960000000008", "CC", 1, "96", "0000000008", SystemBHYT},
		{"CK2660000000009", BHYTCard, "CK2660000000009", "CK", 2, "66", "0000000009", SystemBHYT},
		{"QN5010000000010", BHYTCard, "QN5010000000010", "QN", 5, "01", "0000000010", SystemBHYT},
		{"CA5790000000011", BHYTCard, "CA5790000000011", "CA", 5, "79", "0000000011", SystemBHYT},
		{"CY5010000000012", BHYTCard, "CY5010000000012", "CY", 5, "01", "0000000012", SystemBHYT},
		{"SV4010000000013", BHYTCard, "SV4010000000013", "SV", 4, "01", "0000000013", SystemBHYT},
		{"BT2020000000014", BHYTCard, "BT2020000000014", "BT", 2, "02", "0000000014", SystemBHYT},
		{"DT2620000000015", BHYTCard, "DT2620000000015", "DT", 2, "62", "0000000015", SystemBHYT},
		{"GB4740000000016", BHYTCard, "GB4740000000016", "GB", 4, "74", "0000000016", SystemBHYT}, // pre-2025 province code (Bình Dương)
		{"HG4890000000017", BHYTCard, "HG4890000000017", "HG", 4, "89", "0000000017", SystemBHYT}, // old An Giang code
		{"XD2910000000018", BHYTCard, "XD2910000000018", "XD", 2, "91", "0000000018", SystemBHYT},
		{"LS4010000000019", BHYTCard, "LS4010000000019", "LS", 4, "01", "0000000019", SystemBHYT},
		{"PV4770000000020", BHYTCard, "PV4770000000020", "PV", 4, "77", "0000000020", SystemBHYT},
		{"0120878811", BHYTSocialInsurance, "0120878811", "", 0, "", "0120878811", SystemSocialInsurance},
		{"79 2345 6789", BHYTSocialInsurance, "7923456789", "", 0, "", "7923456789", SystemSocialInsurance},
		{"7900000000", BHYTSocialInsurance, "7900000000", "", 0, "", "7900000000", SystemSocialInsurance},
		{"079188009988", BHYTPersonalID, "079188009988", "", 0, "", "", SystemCCCD},
		{"001 0 90 123456", BHYTPersonalID, "001090123456", "", 0, "", "", SystemCCCD},
		{"096305000111", BHYTPersonalID, "096305000111", "", 0, "", "", SystemCCCD},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBHYT(tt.in)
			if err != nil {
				t.Fatalf("ParseBHYT(%q): %v", tt.in, err)
			}
			if got.Kind != tt.kind || got.Number != tt.number || got.Group != tt.group || got.BenefitLevel != tt.level ||
				got.ProvinceCode != tt.prov || got.SocialInsuranceNumber != tt.sin || got.System() != tt.system {
				t.Errorf("got %+v (system %s), want %s %s %s %d %s %s %s", got, got.System(), tt.kind, tt.number, tt.group, tt.level, tt.prov, tt.sin, tt.system)
			}
			if (got.Kind == BHYTPersonalID) != (got.CCCD != nil) {
				t.Errorf("CCCD set iff kind is cccd: %+v", got)
			}
		})
	}
}

func TestParseBHYTInvalid(t *testing.T) {
	tests := []struct {
		in   string
		want Code
	}{
		{"", CodeBHYTEmpty},
		{"  ", CodeBHYTEmpty},
		{"HS401012087881", CodeBHYTLength},
		{"HS40101208788111", CodeBHYTLength},
		{"HS4", CodeBHYTLength},
		{"012087881", CodeBHYTLength},
		{"01208788111", CodeBHYTLength},
		{"0120878811123", CodeBHYTLength},
		{"HS4010120878811/", CodeBHYTCharacters},
		{"HS4_010120878811", CodeBHYTCharacters},
		{"HŠ4010120878811", CodeBHYTCharacters},
		{"HS4010120878811#", CodeBHYTCharacters},
		{"ZZ4010120878811", CodeBHYTGroup},
		{"XX4010120878811", CodeBHYTGroup},
		{"AB4010120878811", CodeBHYTGroup},
		{"H54010120878811", CodeBHYTGroup},
		{"1S4010120878811", CodeBHYTGroup},
		{"HSA010120878811", CodeBHYTBenefit},
		{"HS0010120878811", CodeBHYTBenefit},
		{"HS6010120878811", CodeBHYTBenefit},
		{"HS9010120878811", CodeBHYTBenefit},
		{"TE0790123456789", CodeBHYTBenefit},
		{"HS4000120878811", CodeBHYTProvince},
		{"HS4030120878811", CodeBHYTProvince},
		{"HS4990120878811", CodeBHYTProvince},
		{"HS4970120878811", CodeBHYTProvince},
		{"HS4130120878811", CodeBHYTProvince},
		{"HS4AB0120878811", CodeBHYTProvince},
		{"HS4650120878811", CodeBHYTProvince},
		{"HS401012087881X", CodeBHYTSocialNumber},
		{"HS401A120878811", CodeBHYTSocialNumber},
		{"HS401ABCDEFGHIJ", CodeBHYTSocialNumber},
		{"003188009988", CodeBHYTCCCD},
		{"000000000000", CodeBHYTCCCD},
		{"999999999999", CodeBHYTCCCD},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseBHYT(tt.in)
			wantCode(t, err, tt.want)
		})
	}
}

func TestBHYTGroups(t *testing.T) {
	// The 15 codes REGULATIONS.md §3 names must be on the list.
	for _, g := range []string{"DN", "HC", "HT", "TE", "HS", "SV", "HN", "CN", "GD", "TN", "CC", "CK", "QN", "CA", "CY"} {
		if d, ok := BHYTGroup(g); !ok || d == "" {
			t.Errorf("BHYTGroup(%s) = %q, %v", g, d, ok)
		}
	}
	if _, ok := BHYTGroup("ZZ"); ok {
		t.Errorf("BHYTGroup(ZZ) accepted")
	}
}

func TestGenerateBHYT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	u := mustUnits(t)
	for _, p := range u.Provinces() {
		for level := 1; level <= 5; level++ {
			for _, g := range []string{"HS", "TE", "GD", "HT", "DN"} {
				s, err := GenerateBHYT(rng, g, level, p.Code)
				if err != nil {
					t.Fatalf("GenerateBHYT(%s, %d, %s): %v", g, level, p.Code, err)
				}
				b, err := ParseBHYT(s)
				if err != nil {
					t.Fatalf("generated %s does not parse: %v", s, err)
				}
				if b.Group != g || b.BenefitLevel != level || b.ProvinceCode != p.Code || b.SocialInsuranceNumber[:2] != p.Code {
					t.Fatalf("generated %s parses to %+v", s, b)
				}
			}
		}
	}
	bad := []struct {
		g     string
		level int
		prov  string
	}{
		{"ZZ", 4, "01"}, {"HS", 0, "01"}, {"HS", 6, "01"}, {"HS", 4, "03"}, {"HS", 4, "001"}, {"HS", 4, ""},
	}
	for _, b := range bad {
		_, err := GenerateBHYT(rng, b.g, b.level, b.prov)
		wantCode(t, err, CodeBHYTGenerateArgs)
	}
	sin, err := GenerateSocialInsuranceNumber(rng, "79")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := ParseBHYT(sin); err != nil || b.Kind != BHYTSocialInsurance {
		t.Errorf("generated social-insurance number %s parses to %+v, %v", sin, b, err)
	}
}
