package synth

// Demographic tables. Sources and the exact numbers are documented in
// docs/synthetic-population.md; keep the two in step.

// ageGroup is a five-year age group of the population pyramid.
type ageGroup struct {
	from, to  int     // inclusive ages
	share     float64 // % of the whole population
	maleShare float64 // share of the group that is male
}

// agePyramid approximates Viet Nam's 2024 population by five-year age
// group (GSO mid-term population and housing survey 2024: 0–14 ≈ 23%,
// 60+ ≈ 14%, ageing index 60.2; sex ratio 99.1 males per 100 females),
// with the shape of the 2019 census pyramid. Male shares fall with age
// from the sex ratio at birth (≈ 111) to about 40 men per 100 women at 90+.
var agePyramid = [...]ageGroup{
	{0, 4, 7.0, 0.525},
	{5, 9, 8.0, 0.522},
	{10, 14, 8.0, 0.520},
	{15, 19, 7.0, 0.515},
	{20, 24, 6.6, 0.510},
	{25, 29, 7.3, 0.506},
	{30, 34, 8.0, 0.504},
	{35, 39, 7.9, 0.502},
	{40, 44, 7.4, 0.500},
	{45, 49, 6.7, 0.496},
	{50, 54, 6.0, 0.490},
	{55, 59, 5.5, 0.480},
	{60, 64, 4.6, 0.468},
	{65, 69, 3.7, 0.452},
	{70, 74, 2.6, 0.430},
	{75, 79, 1.5, 0.405},
	{80, 84, 1.0, 0.375},
	{85, 89, 0.6, 0.340},
	{90, 99, 0.33, 0.290},
}

// Published targets the population test checks against.
const (
	targetShare60Plus = 0.142 // GSO 2024 mid-term survey
	targetShare80Plus = 0.019 // census 2019 (1.7%), projected to 2024
	targetSexRatio    = 99.1  // males per 100 females, GSO 2024
	targetKinhShare   = 0.853 // census 2019
	targetHouseholdSz = 3.5   // census 2019: 3.5 persons per household
)

// preProvince is a pre-2025 province with its 2023 average population
// (thousands, GSO Statistical Yearbook 2023, rounded). Population is kept
// per pre-2025 province because CCCD numbers still carry the pre-2025
// place of birth registration; the 2025 province's weight is the sum of
// the provinces it absorbed (internal/vn knows the successor).
type preProvince struct {
	code string
	pop  float64
}

var prePopulation = [...]preProvince{
	{"01", 8587}, {"02", 906}, {"04", 548}, {"06", 328}, {"08", 805}, {"10", 771},
	{"11", 643}, {"12", 482}, {"14", 1300}, {"15", 847}, {"17", 880}, {"19", 1335},
	{"20", 802}, {"22", 1381}, {"24", 1922}, {"25", 1516}, {"26", 1225}, {"27", 1517},
	{"30", 1956}, {"31", 2105}, {"33", 1290}, {"34", 1882}, {"35", 884}, {"36", 1887},
	{"37", 1010}, {"38", 3760}, {"40", 3442}, {"42", 1323}, {"44", 913}, {"45", 650},
	{"46", 1166}, {"48", 1245}, {"49", 1519}, {"51", 1248}, {"52", 1504}, {"54", 878},
	{"56", 1253}, {"58", 598}, {"60", 1252}, {"62", 580}, {"64", 1590}, {"66", 1918},
	{"67", 670}, {"68", 1333}, {"70", 1030}, {"72", 1188}, {"74", 2763}, {"75", 3255},
	{"77", 1187}, {"79", 9456}, {"80", 1735}, {"82", 1790}, {"83", 1299}, {"84", 1019},
	{"86", 1029}, {"87", 1600}, {"89", 1906}, {"91", 1753}, {"92", 1258}, {"93", 727},
	{"94", 1198}, {"95", 924}, {"96", 1207},
}

// migrantShare is the share of residents whose birth was registered in a
// province other than the one they live in (census 2019: about 7% of the
// population aged 5+ had moved province in the previous five years;
// lifetime migration is higher, concentrated in Hồ Chí Minh City, Bình
// Dương, Đồng Nai and Hà Nội). The CCCD place code follows birth.
func migrantShare(provinceCode string) float64 {
	switch provinceCode {
	case "79", "75":
		return 0.35
	case "01", "48":
		return 0.20
	}
	return 0.08
}

