package vn

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Codes for rejected BHYT card numbers.
const (
	CodeBHYTEmpty        Code = "bhyt.empty"
	CodeBHYTCharacters   Code = "bhyt.characters"
	CodeBHYTLength       Code = "bhyt.length"
	CodeBHYTGroup        Code = "bhyt.group-code"    // characters 1–2
	CodeBHYTBenefit      Code = "bhyt.benefit-level" // character 3 (VSS check code 053)
	CodeBHYTProvince     Code = "bhyt.province-code" // characters 4–5 (VSS check code 052)
	CodeBHYTSocialNumber Code = "bhyt.social-number" // characters 6–15
	CodeBHYTCCCD         Code = "bhyt.cccd"          // a 12-digit number that is not a valid CCCD
	CodeBHYTGenerateArgs Code = "bhyt.generate-arguments"
)

// BHYTKind says which of the accepted forms a card number was given in.
type BHYTKind string

const (
	// BHYTCard is the 15-character card number printed on cards issued
	// before 2025: group (2 letters) + benefit level (1 digit) + province
	// (2 digits) + 10-digit social-insurance number.
	BHYTCard BHYTKind = "card"
	// BHYTSocialInsurance is the bare 10-digit social-insurance number
	// (mã số BHXH) that VssID and the 2025 practice use as card number.
	BHYTSocialInsurance BHYTKind = "social-insurance"
	// BHYTPersonalID is a 12-digit CCCD shown at reception in place of a
	// card (Decision 2555/QĐ-BYT, 2025).
	BHYTPersonalID BHYTKind = "cccd"
)

// BHYT is a parsed health-insurance card number.
type BHYT struct {
	Kind   BHYTKind
	Number string // normalised: upper case, no separators
	// Set for BHYTCard only:
	Group        string // beneficiary group code, e.g. "HS"
	BenefitLevel int    // 1–5
	ProvinceCode string // 2 digits: the pre-2025 province code of the issuing office
	// SocialInsuranceNumber is the 10-digit mã số BHXH (BHYTCard and
	// BHYTSocialInsurance).
	SocialInsuranceNumber string
	// CCCD is set for BHYTPersonalID.
	CCCD *CCCD
}

// System returns the FHIR identifier system for the number's kind:
// SystemBHYT, SystemSocialInsurance or SystemCCCD.
func (b BHYT) System() string {
	switch b.Kind {
	case BHYTSocialInsurance:
		return SystemSocialInsurance
	case BHYTPersonalID:
		return SystemCCCD
	}
	return SystemBHYT
}

