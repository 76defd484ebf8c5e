package bhyt

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sen-emr/sen/internal/vn"
)

// Error codes of FieldError.
const (
	ErrRequired  = "required"
	ErrLength    = "length"
	ErrFormat    = "format"
	ErrDate      = "date"
	ErrCode      = "code"
	ErrCard      = "card"
	ErrOrder     = "order"     // a time before the one it must follow
	ErrTotal     = "total"     // a sum or product that does not add up
	ErrStructure = "structure" // XML structure
)

// FieldError is one problem with one field of one row.
type FieldError struct {
	Table    string
	Row      int // 1-based
	Field    string
	Code     string
	Value    string
	Message  string
	MessageV string
}

func (e FieldError) Error() string {
	return fmt.Sprintf("%s row %d %s: %s / %s", e.Table, e.Row, e.Field, e.Message, e.MessageV)
}

// Validate checks every field of every row of the claim against its table
// definition (required, length, format, code list, real dates) and the
// rules between fields (card number, admission before discharge, line
// amounts and totals). It returns one FieldError per problem, so the
// sender can show each wrong field instead of the claim being sent.
func Validate(c *Claim) []FieldError {
	var errs []FieldError
	for _, name := range c.Names() {
		t, _ := TableByName(name)
		for i, r := range c.Tables[name] {
			errs = append(errs, ValidateRow(t, i+1, r)...)
		}
	}
	return append(errs, crossCheck(c)...)
}

// ValidateRow checks one row's fields against the table definition.
func ValidateRow(t *Table, n int, r Row) []FieldError {
	var errs []FieldError
	add := func(f Field, code, v, en, vi string) {
		errs = append(errs, FieldError{Table: t.Name, Row: n, Field: f.Name, Code: code, Value: v, Message: en, MessageV: vi})
	}
	for _, f := range t.Fields {
		v := r[f.Name]
		if v == "" {
			if f.Required {
				add(f, ErrRequired, v, "is required", "bắt buộc nhập")
			}
			continue
		}
		if f.Max > 0 && utf8.RuneCountInString(v) > f.Max && !(f.Multi && (f.Kind == Date)) {
			add(f, ErrLength, v, fmt.Sprintf("is %d characters, at most %d", utf8.RuneCountInString(v), f.Max),
				fmt.Sprintf("dài %d ký tự, tối đa %d", utf8.RuneCountInString(v), f.Max))
		}
		vals := []string{v}
		if f.Multi {
			vals = strings.Split(v, ";")
		}
		for _, one := range vals {
			if msg, vi := checkKind(f, one); msg != "" {
				code := ErrFormat
				if f.Kind == DateTime || f.Kind == Date {
					code = ErrDate
				}
				add(f, code, one, msg, vi)
				continue
			}
			if len(f.Codes) > 0 && !contains(f.Codes, one) {
				add(f, ErrCode, one, fmt.Sprintf("%q is not one of %s", one, strings.Join(f.Codes, ",")),
					fmt.Sprintf("%q không thuộc danh mục", one))
			}
			if f.Re != nil && !f.Re.MatchString(one) {
				add(f, ErrFormat, one, fmt.Sprintf("%q does not match %s", one, f.Re), fmt.Sprintf("%q sai định dạng", one))
			}
		}
	}
	return errs
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// checkKind returns an English and Vietnamese message when v is not a
// value of the field's kind.
func checkKind(f Field, v string) (string, string) {
	switch f.Kind {
	case DateTime:
		if f.Name == "NGAY_SINH" || f.Name == "NGAY_SINH_CON" {
			return checkBirth(v)
		}
		if _, err := parseDateTime(v); err != nil {
			return "is not a real date-time yyyyMMddHHmm: " + v, "không phải ngày giờ hợp lệ (yyyyMMddHHmm): " + v
		}
	case Date:
		if _, err := time.Parse("20060102", v); err != nil || len(v) != 8 {
			return "is not a real date yyyyMMdd: " + v, "không phải ngày hợp lệ (yyyyMMdd): " + v
		}
	case Int:
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			return "is not a whole number", "không phải số nguyên"
		}
	case Money, Price, Decimal:
		d, err := ParseDec(v)
		if err != nil {
			return "is not a decimal number with '.'", "không phải số thập phân (dấu chấm)"
		}
		places := map[Kind]int{Money: 2, Price: 3, Decimal: 6}[f.Kind]
		if d.Round(places).Cmp(d) != 0 {
			return fmt.Sprintf("has more than %d decimals", places), fmt.Sprintf("quá %d chữ số thập phân", places)
		}
	}
	return "", ""
}

func parseDateTime(v string) (time.Time, error) {
	if len(v) != 12 {
		return time.Time{}, fmt.Errorf("length %d", len(v))
	}
	return time.Parse("200601021504", v)
}

