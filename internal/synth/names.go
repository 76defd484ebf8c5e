package synth

import (
	"math/rand/v2"
	"strings"
)

// Vietnamese personal names. Order is family, middle, given ("Nguyễn Văn
// An"); people are addressed by the given name. Women keep their own
// family name on marriage; children take the father's.

type weightedName struct {
	name string
	w    float64
}

// kinhFamilies: family-name frequencies (%) as commonly reported from
// population registers (Lê Trung Hoa, Họ và tên người Việt Nam, 2005;
// summarised e.g. in the Wikipedia "Vietnamese name" article): Nguyễn
// 38.4, Trần 12.1, Lê 9.5, Phạm 7.0, Hoàng/Huỳnh 5.1, Phan 4.5, Vũ/Võ 3.9,
// Đặng 2.1, Bùi 2.0, Đỗ 1.4, Hồ 1.3, Ngô 1.3, Dương 1.0, Lý 0.5, others.
// Hoàng/Huỳnh and Vũ/Võ are one name with a northern and a southern
// spelling; the split follows the region (see familyFor).
var kinhFamilies = []weightedName{
	{"Nguyễn", 38.4}, {"Trần", 12.1}, {"Lê", 9.5}, {"Phạm", 7.0}, {"Hoàng", 5.1},
	{"Phan", 4.5}, {"Vũ", 3.9}, {"Đặng", 2.1}, {"Bùi", 2.0}, {"Đỗ", 1.4},
	{"Hồ", 1.3}, {"Ngô", 1.3}, {"Dương", 1.0}, {"Lý", 0.5},
	// The remaining ~10% spread over less common names.
	{"Đinh", 0.9}, {"Trương", 0.9}, {"Lương", 0.7}, {"Đoàn", 0.7}, {"Mai", 0.6},
	{"Trịnh", 0.6}, {"Cao", 0.6}, {"Lâm", 0.5}, {"Phùng", 0.4}, {"Tạ", 0.4},
	{"Hà", 0.5}, {"Tô", 0.4}, {"Châu", 0.3}, {"Lưu", 0.4}, {"Kiều", 0.3},
	{"Thái", 0.3}, {"Quách", 0.3}, {"Tăng", 0.2}, {"Văn", 0.3}, {"La", 0.2},
}

var (
	maleMiddleOld   = []string{"Văn", "Văn", "Văn", "Văn", "Hữu", "Đức", "Công", "Quang", "Đình", "Xuân", "Ngọc", "Minh", "Thanh"}
	maleMiddleYoung = []string{"Văn", "Minh", "Đức", "Quang", "Hoàng", "Gia", "Anh", "Tuấn", "Thành", "Hữu", "Bảo", "Trung", "Nhật", "Đăng"}
	femMiddleOld    = []string{"Thị", "Thị", "Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Xuân", "Hồng"}
	femMiddleYoung  = []string{"Thị", "Ngọc", "Thu", "Thanh", "Minh", "Bảo", "Khánh", "Phương", "Thùy", "Mai", "Hải", "Diệu", "Hà", "Quỳnh"}

	maleGivenOld = []string{"Hùng", "Dũng", "Minh", "Tuấn", "Nam", "Long", "Hải", "Sơn", "Thắng", "Bình",
		"Cường", "Hòa", "Thành", "Trung", "Quang", "Phúc", "Tài", "Lâm", "Hiếu", "Tâm",
		"Tiến", "Toàn", "Vinh", "Hưng", "Khánh", "Lợi", "Nghĩa", "Phong", "Tùng", "Đức", "Chiến", "Quý"}
	maleGivenYoung = []string{"Minh", "Huy", "Khoa", "Phúc", "An", "Bảo", "Quân", "Khang", "Đạt", "Nam",
		"Hiếu", "Long", "Tuấn", "Duy", "Kiên", "Thịnh", "Hoàng", "Nhật", "Khôi", "Lâm",
		"Việt", "Vũ", "Trí", "Tùng", "Thái", "Sơn", "Đăng", "Hải", "Phong", "Tiến"}
	femGivenOld = []string{"Lan", "Hương", "Hoa", "Mai", "Hà", "Hạnh", "Nga", "Hằng", "Thủy", "Dung",
		"Yến", "Phương", "Loan", "Liên", "Thu", "Tuyết", "Nhung", "Hồng", "Cúc", "Đào",
		"Vân", "Oanh", "Thảo", "Huệ", "Lý", "Bích", "Sen", "Tâm", "Xuân", "Hiền"}
	femGivenYoung = []string{"Linh", "Trang", "Anh", "Ngọc", "Vy", "Nhi", "Thảo", "Hà", "My", "Chi",
		"Hân", "Uyên", "Trâm", "Quỳnh", "Giang", "Phương", "Huyền", "Nhung", "Mai", "Yến",
		"An", "Thư", "Hương", "Ly", "Tiên", "Diệp", "Ngân", "Vân", "Khánh", "Hằng"}
)

