package vn

import (
	"encoding/json"
	"testing"
)

// ext builds an admin-unit extension for test addresses.
func ext(system, code string) map[string]any {
	return map[string]any{"url": ExtAddressAdminUnit, "valueCoding": map[string]any{"system": system, "code": code}}
}

func exts(e ...map[string]any) []any {
	out := make([]any, len(e))
	for i, x := range e {
		out[i] = x
	}
	return out
}

func TestValidateAddressValid(t *testing.T) {
	tests := []struct {
		name string
		addr map[string]any
	}{
		{"names", map[string]any{"state": "Hà Nội", "city": "Ba Đình", "country": "VN"}},
		{"prefixed names", map[string]any{"state": "Thành phố Hà Nội", "city": "Phường Ba Đình"}},
		{"ascii names", map[string]any{"state": "Ha Noi", "city": "ba dinh"}},
		{"upper case", map[string]any{"state": "HÀ NỘI", "city": "PHƯỜNG NGỌC HÀ"}},
		{"new-style tone", map[string]any{"state": "Hà Nội", "city": "Yên Hoà"}},
		{"old-style tone", map[string]any{"state": "Hà Nội", "city": "Yên Hòa"}},
		{"codes as names", map[string]any{"state": "01", "city": "00004"}},
		{"extension only", map[string]any{"extension": exts(ext(CodeSystemProvince, "79"), ext(CodeSystemCommune, "25747"))}},
		{"names and matching codes", map[string]any{"state": "Hồ Chí Minh", "city": "Thủ Dầu Một",
			"extension": exts(ext(CodeSystemProvince, "79"), ext(CodeSystemCommune, "25747"))}},
		{"TP. abbreviation", map[string]any{"state": "TP. Hồ Chí Minh", "city": "P. Phú Lợi"}},
		{"HCM alias", map[string]any{"state": "TPHCM", "city": "Bến Thành"}},
		{"Thanh Hoá new style", map[string]any{"state": "Tỉnh Thanh Hoá", "city": "Hàm Rồng"}},
		{"Đà Nẵng", map[string]any{"state": "Đà Nẵng", "city": "Hải Vân"}},
		{"Huế", map[string]any{"state": "Thành phố Huế", "city": "Phú Xuân"}},
		{"Thừa Thiên Huế alias", map[string]any{"state": "Thừa Thiên Huế", "city": "Kim Long"}},
		{"Khánh Hoà", map[string]any{"state": "Khánh Hoà", "city": "Nha Trang"}},
		{"Đắk Lắk", map[string]any{"state": "Dak Lak", "city": "Tuy Hòa"}},
		{"Cần Thơ", map[string]any{"state": "Can Tho", "city": "Ninh Kiều"}},
		{"Cà Mau", map[string]any{"state": "Cà Mau", "city": "Bạc Liêu"}},
		{"Hải Phòng", map[string]any{"state": "Haiphong", "city": "Hải Dương"}},
		{"special zone", map[string]any{"state": "Quảng Ninh", "city": "Đặc khu Vân Đồn"}},
		{"special zone bare", map[string]any{"state": "Hải Phòng", "city": "Cát Hải"}},
		{"Đồng Nai city", map[string]any{"state": "Thành phố Đồng Nai", "city": "Đồng Xoài"}},
		{"commune", map[string]any{"state": "Hà Nội", "city": "Xã Hoài Đức"}},
		{"with line", map[string]any{"state": "Hà Nội", "city": "Hoàn Kiếm", "line": []any{"Số 1 Tràng Tiền"}}},
		{"line as []string", map[string]any{"state": "Hà Nội", "city": "Hoàn Kiếm", "line": []string{"Số 1"}}},
		{"country name", map[string]any{"state": "Hà Nội", "city": "Hoàn Kiếm", "country": "Việt Nam"}},
		{"country VNM", map[string]any{"state": "Hà Nội", "city": "Hoàn Kiếm", "country": "VNM"}},
		{"foreign address is not checked", map[string]any{"state": "CA", "city": "San Francisco", "country": "US"}},
		{"foreign no city", map[string]any{"country": "Japan"}},
		{"other extensions ignored", map[string]any{"state": "Hà Nội", "city": "Ba Đình",
			"extension": exts(map[string]any{"url": "http://example.org/x", "valueString": "y"})}},
		{"extra spaces", map[string]any{"state": "  Hà   Nội ", "city": " Ba  Đình "}},
		{"district only warns", map[string]any{"state": "Hà Nội", "city": "Ba Đình", "district": "Quận Ba Đình"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range ValidateAddress(tt.addr) {
				if p.Severity == SeverityError {
					t.Errorf("unexpected problem: %s", p)
				}
			}
		})
	}
}

