package bhyt

import (
	"slices"
	"testing"
)

// Each broken claim is reported at the field that is wrong, not sent.
func TestValidateReportsFields(t *testing.T) {
	type hit struct{ table, field, code string }
	tests := []struct {
		name   string
		break_ func(c *Claim)
		want   []hit
	}{
		{"wrong card number (province 99)", func(c *Claim) { c.Tables["XML1"][0]["MA_THE_BHYT"] = "HT3990123456789" },
			[]hit{{"XML1", "MA_THE_BHYT", ErrCard}}},
		{"wrong benefit digit", func(c *Claim) { c.Tables["XML1"][0]["MA_THE_BHYT"] = "HT9010123456789" },
			[]hit{{"XML1", "MA_THE_BHYT", ErrCard}}},
		{"missing diagnosis", func(c *Claim) { c.Tables["XML1"][0]["MA_BENH_CHINH"] = "" },
			[]hit{{"XML1", "MA_BENH_CHINH", ErrRequired}}},
		{"impossible date", func(c *Claim) { c.Tables["XML1"][0]["NGAY_VAO"] = "202602301200" },
			[]hit{{"XML1", "NGAY_VAO", ErrDate}}},
		{"discharge before admission", func(c *Claim) { c.Tables["XML1"][0]["NGAY_RA"] = "202603010800" },
			[]hit{{"XML1", "NGAY_RA", ErrOrder}}},
		{"ICD code too long", func(c *Claim) { c.Tables["XML1"][0]["MA_BENH_CHINH"] = "I10.0001" },
			[]hit{{"XML1", "MA_BENH_CHINH", ErrLength}, {"XML1", "MA_BENH_CHINH", ErrFormat}}},
		{"unknown encounter type", func(c *Claim) { c.Tables["XML1"][0]["MA_LOAI_KCB"] = "1" },
			[]hit{{"XML1", "MA_LOAI_KCB", ErrCode}}},
		{"price with 4 decimals", func(c *Claim) { c.Tables["XML2"][0]["DON_GIA"] = "315.5001" },
			[]hit{{"XML2", "DON_GIA", ErrFormat}}},
		{"line amount wrong", func(c *Claim) { c.Tables["XML2"][0]["THANH_TIEN_BV"] = "9465.01" },
			[]hit{{"XML2", "THANH_TIEN_BV", ErrTotal}, {"XML1", "T_TONGCHI_BV", ErrTotal}, {"XML1", "T_THUOC", ErrTotal}}},
		{"total does not add up", func(c *Claim) { c.Tables["XML1"][0]["T_TONGCHI_BV"] = "81366" },
			[]hit{{"XML1", "T_TONGCHI_BV", ErrTotal}}},
		{"unknown birth month", func(c *Claim) { c.Tables["XML1"][0]["NGAY_SINH"] = "195813120000" },
			[]hit{{"XML1", "NGAY_SINH", ErrDate}}},
		{"birth year only is fine", func(c *Claim) { c.Tables["XML1"][0]["NGAY_SINH"] = "195800000000" }, nil},
		{"five-character ICD is fine", func(c *Claim) { c.Tables["XML1"][0]["MA_BENH_CHINH"] = "B18.00" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loadEpisode(t, "outpatient")
			tt.break_(c)
			var got []hit
			for _, e := range Validate(c) {
				got = append(got, hit{e.Table, e.Field, e.Code})
				if e.Message == "" || e.MessageV == "" {
					t.Errorf("%v: message missing", e)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseTableStructure(t *testing.T) {
	tbl, _ := TableByName("XML4")
	tests := []struct {
		name, xml string
		want      int
	}{
		{"wrong root", `<TONG_HOP></TONG_HOP>`, 1},
		{"unknown field", `<CHITIEU_CHITIET_DICHVUCANLAMSANG><DSACH_CHI_TIET_CLS><CHI_TIET_CLS><MA_LK>1</MA_LK><FOO>x</FOO></CHI_TIET_CLS></DSACH_CHI_TIET_CLS></CHITIEU_CHITIET_DICHVUCANLAMSANG>`, 1},
		{"out of order", `<CHITIEU_CHITIET_DICHVUCANLAMSANG><DSACH_CHI_TIET_CLS><CHI_TIET_CLS><STT>1</STT><MA_LK>1</MA_LK></CHI_TIET_CLS></DSACH_CHI_TIET_CLS></CHITIEU_CHITIET_DICHVUCANLAMSANG>`, 1},
		{"not xml", `<a>`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, errs := ParseTable(tbl, []byte(tt.xml)); len(errs) != tt.want {
				t.Errorf("got %v", errs)
			}
		})
	}
}

func TestDecRound(t *testing.T) {
	tests := []struct {
		in     string
		places int
		want   string
	}{
		{"1.005", 2, "1.01"}, {"1.0049", 2, "1"}, {"-1.005", 2, "-1.01"}, {"218333.3333", 3, "218333.333"},
		{"0.0005", 3, "0.001"}, {"9465", 2, "9465"}, {"2.5", 0, "3"},
	}
	for _, tt := range tests {
		if got := MustDec(tt.in).Round(tt.places).String(); got != tt.want {
			t.Errorf("Round(%s,%d) = %s, want %s", tt.in, tt.places, got, tt.want)
		}
	}
	for _, bad := range []string{"", "1,5", "1e3", "abc", "1/3"} {
		if _, err := ParseDec(bad); err == nil {
			t.Errorf("ParseDec(%q) accepted", bad)
		}
	}
	// 0.1 + 0.2 is exactly 0.3 here, unlike binary floats.
	if MustDec("0.1").Add(MustDec("0.2")).Cmp(MustDec("0.3")) != 0 {
		t.Error("0.1 + 0.2 != 0.3")
	}
}