// minorityNames holds family names and given names of ethnic groups whose
// names differ from Kinh practice. Groups not listed use Kinh names, which
// is common in registration records.
type minorityNames struct {
	families   []string
	maleMiddle []string
	femMiddle  []string
	maleGiven  []string
	femGiven   []string
}

func namesFor(ethnicity string) (minorityNames, bool) {
	switch ethnicity {
	case "08": // H'Mông
		return minorityNames{
			families:   []string{"Giàng", "Sùng", "Vàng", "Thào", "Lý", "Hầu", "Mùa", "Vừ", "Ly", "Hạng"},
			maleMiddle: []string{"A", "A", "Seo", "Mí"},
			femMiddle:  []string{"Thị", "Thị", "Thị"},
			maleGiven:  []string{"Páo", "Chứ", "Sử", "Dế", "Pó", "Chá", "Lử", "Sình", "Tủa", "Dính", "Súa", "Chính"},
			femGiven:   []string{"Mỷ", "Dợ", "Súa", "Mai", "Pà", "Dua", "Sua", "Chứ", "Di", "Máy"},
		}, true
	case "03": // Thái
		return minorityNames{
			families:   []string{"Lò", "Cầm", "Lường", "Quàng", "Điêu", "Vi", "Hà", "Tòng", "Lù", "Lê"},
			maleMiddle: []string{"Văn"},
			femMiddle:  []string{"Thị"},
			maleGiven:  []string{"Xuân", "Thanh", "Ún", "Panh", "Chăn", "Khăm", "Bun", "Inh", "Sơn", "Tiến"},
			femGiven:   []string{"Ín", "Phương", "Bua", "Xuân", "Ỏn", "Hoa", "Thoa", "Mai", "Lả", "Ánh"},
		}, true
	case "02", "07": // Tày, Nùng
		return minorityNames{
			families:   []string{"Hoàng", "Nông", "Lương", "Ma", "Lục", "Bế", "Đàm", "Vi", "Triệu", "Lăng", "Chu", "Hà"},
			maleMiddle: []string{"Văn", "Văn", "Đức"},
			femMiddle:  []string{"Thị"},
			maleGiven:  maleGivenOld,
			femGiven:   femGivenOld,
		}, true
	case "09": // Dao
		return minorityNames{
			families:   []string{"Triệu", "Bàn", "Đặng", "Lý", "Chảo", "Tẩn", "Phùn"},
			maleMiddle: []string{"Văn", "Tòn", "Láo"},
			femMiddle:  []string{"Thị", "Mẩy"},
			maleGiven:  []string{"Quẩy", "Phin", "Chàn", "Sinh", "Tiến", "Hùng", "Kiềm", "Lở"},
			femGiven:   []string{"Mẩy", "Nái", "Xuân", "Lan", "Kiều", "Sử", "Liều"},
		}, true
	case "05": // Khơ-me
		return minorityNames{
			families:   []string{"Thạch", "Sơn", "Danh", "Kim", "Lâm", "Châu", "Kiên", "Lý", "Trà"},
			maleMiddle: []string{"", "Sô", "Văn"},
			femMiddle:  []string{"Thị", "", "Sóc"},
			maleGiven:  []string{"Sóc", "Sa Rây", "Phol", "Ry", "Chanh", "Tha", "Sang", "Sơ Ri", "Cường", "Rết"},
			femGiven:   []string{"Sa Ri", "Sóc Kha", "Phươl", "Mây", "Sa Vông", "Pha Ly", "Thu", "Chanh Thu"},
		}, true
	case "04": // Hoa
		return minorityNames{
			families:   []string{"Lý", "Trương", "Lâm", "Quách", "Diệp", "Hứa", "Mạc", "Tăng", "Lưu", "La", "Trần"},
			maleMiddle: []string{"Văn", "Gia", "Vĩnh", "Quốc"},
			femMiddle:  []string{"Thị", "Mỹ", "Ngọc", "Tú"},
			maleGiven:  []string{"Cường", "Phát", "Vinh", "Tài", "Kiệt", "Hào", "Lương", "Sinh", "Quang", "Hùng"},
			femGiven:   []string{"Linh", "Mỹ", "Phụng", "Huệ", "Lệ", "Cầm", "Hà", "Anh", "Khanh", "Tú"},
		}, true
	case "10", "12": // Gia-rai, Ê-đê: prefix Y (men) or H' (women) + given + family
		return minorityNames{
			families:  []string{"Niê", "Mlô", "Ksor", "Rmah", "Siu", "Byă", "Êban", "Êya", "Rơ Châm", "Kpă"},
			maleGiven: []string{"Bih", "Mut", "Ngông", "Thanh", "Krăm", "Jăk", "Blô", "Wơn", "Kim", "Hlơ"},
			femGiven:  []string{"Nhi", "Loan", "Duyên", "Yơn", "Mlô", "Bla", "Hen", "Lin", "Kim", "Ngao"},
		}, true
	}
	return minorityNames{}, false
}