func TestValidateAddressInvalid(t *testing.T) {
	tests := []struct {
		name string
		addr map[string]any
		want Code
		path string
	}{
		{"empty", map[string]any{}, CodeAddressProvinceMissing, "state"},
		{"only city", map[string]any{"city": "Ba Đình"}, CodeAddressProvinceMissing, "state"},
		{"only line", map[string]any{"line": []any{"Số 1"}, "country": "VN"}, CodeAddressProvinceMissing, "state"},
		{"blank state", map[string]any{"state": "  ", "city": "Ba Đình"}, CodeAddressProvinceMissing, "state"},
		{"no city", map[string]any{"state": "Hà Nội"}, CodeAddressCommuneMissing, "city"},
		{"blank city", map[string]any{"state": "Hà Nội", "city": ""}, CodeAddressCommuneMissing, "city"},
		{"unknown province", map[string]any{"state": "Atlantis", "city": "Ba Đình"}, CodeAddressProvinceUnknown, "state"},
		{"unknown province code", map[string]any{"state": "00", "city": "Ba Đình"}, CodeAddressProvinceUnknown, "state"},
		{"US state", map[string]any{"state": "California", "city": "Ba Đình", "country": "VN"}, CodeAddressProvinceUnknown, "state"},
		{"merged Bình Dương", map[string]any{"state": "Bình Dương", "city": "Thủ Dầu Một"}, CodeAddressProvincePreReform, "state"},
		{"merged Quảng Nam", map[string]any{"state": "Tỉnh Quảng Nam", "city": "Hội An"}, CodeAddressProvincePreReform, "state"},
		{"merged Hà Giang", map[string]any{"state": "Ha Giang", "city": "Hà Giang 1"}, CodeAddressProvincePreReform, "state"},
		{"old code", map[string]any{"state": "74", "city": "Thủ Dầu Một"}, CodeAddressProvincePreReform, "state"},
		{"unknown commune", map[string]any{"state": "Hà Nội", "city": "Phường Không Có"}, CodeAddressCommuneUnknown, "city"},
		{"district as city", map[string]any{"state": "Hà Nội", "city": "Quận Cầu Giấy Cũ"}, CodeAddressCommuneUnknown, "city"},
		{"commune elsewhere", map[string]any{"state": "Hà Nội", "city": "Bến Thành"}, CodeAddressCommuneProvince, "city"},
		{"commune elsewhere 2", map[string]any{"state": "Đà Nẵng", "city": "Nha Trang"}, CodeAddressCommuneProvince, "city"},
		{"commune code elsewhere", map[string]any{"state": "Hà Nội", "city": "25747"}, CodeAddressCommuneProvince, "city"},
		{"ward prefix on a commune", map[string]any{"state": "Hà Nội", "city": "Phường Hoài Đức"}, CodeAddressCommuneUnknown, "city"},
		{"ambiguous", map[string]any{"state": "Thanh Hóa", "city": "dong tien"}, CodeAddressCommuneAmbiguous, "city"},
		{"state not string", map[string]any{"state": 1.0, "city": "Ba Đình"}, CodeAddressType, "state"},
		{"city not string", map[string]any{"state": "Hà Nội", "city": []any{"Ba Đình"}}, CodeAddressType, "city"},
		{"country not string", map[string]any{"state": "Hà Nội", "city": "Ba Đình", "country": 84.0}, CodeAddressType, "country"},
		{"line not list", map[string]any{"state": "Hà Nội", "city": "Ba Đình", "line": "Số 1"}, CodeAddressType, "line"},
		{"extension without code", map[string]any{"state": "Hà Nội", "city": "Ba Đình",
			"extension": exts(map[string]any{"url": ExtAddressAdminUnit})}, CodeAddressType, "extension[0]"},
		{"extension wrong system", map[string]any{"state": "Hà Nội", "city": "Ba Đình",
			"extension": exts(ext("http://example.org/cs", "01"))}, CodeAddressType, "extension[0].valueCoding.system"},
		{"province code mismatch", map[string]any{"state": "Hà Nội", "city": "Ba Đình",
			"extension": exts(ext(CodeSystemProvince, "79"))}, CodeAddressCodeMismatch, "extension[0]"},
		{"commune code mismatch", map[string]any{"state": "Hà Nội", "city": "Ba Đình",
			"extension": exts(ext(CodeSystemProvince, "01"), ext(CodeSystemCommune, "00008"))}, CodeAddressCodeMismatch, "extension[1]"},
		{"unknown province code in extension", map[string]any{
			"extension": exts(ext(CodeSystemProvince, "99"), ext(CodeSystemCommune, "00004"))}, CodeAddressCodeUnknown, "extension[0]"},
		{"unknown commune code in extension", map[string]any{
			"extension": exts(ext(CodeSystemProvince, "01"), ext(CodeSystemCommune, "99999"))}, CodeAddressCodeUnknown, "extension[1]"},
		{"commune code not in province", map[string]any{
			"extension": exts(ext(CodeSystemProvince, "01"), ext(CodeSystemCommune, "25747"))}, CodeAddressCommuneProvince, "extension[1]"},
		{"only commune code", map[string]any{
			"extension": exts(ext(CodeSystemCommune, "00004"))}, CodeAddressProvinceMissing, "state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := ValidateAddress(tt.addr)
			for _, p := range probs {
				if p.Code == tt.want && p.Path == tt.path && p.Severity == SeverityError && p.VI != "" && p.EN != "" {
					return
				}
			}
			t.Errorf("got %v, want error %s at %s", probs, tt.want, tt.path)
		})
	}
}