// BHYTGroups are the beneficiary group codes (mã đối tượng, characters 1–2
// of the card) of the published list, QĐ 1351/QĐ-BHXH (2015). The 15 that
// REGULATIONS.md §3 names are confirmed; the rest agree across independent
// public implementations (see docs/identifiers.md). Labels are short
// Vietnamese descriptions, not legal definitions.
var bhytGroups = map[string]string{
	"DN": "Người lao động trong doanh nghiệp",
	"HX": "Người lao động trong hợp tác xã",
	"CH": "Người lao động trong cơ quan, đơn vị sự nghiệp",
	"NN": "Người lao động trong cơ quan, tổ chức nước ngoài",
	"TK": "Người lao động trong tổ chức khác",
	"HC": "Cán bộ, công chức, viên chức",
	"XK": "Người hoạt động không chuyên trách ở xã",
	"HT": "Người hưởng lương hưu",
	"TB": "Người hưởng trợ cấp tai nạn lao động, bệnh nghề nghiệp",
	"NO": "Người nghỉ ốm dài ngày",
	"CT": "Người hưởng trợ cấp hằng tháng (cao tuổi)",
	"XB": "Cán bộ xã hưởng trợ cấp bảo hiểm xã hội",
	"TN": "Người hưởng trợ cấp thất nghiệp",
	"CS": "Công nhân cao su hưởng trợ cấp",
	"QN": "Quân nhân",
	"CA": "Công an nhân dân",
	"CY": "Người làm công tác cơ yếu",
	"XN": "Cán bộ xã nghỉ việc hưởng trợ cấp ngân sách",
	"MS": "Người hưởng trợ cấp mất sức lao động",
	"CC": "Người có công với cách mạng",
	"CK": "Người có công với cách mạng (khác)",
	"CB": "Cựu chiến binh",
	"KC": "Người tham gia kháng chiến",
	"HD": "Đại biểu Quốc hội, Hội đồng nhân dân",
	"TE": "Trẻ em dưới 6 tuổi",
	"BT": "Người hưởng trợ cấp bảo trợ xã hội",
	"HN": "Người thuộc hộ nghèo",
	"DT": "Người dân tộc thiểu số vùng khó khăn",
	"DK": "Người sống ở vùng đặc biệt khó khăn",
	"XD": "Người sống ở xã đảo, huyện đảo",
	"TS": "Thân nhân liệt sĩ",
	"TC": "Thân nhân người có công",
	"TQ": "Thân nhân quân nhân",
	"TA": "Thân nhân công an nhân dân",
	"TY": "Thân nhân người làm công tác cơ yếu",
	"HG": "Người hiến bộ phận cơ thể",
	"LS": "Lưu học sinh nước ngoài",
	"PV": "Người phục vụ người có công",
	"CN": "Người thuộc hộ cận nghèo",
	"HS": "Học sinh",
	"SV": "Sinh viên",
	"GB": "Hộ nông, lâm, ngư, diêm nghiệp mức sống trung bình",
	"GD": "Người tham gia theo hộ gia đình",
}

// BHYTGroup returns the short description of a beneficiary group code and
// whether the code is on the published list.
func BHYTGroup(code string) (string, bool) {
	d, ok := bhytGroups[code]
	return d, ok
}

// ParseBHYT parses a health-insurance number in any of the forms accepted
// at reception: the 15-character card number (old format), the 10-digit
// social-insurance number, or a 12-digit CCCD. Spaces, dots and hyphens are
// ignored and letters may be lower case. The card's province code must be
// a pre-2025 province code (every 2025 code is one of them). Errors are
// *Error with one of the CodeBHYT* codes.
func ParseBHYT(s string) (BHYT, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return BHYT{}, newError(CodeBHYTEmpty, s, "Chưa nhập số thẻ BHYT", "BHYT number is empty")
	}
	b := make([]byte, 0, len(t))
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b = append(b, byte(r))
		case r >= 'a' && r <= 'z':
			b = append(b, byte(r-'a'+'A'))
		case r == ' ' || r == '.' || r == '-':
		default:
			return BHYT{}, newError(CodeBHYTCharacters, s,
				"Số thẻ BHYT chỉ gồm chữ cái và chữ số, có ký tự %q",
				"a BHYT number may contain only letters and digits, found %q", r)
		}
	}
	n := string(b)
	if isDigits(n, len(n)) {
		switch len(n) {
		case 10:
			return BHYT{Kind: BHYTSocialInsurance, Number: n, SocialInsuranceNumber: n}, nil
		case 12:
			c, err := ParseCCCD(n)
			var ce *Error
			if errors.As(err, &ce) {
				return BHYT{}, &Error{Code: CodeBHYTCCCD, Input: s,
					VI: "Số 12 chữ số không phải số CCCD hợp lệ: " + ce.VI,
					EN: "a 12-digit number must be a valid CCCD: " + ce.EN}
			}
			if err != nil {
				return BHYT{}, err
			}
			return BHYT{Kind: BHYTPersonalID, Number: n, CCCD: &c}, nil
		}
		return BHYT{}, newError(CodeBHYTLength, s,
			"Số BHYT gồm 15 ký tự (thẻ), 10 chữ số (mã số BHXH) hoặc 12 chữ số (CCCD); nhận được %d chữ số",
			"a BHYT number has 15 characters (card), 10 digits (social-insurance number) or 12 digits (CCCD); got %d digits", len(n))
	}
	if len(n) != 15 {
		return BHYT{}, newError(CodeBHYTLength, s,
			"Mã thẻ BHYT phải có 15 ký tự, nhận được %d", "a BHYT card number has 15 characters, got %d", len(n))
	}
	card := BHYT{Kind: BHYTCard, Number: n, Group: n[:2], ProvinceCode: n[3:5], SocialInsuranceNumber: n[5:]}
	if _, ok := bhytGroups[card.Group]; !ok {
		return BHYT{}, newError(CodeBHYTGroup, s,
			"Mã đối tượng %q (ký tự 1–2) không có trong danh mục", "beneficiary group %q (characters 1–2) is not on the published list", card.Group)
	}
	if c := n[2]; c < '1' || c > '5' {
		return BHYT{}, newError(CodeBHYTBenefit, s,
			"Mã mức hưởng (ký tự 3) phải là 1–5, nhận được %q", "benefit level (character 3) must be 1–5, got %q", c)
	}
	card.BenefitLevel = int(n[2] - '0')
	u, err := LoadUnits()
	if err != nil {
		return BHYT{}, err
	}
	if _, ok := u.PreReformProvince(card.ProvinceCode); !ok || !isDigits(card.ProvinceCode, 2) {
		return BHYT{}, newError(CodeBHYTProvince, s,
			"Mã tỉnh %q (ký tự 4–5) không hợp lệ", "province code %q (characters 4–5) is not a province code", card.ProvinceCode)
	}
	if !isDigits(card.SocialInsuranceNumber, 10) {
		return BHYT{}, newError(CodeBHYTSocialNumber, s,
			"Mã số BHXH (ký tự 6–15) phải gồm 10 chữ số, nhận được %q",
			"the social-insurance number (characters 6–15) must be 10 digits, got %q", card.SocialInsuranceNumber)
	}
	return card, nil
}

