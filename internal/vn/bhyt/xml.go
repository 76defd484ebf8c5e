package bhyt

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

const xmlHeader = `<?xml version="1.0" encoding="utf-8"?>` + "\n"

// MarshalTable writes one table as XML: the containers of t.Path, one row
// element per Row with every field of the table in order (empty fields as
// empty elements).
func MarshalTable(t *Table, rows []Row) []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	for _, el := range t.Path[:len(t.Path)-1] {
		b.WriteString("<" + el + ">\n")
	}
	for _, r := range rows {
		b.WriteString("<" + t.Row() + ">\n")
		for _, f := range t.Fields {
			b.WriteString("  <" + f.Name + ">")
			_ = xml.EscapeText(&b, []byte(r[f.Name]))
			b.WriteString("</" + f.Name + ">\n")
		}
		b.WriteString("</" + t.Row() + ">\n")
	}
	for i := len(t.Path) - 2; i >= 0; i-- {
		b.WriteString("</" + t.Path[i] + ">\n")
	}
	return b.Bytes()
}

// ParseTable reads a table's XML back into rows, checking the structure:
// the container elements, only known fields, in the table's order. Each
// structural problem is a FieldError.
func ParseTable(t *Table, data []byte) ([]Row, []FieldError) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var rows []Row
	var errs []FieldError
	var stack []string
	var cur Row
	next := 0 // index of the next expected field in the row
	var text strings.Builder
	bad := func(row int, field, msg, msgV string) {
		errs = append(errs, FieldError{Table: t.Name, Row: row, Field: field, Code: ErrStructure, Message: msg, MessageV: msgV})
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			bad(0, "", "not well-formed XML: "+err.Error(), "XML không hợp lệ")
			return rows, errs
		}
		switch el := tok.(type) {
		case xml.StartElement:
			name := el.Name.Local
			depth := len(stack)
			stack = append(stack, name)
			switch {
			case depth < len(t.Path):
				if name != t.Path[depth] {
					bad(len(rows), name, fmt.Sprintf("element %s where %s was expected", name, t.Path[depth]),
						fmt.Sprintf("thẻ %s sai vị trí, cần %s", name, t.Path[depth]))
					return rows, errs
				}
				if depth == len(t.Path)-1 {
					cur, next = Row{}, 0
				}
			case depth == len(t.Path):
				text.Reset()
				i := fieldIndex(t, name)
				switch {
				case i < 0:
					bad(len(rows)+1, name, "unknown field "+name, "trường không có trong bảng: "+name)
				case i < next:
					bad(len(rows)+1, name, "field "+name+" is repeated or out of order", "trường "+name+" lặp hoặc sai thứ tự")
				default:
					next = i + 1
				}
			default:
				bad(len(rows)+1, name, "nested element "+name+" inside a field", "thẻ lồng trong trường")
			}
		case xml.CharData:
			if len(stack) == len(t.Path)+1 {
				text.Write(el)
			}
		case xml.EndElement:
			depth := len(stack) - 1
			if depth == len(t.Path) && cur != nil {
				cur[el.Name.Local] = text.String()
			}
			if depth == len(t.Path)-1 {
				rows = append(rows, cur)
				cur = nil
			}
			stack = stack[:depth]
		}
	}
	return rows, errs
}

func fieldIndex(t *Table, name string) int {
	for i, f := range t.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// EnvelopeSigner produces the content of CHUKYDONVI, the facility's
// signature over the envelope. What exactly is signed, and in which
// format, must come from the BHXH portal's XSD (REGULATIONS.md §9 item
// 2); Sen passes the envelope without CHUKYDONVI and leaves the format to
// the implementation.
type EnvelopeSigner interface {
	SignEnvelope(ctx context.Context, unsigned []byte) (string, error)
}

// Envelope wraps the claim's tables in the GIAMDINHHS envelope, each table
// base64-encoded, and signs it with signer (nil leaves CHUKYDONVI empty,
// for review before signing). created gives NGAYLAP.
func Envelope(ctx context.Context, c *Claim, created time.Time, signer EnvelopeSigner) ([]byte, error) {
	if c.MaCSKCB == "" {
		return nil, errors.New("claim envelope: no MA_CSKCB / thiếu mã cơ sở KCB")
	}
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	b.WriteString(`<GIAMDINHHS xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` + "\n")
	b.WriteString("<THONGTINDONVI><MACSKCB>" + c.MaCSKCB + "</MACSKCB></THONGTINDONVI>\n")
	b.WriteString("<THONGTINHOSO><NGAYLAP>" + FormatDate(created) + "</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO>\n<DANHSACHHOSO><HOSO>\n")
	for _, name := range c.Names() {
		if name == "XML0" {
			continue // XML0 is the check-in message, sent on its own
		}
		t, _ := TableByName(name)
		b.WriteString("<FILEHOSO><LOAIHOSO>" + name + "</LOAIHOSO><NOIDUNGFILE>")
		b.WriteString(base64.StdEncoding.EncodeToString(MarshalTable(t, c.Tables[name])))
		b.WriteString("</NOIDUNGFILE></FILEHOSO>\n")
	}
	b.WriteString("</HOSO></DANHSACHHOSO></THONGTINHOSO>\n")
	sig := ""
	if signer != nil {
		var err error
		if sig, err = signer.SignEnvelope(ctx, b.Bytes()); err != nil {
			return nil, fmt.Errorf("claim envelope %s: sign: %w", c.MaLK, err)
		}
	}
	b.WriteString("<CHUKYDONVI>")
	_ = xml.EscapeText(&b, []byte(sig))
	b.WriteString("</CHUKYDONVI>\n</GIAMDINHHS>\n")
	return b.Bytes(), nil
}

// OpenEnvelope decodes a GIAMDINHHS envelope back into its tables (XML
// bytes by name) and the CHUKYDONVI content.
func OpenEnvelope(data []byte) (map[string][]byte, string, error) {
	var env struct {
		XMLName xml.Name `xml:"GIAMDINHHS"`
		Files   []struct {
			Type    string `xml:"LOAIHOSO"`
			Content string `xml:"NOIDUNGFILE"`
		} `xml:"THONGTINHOSO>DANHSACHHOSO>HOSO>FILEHOSO"`
		Sig string `xml:"CHUKYDONVI"`
	}
	if err := xml.Unmarshal(data, &env); err != nil {
		return nil, "", fmt.Errorf("claim envelope: %w", err)
	}
	out := map[string][]byte{}
	for _, f := range env.Files {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(f.Content))
		if err != nil {
			return nil, "", fmt.Errorf("claim envelope %s: base64: %w", f.Type, err)
		}
		out[f.Type] = raw
	}
	return out, env.Sig, nil
}