// personName is a generated name in its parts.
type personName struct {
	family, middle, given string
	familyLast            bool // Ê-đê/Gia-rai order: prefix given family
}

// Text renders the name as it is written.
func (n personName) Text() string {
	var parts []string
	if n.familyLast {
		parts = []string{n.middle, n.given, n.family}
	} else {
		parts = []string{n.family, n.middle, n.given}
	}
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// fhirName renders the FHIR HumanName: text as written, family = the
// family name, given = the middle name(s) then the given name, following
// the convention of internal/vn and REGULATIONS.md §6.
func (n personName) fhirName() humanName {
	h := humanName{Use: "official", Text: n.Text(), Family: n.family}
	for _, p := range []string{n.middle, n.given} {
		if p != "" {
			h.Given = append(h.Given, strings.Fields(p)...)
		}
	}
	return h
}

// drawFamily picks a family name for an ethnic group and region.
func drawFamily(r *rand.Rand, ethnicity string, south bool, kinh cumulative) string {
	if mn, ok := namesFor(ethnicity); ok && (ethnicity != "04" || chance(r, 0.7)) {
		return pick(r, mn.families)
	}
	f := kinhFamilies[kinh.pick(r)].name
	// Hoàng/Vũ are northern spellings of Huỳnh/Võ; in the south the
	// southern spellings dominate.
	if south {
		switch f {
		case "Hoàng":
			if chance(r, 0.8) {
				f = "Huỳnh"
			}
		case "Vũ":
			if chance(r, 0.8) {
				f = "Võ"
			}
		}
	}
	return f
}

// drawName picks middle and given names for a person of the ethnic group,
// sex and birth year; family is given (inherited).
func drawName(r *rand.Rand, family, ethnicity string, male bool, birthYear int) personName {
	n := personName{family: family}
	if mn, ok := namesFor(ethnicity); ok && (ethnicity != "04" || chance(r, 0.7)) {
		if ethnicity == "10" || ethnicity == "12" {
			n.familyLast = true
			if male {
				n.middle, n.given = "Y", pick(r, mn.maleGiven)
			} else {
				n.middle, n.given = "H'", pick(r, mn.femGiven)
			}
			// Family names of these groups are inherited through the
			// mother, so the household's (father's) name is replaced.
			n.family = pick(r, mn.families)
			return n
		}
		if male {
			n.middle, n.given = pick(r, mn.maleMiddle), pick(r, mn.maleGiven)
		} else {
			n.middle, n.given = pick(r, mn.femMiddle), pick(r, mn.femGiven)
		}
		return n
	}
	// "Thị" and "Văn" mark older generations; younger parents choose
	// more varied middle names.
	young := birthYear >= 1990
	switch {
	case male && young:
		n.middle, n.given = pick(r, maleMiddleYoung), pick(r, maleGivenYoung)
	case male:
		n.middle, n.given = pick(r, maleMiddleOld), pick(r, maleGivenOld)
	case young:
		n.middle, n.given = pick(r, femMiddleYoung), pick(r, femGivenYoung)
	default:
		n.middle, n.given = pick(r, femMiddleOld), pick(r, femGivenOld)
	}
	if n.middle == n.given {
		n.middle = map[bool]string{true: "Văn", false: "Thị"}[male]
	}
	return n
}