// GenerateSocialInsuranceNumber returns a synthetic 10-digit
// social-insurance number. Sen's synthetic convention (not a rule of the
// real numbering) starts it with the 2-digit province code so that
// generated data are easy to read; provinceCode must have 2 digits.
func GenerateSocialInsuranceNumber(rng *rand.Rand, provinceCode string) (string, error) {
	if !isDigits(provinceCode, 2) {
		return "", newError(CodeBHYTGenerateArgs, provinceCode,
			"Mã tỉnh %q phải có 2 chữ số", "province code %q must have 2 digits", provinceCode)
	}
	return fmt.Sprintf("%s%08d", provinceCode, rng.IntN(100_000_000)), nil
}

// GenerateBHYT returns a synthetic 15-character card number for the given
// beneficiary group (on the published list), benefit level (1–5) and
// pre-2025 province code, with a random social-insurance number from
// GenerateSocialInsuranceNumber. Bad arguments give CodeBHYTGenerateArgs.
func GenerateBHYT(rng *rand.Rand, group string, benefitLevel int, provinceCode string) (string, error) {
	if _, ok := bhytGroups[group]; !ok {
		return "", newError(CodeBHYTGenerateArgs, group,
			"Mã đối tượng %q không có trong danh mục", "beneficiary group %q is not on the published list", group)
	}
	if benefitLevel < 1 || benefitLevel > 5 {
		return "", newError(CodeBHYTGenerateArgs, fmt.Sprint(benefitLevel),
			"Mức hưởng %d phải là 1–5", "benefit level %d must be 1–5", benefitLevel)
	}
	u, err := LoadUnits()
	if err != nil {
		return "", err
	}
	if _, ok := u.PreReformProvince(provinceCode); !ok || len(provinceCode) != 2 {
		return "", newError(CodeBHYTGenerateArgs, provinceCode,
			"Mã tỉnh %q không hợp lệ", "province code %q is not a province code", provinceCode)
	}
	sin, err := GenerateSocialInsuranceNumber(rng, provinceCode)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%d%s%s", group, benefitLevel, provinceCode, sin), nil
}
