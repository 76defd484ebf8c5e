package vn

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestUnitCounts(t *testing.T) {
	u := mustUnits(t)
	count := map[UnitType]int{}
	for _, p := range u.Provinces() {
		count[p.Type]++
	}
	for _, c := range u.Communes() {
		count[c.Type]++
	}
	tests := []struct {
		what      string
		got, want int
	}{
		{"provinces", len(u.Provinces()), 34},
		{"cities", count[UnitCity], 7},
		{"provinces (type)", count[UnitProvince], 27},
		{"communes total", u.NumCommunes(), 3321},
		{"communes", count[UnitCommune], 2611},
		{"wards", count[UnitWard], 697},
		{"special zones", count[UnitSpecialZone], 13},
		{"pre-2025 provinces", len(u.PreReformProvinces()), 63},
		{"ethnicities", len(u.Ethnicities()), 54},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.what, tt.got, tt.want)
		}
	}
	sum := 0
	for _, p := range u.Provinces() {
		n := len(u.CommunesOf(p.Code))
		if n == 0 {
			t.Errorf("province %s has no communes", p.Code)
		}
		sum += n
	}
	if sum != 3321 {
		t.Errorf("communes over provinces: got %d, want 3321", sum)
	}
}

func TestProvinceCodes(t *testing.T) {
	u := mustUnits(t)
	// The merged unit takes the code of the province hosting its new
	// centre (REGULATIONS.md §4), and Đồng Nai is a city since 30 Apr 2026.
	tests := []struct {
		code, name string
		typ        UnitType
	}{
		{"91", "An Giang", UnitProvince},
		{"24", "Bắc Ninh", UnitProvince},
		{"52", "Gia Lai", UnitProvince},
		{"82", "Đồng Tháp", UnitProvince},
		{"80", "Tây Ninh", UnitProvince},
		{"44", "Quảng Trị", UnitProvince},
		{"15", "Lào Cai", UnitProvince},
		{"75", "Đồng Nai", UnitCity},
		{"79", "Hồ Chí Minh", UnitCity},
		{"01", "Hà Nội", UnitCity},
	}
	for _, tt := range tests {
		p, ok := u.Province(tt.code)
		if !ok || p.Name != tt.name || p.Type != tt.typ {
			t.Errorf("Province(%s) = %+v, %v; want %s %s", tt.code, p, ok, tt.name, tt.typ)
		}
	}
	for _, bad := range []string{"89", "27", "64", "00", "", "1"} {
		if p, ok := u.Province(bad); ok {
			t.Errorf("Province(%q) = %+v, want none", bad, p)
		}
	}
}

func TestPreReformSuccessors(t *testing.T) {
	u := mustUnits(t)
	tests := []struct{ place, name, successor string }{
		{"001", "Hà Nội", "01"},
		{"074", "Bình Dương", "79"},
		{"077", "Bà Rịa - Vũng Tàu", "79"},
		{"089", "An Giang", "91"},
		{"091", "Kiên Giang", "91"},
		{"045", "Quảng Trị", "44"},
		{"044", "Quảng Bình", "44"},
		{"096", "Cà Mau", "96"},
		{"095", "Bạc Liêu", "96"},
		{"017", "Hòa Bình", "25"},
	}
	for _, tt := range tests {
		p, ok := u.PreReformProvinceByCCCDCode(tt.place)
		if !ok || p.Name != tt.name || p.Successor != tt.successor {
			t.Errorf("PreReformProvinceByCCCDCode(%s) = %+v, %v; want %s → %s", tt.place, p, ok, tt.name, tt.successor)
		}
	}
	for _, p := range u.PreReformProvinces() {
		if _, ok := u.Province(p.Successor); !ok {
			t.Errorf("%s: successor %q is not a 2025 province", p.Name, p.Successor)
		}
	}
	if _, ok := u.PreReformProvinceByCCCDCode("03"); ok {
		t.Errorf("a 2-digit code must not be accepted as a CCCD place code")
	}
}

func TestFindProvince(t *testing.T) {
	u := mustUnits(t)
	tests := []struct{ in, want string }{
		{"TP. Hồ Chí Minh", "79"},
		{"Thành phố Hồ Chí Minh", "79"},
		{"Ho Chi Minh", "79"},
		{"tp hcm", "79"},
		{"TPHCM", "79"},
		{"Tỉnh Thanh Hoá", "38"},
		{"Thanh Hóa", "38"},
		{"thanh hoa", "38"},
		{"Khánh Hoà", "56"},
		{"HÀ NỘI", "01"},
		{"Hanoi", "01"},
		{"Haiphong", "31"},
		{"Hải Phòng", "31"},
		{"Thừa Thiên Huế", "46"},
		{"Huế", "46"},
		{"Đắk Lắk", "66"},
		{"Dak Lak", "66"},
		{"  Cần Thơ ", "92"},
		{"79", "79"},
		{"Đồng Nai", "75"},
	}
	for _, tt := range tests {
		p, err := u.FindProvince(tt.in)
		if err != nil || p.Code != tt.want {
			t.Errorf("FindProvince(%q) = %s, %v; want %s", tt.in, p.Code, err, tt.want)
		}
	}
	errs := []struct {
		in   string
		want Code
	}{
		{"Bình Dương", CodeProvincePreReform},
		{"Tỉnh Quảng Nam", CodeProvincePreReform},
		{"Kien Giang", CodeProvincePreReform},
		{"Atlantis", CodeProvinceUnknown},
		{"", CodeProvinceUnknown},
		{"89", CodeProvincePreReform}, // An Giang's old code; the merged unit is 91
		{"00", CodeProvinceUnknown},
	}
	for _, tt := range errs {
		_, err := u.FindProvince(tt.in)
		wantCode(t, err, tt.want)
	}
}