// checkBirth accepts yyyyMMddHHmm with 0000 for an unknown time, and
// yyyy00000000 for an unknown day and month.
func checkBirth(v string) (string, string) {
	bad := func() (string, string) {
		return "is not a birth date yyyyMMddHHmm (0000 for unknown parts): " + v, "ngày sinh không hợp lệ: " + v
	}
	if len(v) != 12 {
		return bad()
	}
	if v[4:] == "00000000" {
		if _, err := time.Parse("2006", v[:4]); err != nil {
			return bad()
		}
		return "", ""
	}
	if _, err := time.Parse("20060102", v[:8]); err != nil {
		return bad()
	}
	if _, err := time.Parse("1504", v[8:]); err != nil {
		return bad()
	}
	return "", ""
}

// crossCheck applies the rules between fields and tables.
func crossCheck(c *Claim) []FieldError {
	var errs []FieldError
	add := func(table string, row int, field, code, v, en, vi string) {
		errs = append(errs, FieldError{Table: table, Row: row, Field: field, Code: code, Value: v, Message: en, MessageV: vi})
	}
	for _, name := range []string{"XML0", "XML1", "XML13", "XML14"} {
		for i, r := range c.Tables[name] {
			card := r["MA_THE_BHYT"]
			if card == "" {
				if name == "XML1" {
					add(name, i+1, "MA_THE_BHYT", ErrRequired, "", "a BHYT claim needs the card number", "hồ sơ BHYT phải có mã thẻ")
				}
				continue
			}
			for _, one := range strings.Split(card, ";") {
				if _, err := vn.ParseBHYT(one); err != nil {
					add(name, i+1, "MA_THE_BHYT", ErrCard, one, "wrong card number: "+err.Error(), "mã thẻ BHYT sai")
				}
			}
			in, e1 := parseDateTime(r["NGAY_VAO"])
			out, e2 := parseDateTime(r["NGAY_RA"])
			if e1 == nil && e2 == nil && out.Before(in) {
				add(name, i+1, "NGAY_RA", ErrOrder, r["NGAY_RA"], "discharge is before admission", "ngày ra trước ngày vào")
			}
			if from, to := r["GT_THE_TU"], r["GT_THE_DEN"]; from != "" && to != "" && !strings.Contains(from+to, ";") && to < from {
				add(name, i+1, "GT_THE_DEN", ErrOrder, to, "card valid-to is before valid-from", "hạn thẻ đến trước hạn thẻ từ")
			}
		}
	}
	sumOf := func(table, field string) Dec {
		var s Dec
		for _, r := range c.Tables[table] {
			if d, err := ParseDec(r[field]); err == nil {
				s = s.Add(d)
			}
		}
		return s
	}
	lines := map[string]string{"XML2": "DON_GIA", "XML3": "DON_GIA_BV"}
	for table, priceField := range lines {
		for i, r := range c.Tables[table] {
			q, e1 := ParseDec(r["SO_LUONG"])
			p, e2 := ParseDec(r[priceField])
			tt, e3 := ParseDec(r["THANH_TIEN_BV"])
			if e1 == nil && e2 == nil && e3 == nil && q.Mul(p).Round(2).Cmp(tt) != 0 {
				add(table, i+1, "THANH_TIEN_BV", ErrTotal, r["THANH_TIEN_BV"],
					fmt.Sprintf("is not SO_LUONG × %s = %s", priceField, q.Mul(p).Round(2)), "không bằng số lượng × đơn giá")
			}
		}
	}
	if len(c.Tables["XML1"]) == 1 {
		x1 := c.Tables["XML1"][0]
		checks := []struct {
			field string
			want  Dec
			what  string
		}{
			{"T_TONGCHI_BV", sumOf("XML2", "THANH_TIEN_BV").Add(sumOf("XML3", "THANH_TIEN_BV")), "XML2 + XML3 THANH_TIEN_BV"},
			{"T_THUOC", sumOf("XML2", "THANH_TIEN_BV"), "XML2 THANH_TIEN_BV"},
			{"T_BHTT", sumOf("XML2", "T_BHTT").Add(sumOf("XML3", "T_BHTT")), "XML2 + XML3 T_BHTT"},
		}
		for _, ck := range checks {
			got, err := ParseDec(x1[ck.field])
			if err == nil && got.Cmp(ck.want) != 0 {
				add("XML1", 1, ck.field, ErrTotal, x1[ck.field], fmt.Sprintf("is not the sum of %s = %s", ck.what, ck.want),
					fmt.Sprintf("không bằng tổng %s = %s", ck.what, ck.want))
			}
		}
	}
	return errs
}
