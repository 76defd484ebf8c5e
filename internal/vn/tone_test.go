package vn

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNormalizeTone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Yên Hoà", "Yên Hòa"},
		{"Khánh Hoà", "Khánh Hòa"},
		{"Khánh Hòa", "Khánh Hòa"},
		{"Thanh Thuỷ", "Thanh Thủy"},
		{"khoẻ", "khỏe"},
		{"KHOẺ", "KHỎE"},
		{"Hoà Bình", "Hòa Bình"},
		{"Thuý", "Thúy"},
		{"hoàn", "hoàn"}, // closed syllable: tone on the last vowel
		{"hòan", "hoàn"}, // misplaced tone is moved
		{"toán", "toán"}, // closed
		{"Nguyễn", "Nguyễn"},
		{"người", "người"}, // ươ: tone on ơ
		{"nguời", "nguời"}, // no horn on u: tone stays on ơ
		{"quý", "quý"},     // u of qu is consonant
		{"quả", "quả"},
		{"giữa", "giữa"}, // i of gi is consonant
		{"già", "già"},
		{"gìn", "gìn"}, // gi + consonant: i is the vowel
		{"huỳnh", "huỳnh"},
		{"ngoài", "ngoài"}, // three vowels: the middle one
		{"ngoaì", "ngoài"},
		{"khuỷu", "khuỷu"},
		{"mùa", "mùa"},
		{"của", "của"},
		{"kỹ", "kỹ"}, // i/y spelling is not touched
		{"lí", "lí"},
		{"hello", "hello"},
		{"", ""},
		{"Xã Yên Hoà, tỉnh Khánh Hoà", "Xã Yên Hòa, tỉnh Khánh Hòa"},
		{"ĐỒNG THUỴ", "ĐỒNG THỤY"},
	}
	for _, tt := range tests {
		got := NormalizeTone(tt.in)
		if got != tt.want {
			t.Errorf("NormalizeTone(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("NormalizeTone(%q) = %q is not NFC", tt.in, got)
		}
		if Fold(got) != Fold(tt.in) {
			t.Errorf("NormalizeTone(%q) changed the folded form", tt.in)
		}
	}
}

func TestNormalizeToneNFDInput(t *testing.T) {
	in := norm.NFD.String("Thanh Thuỷ")
	if got, want := NormalizeTone(in), "Thanh Thủy"; got != want {
		t.Errorf("NormalizeTone(NFD) = %q, want %q", got, want)
	}
}

// TestNormalizeToneCommuneNames checks that the GSO's new-style commune
// names and the legal-text old style meet, and that normalising twice
// changes nothing.
func TestNormalizeToneCommuneNames(t *testing.T) {
	u := mustUnits(t)
	changed := 0
	for _, c := range u.Communes() {
		n := NormalizeTone(c.Name)
		if n != c.Name {
			changed++
		}
		if NormalizeTone(n) != n {
			t.Errorf("NormalizeTone not idempotent on %q: %q", c.Name, n)
		}
		if Fold(n) != Fold(c.Name) {
			t.Errorf("NormalizeTone(%q) = %q changes letters", c.Name, n)
		}
	}
	if changed == 0 {
		t.Errorf("no commune name changed: the GSO data should contain new-style tone marks")
	}
	t.Logf("%d of %d commune names rewritten to the old style", changed, u.NumCommunes())
}