func TestFindCommune(t *testing.T) {
	u := mustUnits(t)
	tests := []struct{ prov, in, want string }{
		{"01", "Ba Đình", "00004"},
		{"01", "Phường Ba Đình", "00004"},
		{"01", "P. Ba Đình", "00004"},
		{"01", "ba dinh", "00004"},
		{"01", "00004", "00004"},
		{"79", "Bến Thành", "26743"},
		{"38", "Đồng Tiến", ""}, // resolved below by exact spelling
	}
	for _, tt := range tests {
		if tt.want == "" {
			continue
		}
		c, err := u.FindCommune(tt.prov, tt.in)
		if err != nil || c.Code != tt.want {
			t.Errorf("FindCommune(%s, %q) = %s, %v; want %s", tt.prov, tt.in, c.Code, err, tt.want)
		}
	}
	// Two units of Thanh Hóa fold to "dong tien": the accented spelling and
	// the type prefix each pick one; the bare folded name is ambiguous.
	var ward, commune Commune
	for _, c := range u.CommunesOf("38") {
		if Fold(c.Name) == "dong tien" {
			if c.Type == UnitWard {
				ward = c
			} else {
				commune = c
			}
		}
	}
	if ward.Code == "" || commune.Code == "" {
		t.Fatalf("fixture: want a ward and a commune folding to dong tien in 38, got %+v %+v", ward, commune)
	}
	for in, want := range map[string]string{
		ward.Name: ward.Code, commune.Name: commune.Code,
		"Phường dong tien": ward.Code, "Xã dong tien": commune.Code,
	} {
		c, err := u.FindCommune("38", in)
		if err != nil || c.Code != want {
			t.Errorf("FindCommune(38, %q) = %s, %v; want %s", in, c.Code, err, want)
		}
	}
	_, err := u.FindCommune("38", "dong tien")
	wantCode(t, err, CodeCommuneAmbiguous)
	_, err = u.FindCommune("01", "Bến Thành")
	wantCode(t, err, CodeCommuneUnknown)
	_, err = u.FindCommune("99", "Ba Đình")
	wantCode(t, err, CodeProvinceUnknown)
}

// TestFindCommuneEveryUnit finds each of the 3,321 units by its own name
// with its type prefix, and by its code.
func TestFindCommuneEveryUnit(t *testing.T) {
	u := mustUnits(t)
	for _, c := range u.Communes() {
		for _, in := range []string{c.FullName(), c.Code, NormalizeTone(c.FullName())} {
			got, err := u.FindCommune(c.ProvinceCode, in)
			if err != nil || got.Code != c.Code {
				t.Errorf("FindCommune(%s, %q) = %s, %v; want %s", c.ProvinceCode, in, got.Code, err, c.Code)
			}
		}
	}
}

func TestProvinceKeysUnique(t *testing.T) {
	u := mustUnits(t)
	seen := map[string]string{}
	for _, p := range u.Provinces() {
		for _, k := range []string{matchKey(p.Name), matchKey(p.NameEN)} {
			if other, dup := seen[k]; dup && other != p.Code {
				t.Errorf("key %q shared by %s and %s", k, other, p.Code)
			}
			seen[k] = p.Code
		}
	}
}

func TestEthnicities(t *testing.T) {
	u := mustUnits(t)
	tests := []struct{ in, want string }{
		{"01", "Kinh"}, {"Kinh", "Kinh"}, {"kinh", "Kinh"}, {"Khơ me", "Khơ-me"},
		{"Ê Đê", "Ê-đê"}, {"hmong", "HMông"}, {"54", "Rơ măm"},
	}
	for _, tt := range tests {
		e, ok := u.FindEthnicity(tt.in)
		if !ok || e.Name != tt.want {
			t.Errorf("FindEthnicity(%q) = %+v, %v; want %s", tt.in, e, ok, tt.want)
		}
	}
	if e, ok := u.FindEthnicity("55"); ok {
		t.Errorf("FindEthnicity(55) = %+v: 55 is the IG's foreigner code, not an ethnic group", e)
	}
}

// TestEmbeddedDataMatchesShared guards the copy in data/ against drift from
// the shared reference folder.
func TestEmbeddedDataMatchesShared(t *testing.T) {
	dir := requireShared(t)
	for _, name := range []string{"provinces-2025.csv", "provinces-2025-merged-from.csv", "communes-2025.csv", "provinces-pre2025.csv", "ethnicities.csv"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := dataFS.ReadFile("data/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("data/%s differs from %s", name, filepath.Join(dir, name))
		}
	}
}

func TestParseUnitsRejectsBadData(t *testing.T) {
	// A corrupt table must surface as an error, never a panic.
	_, err := parseUnits(os.DirFS(t.TempDir()))
	if err == nil {
		t.Fatal("parseUnits on an empty folder: got nil error")
	}
}

// TestUnitsConcurrentUse exercises the shared tables from many goroutines;
// run with -race to check that nothing writes to them after loading.
func TestUnitsConcurrentUse(t *testing.T) {
	done := make(chan error, 8)
	for range 8 {
		go func() {
			u, err := LoadUnits()
			if err == nil {
				_, err = u.FindProvince("Thanh Hoá")
			}
			if err == nil {
				_, err = ParseCCCD("001090123456")
			}
			if err == nil {
				_ = Fold("Đặng Thị Thuỷ")
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
