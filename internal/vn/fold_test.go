package vn

import (
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn", "nguyen"},
		{"nguyen", "nguyen"},
		{"ĐÀ NẴNG", "da nang"},
		{"Đặng Thị Thuỷ", "dang thi thuy"},
		{"Đặng Thị Thủy", "dang thi thuy"},
		{"Yên Hoà", "yen hoa"},
		{"Yên Hòa", "yen hoa"},
		{"  Hồ   Chí\tMinh \n", "ho chi minh"},
		{"Bà Rịa - Vũng Tàu", "ba ria - vung tau"},
		{"TP. HCM", "tp. hcm"},
		{"Ðà Lạt", "da lat"}, // U+00D0 eth from legacy encodings
		{"Hà\u00a0Nội", "ha noi"},
		{"Ea H'Leo", "ea h'leo"},
		{"", ""},
		{"   ", ""},
		{"ăâêôơưđ", "aaeooud"},
		{"ẮẰẲẴẶ", "aaaaa"},
		{"Ứng Hoà", "ung hoa"},
		{"café", "cafe"},
		{"abc 123", "abc 123"},
		{"ABC", "abc"},
		{" a", "a"},
		{"a ", "a"},
		{"a  b", "a b"},
		{"\xff\xfeabc", "abc"}, // invalid UTF-8 is dropped, never panics
		{"北京", "北京"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldNFDEqualsNFC(t *testing.T) {
	for _, s := range []string{"Nguyễn Thị Hồng Nhung", "Khánh Hòa", "Đắk Lắk", "Thừa Thiên Huế", "Quảng Ngãi"} {
		nfd := norm.NFD.String(s)
		if nfd == s {
			t.Fatalf("test input %q is already NFD", s)
		}
		if got, want := Fold(nfd), Fold(s); got != want {
			t.Errorf("Fold(NFD %q) = %q, want %q", s, got, want)
		}
	}
}

func TestFoldASCIIDoesNotAllocate(t *testing.T) {
	s := "nguyen van an"
	if n := testing.AllocsPerRun(100, func() { _ = Fold(s) }); n != 0 {
		t.Errorf("Fold of folded ASCII allocates %v times, want 0", n)
	}
	if Fold(s) != s {
		t.Errorf("Fold changed folded input")
	}
}

func TestFoldIsIdempotent(t *testing.T) {
	for _, s := range []string{"Nguyễn Văn  An", "ĐÀ NẴNG", "Ea H'Leo", "Ǆ", "ﬁ"} {
		once := Fold(s)
		if twice := Fold(once); twice != once {
			t.Errorf("Fold(Fold(%q)) = %q, want %q", s, twice, once)
		}
	}
}

func BenchmarkFold(b *testing.B) {
	cases := []struct{ name, in string }{
		{"ascii-folded", "nguyen van an"},
		{"ascii-upper", "NGUYEN VAN AN"},
		{"vietnamese", "Nguyễn Thị Hồng Nhung"},
		{"address", "Số 12 đường Nguyễn Trãi, Phường Bến Thành, Thành phố Hồ Chí Minh"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.in)))
			for b.Loop() {
				_ = Fold(c.in)
			}
		})
	}
}

func BenchmarkNormalizeTone(b *testing.B) {
	in := "Xã Yên Hoà, Thanh Thuỷ, Khánh Hoà"
	b.ReportAllocs()
	for b.Loop() {
		_ = NormalizeTone(in)
	}
}

// TestFoldTableMatchesDecomposition checks the fast Latin table against
// the normalisation-based fold for every rune it covers.
func TestFoldTableMatchesDecomposition(t *testing.T) {
	for r := rune(latinFirst); r < latinEnd; r++ {
		if unicode.IsSpace(r) || unicode.Is(unicode.Mn, r) {
			continue
		}
		want := string(appendFoldRune(nil, r))
		if got := Fold(string(r)); got != want {
			t.Errorf("Fold(%q U+%04X) = %q, want %q", string(r), r, got, want)
		}
	}
	for _, tt := range []struct{ in, want string }{{"Ễ", "e"}, {"ự", "u"}, {"Ð", "d"}} {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
