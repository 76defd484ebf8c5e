package vn

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestSplitName(t *testing.T) {
	tests := []struct {
		in     string
		family string
		given  []string
	}{
		{"Nguyễn Văn An", "Nguyễn", []string{"Văn", "An"}},
		{"Nguyễn Văn A", "Nguyễn", []string{"Văn", "A"}},
		{"Trần Thị Thu Hằng", "Trần", []string{"Thị", "Thu", "Hằng"}},
		{"Lê Lợi", "Lê", []string{"Lợi"}},
		{"  Phạm   Minh  Chính ", "Phạm", []string{"Minh", "Chính"}},
		{"An", "", []string{"An"}},
		{"", "", nil},
		{"Tôn Thất Tùng", "Tôn Thất", []string{"Tùng"}},
		{"TÔN THẤT TÙNG", "TÔN THẤT", []string{"TÙNG"}},
		{"Tôn Nữ Thị Ninh", "Tôn Nữ", []string{"Thị", "Ninh"}},
		{"Công Tằng Tôn Nữ Thị Bích", "Công Tằng Tôn Nữ", []string{"Thị", "Bích"}},
		{"Âu Dương Lân", "Âu Dương", []string{"Lân"}},
		{"Tôn Thất", "Tôn", []string{"Thất"}}, // nothing would be left: plain split
		{"Nguyễn Phúc An", "Nguyễn", []string{"Phúc", "An"}},
		{"Tôn Đức Thắng", "Tôn", []string{"Đức", "Thắng"}},
		{norm.NFD.String("Đặng Thị Thuỷ"), "Đặng", []string{"Thị", "Thuỷ"}},
	}
	for _, tt := range tests {
		family, given := SplitName(tt.in)
		if family != tt.family || !slices.Equal(given, tt.given) {
			t.Errorf("SplitName(%q) = %q, %q; want %q, %q", tt.in, family, given, tt.family, tt.given)
		}
	}
}

func TestHumanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn Văn An", `{"family":"Nguyễn","given":["Văn","An"],"text":"Nguyễn Văn An","use":"official"}`},
		{" Tôn  Nữ Thị Ninh", `{"family":"Tôn Nữ","given":["Thị","Ninh"],"text":"Tôn Nữ Thị Ninh","use":"official"}`},
		{"Mai", `{"given":["Mai"],"text":"Mai","use":"official"}`},
		{"  ", `null`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(HumanName(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("HumanName(%q) = %s, want %s", tt.in, b, tt.want)
		}
	}
}

func TestDisplayName(t *testing.T) {
	decode := func(s string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	tests := []struct {
		h    map[string]any
		want string
	}{
		{HumanName("Nguyễn Văn An"), "Nguyễn Văn An"},
		{decode(`{"family":"Nguyễn","given":["Văn","An"]}`), "Nguyễn Văn An"},
		{decode(`{"given":["Mai"]}`), "Mai"},
		{decode(`{"family":"Trần"}`), "Trần"},
		{decode(`{"text":"  Lê   Lợi "}`), "Lê Lợi"},
		{decode(`{"family":"Lê","given":["Lợi"],"text":"Loi Le"}`), "Lê Lợi"},
		{decode(`{"family":"Nguyễn","given":["Thị","Hoa"],"prefix":["Bác sĩ"]}`), "Bác sĩ Nguyễn Thị Hoa"},
		{map[string]any{"family": "Phạm", "given": []string{"Minh", "Chính"}}, "Phạm Minh Chính"},
		{map[string]any{"family": 3, "given": []any{1, "An"}}, "An"},
		{map[string]any{}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := DisplayName(tt.h); got != tt.want {
			t.Errorf("DisplayName(%v) = %q, want %q", tt.h, got, tt.want)
		}
	}
}

func TestNameSortKey(t *testing.T) {
	names := []string{"Nguyễn Văn Bình", "Trần Thị An", "Lê Văn An", "Ánh", "Phạm Thị Anh"}
	sort.Slice(names, func(i, j int) bool { return NameSortKey(names[i]) < NameSortKey(names[j]) })
	want := []string{"Trần Thị An", "Lê Văn An", "Ánh", "Phạm Thị Anh", "Nguyễn Văn Bình"}
	if !slices.Equal(names, want) {
		t.Errorf("sorted = %q, want %q", names, want)
	}
}
