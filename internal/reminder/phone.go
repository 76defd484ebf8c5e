package reminder

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/sen-emr/sen/internal/vn"
)

// NormalizePhone returns a Vietnamese mobile number in the form SMS
// gateways and Zalo ZNS expect, "84" and nine digits ("0912 345 678",
// "+84 912 345 678" and "0084912345678" all give "84912345678"). A number
// that is not a Vietnamese mobile (a landline, an old 11-digit number, a
// foreign number, a typo) is an error wrapping ErrNoAddress, whose
// *vn.Error carries the reason in Vietnamese and English.
func NormalizePhone(s string) (string, error) {
	p, err := vn.ParsePhone(s)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoAddress, err)
	}
	return p.Zalo(), nil
}

// smsText folds Vietnamese to plain ASCII for SMS, keeping case: "Sen
// nhắc: đến giờ uống Amlodipin" becomes "Sen nhac: den gio uong
// Amlodipin". One GSM-7 message holds 160 such characters, against 70 in
// UCS-2, and every phone shows them. Characters with no ASCII form
// (emoji, other scripts) become "?".
func smsText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
		case r < 0x80:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