func TestValidateAddressDistrictWarning(t *testing.T) {
	probs := ValidateAddress(map[string]any{"state": "Hà Nội", "city": "Ba Đình", "district": "Quận Ba Đình"})
	if len(probs) != 1 || probs[0].Code != CodeAddressDistrict || probs[0].Severity != SeverityWarning {
		t.Errorf("got %v, want one district warning", probs)
	}
}

func TestNewAddress(t *testing.T) {
	u := mustUnits(t)
	a, err := NewAddress(u, "01", "00175", "  Số 5  ngõ 12 ")
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"city":"Yên Hoà","country":"VN","extension":[` +
		`{"url":"https://sen-emr.github.io/fhir/StructureDefinition/address-admin-unit","valueCoding":{"code":"01","display":"Hà Nội","system":"https://sen-emr.github.io/fhir/CodeSystem/vn-province"}},` +
		`{"url":"https://sen-emr.github.io/fhir/StructureDefinition/address-admin-unit","valueCoding":{"code":"00175","display":"Yên Hoà","system":"https://sen-emr.github.io/fhir/CodeSystem/vn-commune"}}],` +
		`"line":["Số 5 ngõ 12"],"state":"Hà Nội","text":"Số 5 ngõ 12, Phường Yên Hoà, Thành phố Hà Nội","type":"physical","use":"home"}`
	if string(got) != want {
		t.Errorf("NewAddress =\n%s\nwant\n%s", got, want)
	}
	if _, hasDistrict := a["district"]; hasDistrict {
		t.Errorf("district must be left out")
	}

	// Every unit builds an address that validates cleanly, also after a
	// JSON round trip (which turns []any of maps into generic JSON).
	for _, c := range u.Communes() {
		a, err := NewAddress(u, c.ProvinceCode, c.Code, "")
		if err != nil {
			t.Fatalf("NewAddress(%s, %s): %v", c.ProvinceCode, c.Code, err)
		}
		b, _ := json.Marshal(a)
		var back map[string]any
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if probs := u.ValidateAddress(back); len(probs) != 0 {
			t.Errorf("%s %s: %v", c.Code, c.FullName(), probs)
		}
	}

	bad := []struct {
		prov, comm string
		want       Code
	}{
		{"99", "00004", CodeAddressProvinceUnknown},
		{"01", "99999", CodeAddressCodeUnknown},
		{"79", "00004", CodeAddressCommuneProvince},
	}
	for _, b := range bad {
		_, err := NewAddress(u, b.prov, b.comm, "")
		wantCode(t, err, b.want)
	}
}