// ethnicMix gives, for a 2025 province, the share of each ethnic group
// (GSO codes) in its population, following the 2019 census provincial
// tables summed over the merged provinces and rounded. Provinces not listed
// are treated as 99.5% Kinh.
func ethnicMix(provinceCode string) []ethnicShare {
	switch provinceCode {
	case "04": // Cao Bằng
		return []ethnicShare{{"01", 5}, {"02", 41}, {"07", 31}, {"08", 11}, {"09", 10}, {"15", 2}}
	case "08": // Tuyên Quang + Hà Giang
		return []ethnicShare{{"01", 26}, {"02", 26}, {"08", 22}, {"09", 13}, {"07", 5}, {"15", 4}, {"25", 2}, {"40", 1}, {"43", 1}}
	case "11": // Điện Biên
		return []ethnicShare{{"01", 18}, {"03", 35}, {"08", 38}, {"29", 3}, {"09", 2}, {"37", 1}, {"35", 1}, {"41", 1}, {"42", 1}}
	case "12": // Lai Châu
		return []ethnicShare{{"01", 14}, {"08", 34}, {"03", 32}, {"09", 14}, {"35", 4}, {"41", 1}, {"45", 1}}
	case "14": // Sơn La
		return []ethnicShare{{"01", 17}, {"03", 54}, {"08", 17}, {"06", 8}, {"09", 2}, {"33", 1}, {"34", 1}}
	case "15": // Lào Cai + Yên Bái
		return []ethnicShare{{"01", 45}, {"08", 17}, {"02", 13}, {"09", 14}, {"25", 3}, {"03", 3}, {"07", 2}, {"35", 1}, {"40", 1}, {"06", 1}}
	case "19": // Thái Nguyên + Bắc Kạn
		return []ethnicShare{{"01", 61}, {"02", 22}, {"07", 7}, {"09", 5}, {"15", 2}, {"18", 2}, {"08", 1}}
	case "20": // Lạng Sơn
		return []ethnicShare{{"01", 16}, {"07", 43}, {"02", 36}, {"09", 4}, {"04", 1}}
	case "22": // Quảng Ninh
		return []ethnicShare{{"01", 88}, {"09", 5}, {"02", 4}, {"18", 2}, {"15", 1}}
	case "24": // Bắc Ninh + Bắc Giang
		return []ethnicShare{{"01", 89}, {"07", 4}, {"02", 3}, {"15", 2}, {"18", 1}, {"04", 1}}
	case "25": // Phú Thọ + Vĩnh Phúc + Hòa Bình
		return []ethnicShare{{"01", 73}, {"06", 23}, {"09", 1}, {"02", 1}, {"03", 1}, {"18", 1}}
	case "38": // Thanh Hóa
		return []ethnicShare{{"01", 84}, {"06", 9}, {"03", 6}, {"24", 1}}
	case "40": // Nghệ An
		return []ethnicShare{{"01", 86}, {"03", 10}, {"29", 2}, {"08", 1}, {"24", 1}}
	case "44": // Quảng Trị + Quảng Bình
		return []ethnicShare{{"01", 94}, {"23", 5}, {"44", 1}}
	case "46": // Huế
		return []ethnicShare{{"01", 97}, {"31", 2}, {"26", 1}}
	case "48": // Đà Nẵng + Quảng Nam
		return []ethnicShare{{"01", 95}, {"26", 3}, {"14", 1}, {"27", 1}}
	case "51": // Quảng Ngãi + Kon Tum
		return []ethnicShare{{"01", 72}, {"14", 10}, {"19", 9}, {"13", 5}, {"30", 2}, {"27", 1}, {"54", 1}}
	case "52": // Gia Lai + Bình Định
		return []ethnicShare{{"01", 72}, {"10", 18}, {"13", 9}, {"19", 1}}
	case "56": // Khánh Hòa + Ninh Thuận
		return []ethnicShare{{"01", 88}, {"21", 6}, {"17", 5}, {"16", 1}}
	case "66": // Đắk Lắk + Phú Yên
		return []ethnicShare{{"01", 74}, {"12", 14}, {"07", 3}, {"02", 2}, {"20", 2}, {"08", 1}, {"09", 1}, {"06", 1}, {"10", 1}, {"13", 1}}
	case "68": // Lâm Đồng + Đắk Nông + Bình Thuận
		return []ethnicShare{{"01", 85}, {"16", 5}, {"20", 3}, {"28", 2}, {"07", 1}, {"02", 1}, {"17", 1}, {"36", 1}, {"21", 1}}
	case "75": // Đồng Nai + Bình Phước
		return []ethnicShare{{"01", 90}, {"22", 3}, {"04", 2}, {"07", 2}, {"02", 1}, {"32", 1}, {"05", 1}}
	case "79": // Hồ Chí Minh + Bình Dương + Bà Rịa - Vũng Tàu
		return []ethnicShare{{"01", 94}, {"04", 5}, {"05", 1}}
	case "86": // Vĩnh Long + Bến Tre + Trà Vinh
		return []ethnicShare{{"01", 89}, {"05", 10}, {"04", 1}}
	case "91": // An Giang + Kiên Giang
		return []ethnicShare{{"01", 88}, {"05", 9}, {"04", 2}, {"17", 1}}
	case "92": // Cần Thơ + Sóc Trăng + Hậu Giang
		return []ethnicShare{{"01", 82}, {"05", 14}, {"04", 4}}
	case "96": // Cà Mau + Bạc Liêu
		return []ethnicShare{{"01", 94}, {"05", 4}, {"04", 2}}
	}
	return []ethnicShare{{"01", 99.5}, {"04", 0.3}, {"06", 0.2}}
}

type ethnicShare struct {
	code  string
	share float64
}
