package bhyt

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden XML files in testdata/golden")

var settled = time.Date(2026, 3, 20, 9, 0, 0, 0, vnZone)

func loadEpisode(tb testing.TB, name string) *Claim {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "episodes", name+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	src, err := SourceFromBundle(raw, "LK-"+strings.ToUpper(name)+"-0001", settled)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := Build(src)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestGolden generates the claim of five encounter types, validates it
// field by field, compares each table with its golden file, and reads the
// XML back through the table structure.
func TestGolden(t *testing.T) {
	cases := []struct {
		name   string
		tables []string
	}{
		{"outpatient", []string{"XML0", "XML1", "XML2", "XML3", "XML4", "XML14"}},
		{"inpatient", []string{"XML0", "XML1", "XML2", "XML3", "XML5", "XML7"}},
		{"emergency", []string{"XML1", "XML3"}}, // emergencies send no check-in
		{"day-treatment", []string{"XML0", "XML1", "XML2", "XML3", "XML5"}},
		{"chronic-refill", []string{"XML0", "XML1", "XML2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := loadEpisode(t, tc.name)
			if got := c.Names(); !reflect.DeepEqual(got, tc.tables) {
				t.Fatalf("tables %v, want %v", got, tc.tables)
			}
			for _, e := range Validate(c) {
				t.Errorf("validation: %v", e)
			}
			for _, name := range c.Names() {
				tbl, _ := TableByName(name)
				got := MarshalTable(tbl, c.Tables[name])
				path := filepath.Join("testdata", "golden", tc.name, name+".xml")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from %s:\n%s", name, path, got)
				}
				rows, errs := ParseTable(tbl, want)
				if len(errs) > 0 {
					t.Errorf("%s structure: %v", name, errs)
				}
				for i, r := range rows {
					for _, e := range ValidateRow(tbl, i+1, r) {
						t.Errorf("golden %s: %v", name, e)
					}
				}
			}
			env, err := Envelope(context.Background(), c, settled, nil)
			if err != nil {
				t.Fatal(err)
			}
			files, _, err := OpenEnvelope(env)
			if err != nil {
				t.Fatal(err)
			}
			tbl, _ := TableByName("XML1")
			if !bytes.Equal(files["XML1"], MarshalTable(tbl, c.Tables["XML1"])) {
				t.Error("XML1 does not survive the envelope")
			}
			if _, ok := files["XML0"]; ok {
				t.Error("XML0 is sent on its own, not in the envelope")
			}
		})
	}
}

// The money of the outpatient claim, worked by hand: card HT3 → 95%.
func TestOutpatientMoney(t *testing.T) {
	c := loadEpisode(t, "outpatient")
	x1 := c.Tables["XML1"][0]
	drug := c.Tables["XML2"][0]
	// 30 × 315.5 = 9465.00; BHYT pays 95% = 8991.75; co-payment 473.25.
	want := map[string]string{"SO_LUONG": "30", "DON_GIA": "315.5", "THANH_TIEN_BV": "9465", "T_BHTT": "8991.75", "T_BNCCT": "473.25", "MUC_HUONG": "95"}
	for f, v := range want {
		if drug[f] != v {
			t.Errorf("XML2 %s = %s, want %s", f, drug[f], v)
		}
	}
	// 45000 + 26900 + 9465 = 81365; ×95% = 77296.75
	for f, v := range map[string]string{"T_TONGCHI_BV": "81365", "T_THUOC": "9465", "T_BHTT": "77296.75", "T_BNCCT": "4068.25",
		"MA_LOAI_KCB": "01", "MA_DOITUONG_KCB": "1.1", "NGAY_VAO": "202603020805", "NGAY_SINH": "195804120000", "MA_BENH_KT": "E78.5",
		"SO_NGAY_DTRI": "0", "NGAY_TAI_KHAM": "20260401", "DIEN_THOAI": "0912345678"} {
		if x1[f] != v {
			t.Errorf("XML1 %s = %q, want %q", f, x1[f], v)
		}
	}
}

func TestInpatientRounding(t *testing.T) {
	c := loadEpisode(t, "inpatient")
	bed := c.Tables["XML3"][1]
	// DON_GIA 218333.3333 rounds to 218333.333; ×4 = 873333.332 → 873333.33.
	if bed["DON_GIA_BV"] != "218333.333" || bed["THANH_TIEN_BV"] != "873333.33" || bed["MA_GIUONG"] != "H001" {
		t.Errorf("bed line %v", bed)
	}
	if x1 := c.Tables["XML1"][0]; x1["SO_NGAY_DTRI"] != "5" || x1["NGAY_VAO_NOI_TRU"] != "202602101400" || x1["CAN_NANG"] != "52.5" {
		t.Errorf("XML1 days %s, inpatient %s, weight %s", x1["SO_NGAY_DTRI"], x1["NGAY_VAO_NOI_TRU"], x1["CAN_NANG"])
	}
}
