package record

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// pdfText extracts the text of a PDF written with one embedded Identity-H
// font, the way a reader does: every stream is inflated, the font's
// ToUnicode CMap maps glyph ids back to characters, and each hex string
// shown by Tj is decoded with it. Lines are joined with "\n".
func pdfText(tb testing.TB, pdf []byte) string {
	tb.Helper()
	streams := regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(pdf, -1)
	var plain [][]byte
	for _, s := range streams {
		if r, err := zlib.NewReader(bytes.NewReader(s[1])); err == nil {
			if b, err := io.ReadAll(r); err == nil {
				plain = append(plain, b)
				continue
			}
		}
		plain = append(plain, s[1])
	}
	toUni := map[string]rune{}
	bfrange := regexp.MustCompile(`<([0-9A-Fa-f]{4})><([0-9A-Fa-f]{4})><([0-9A-Fa-f]{4})>`)
	for _, b := range plain {
		if !bytes.Contains(b, []byte("beginbfrange")) {
			continue
		}
		for _, m := range bfrange.FindAllSubmatch(b, -1) {
			lo, _ := strconv.ParseUint(string(m[1]), 16, 32)
			hi, _ := strconv.ParseUint(string(m[2]), 16, 32)
			u, _ := strconv.ParseUint(string(m[3]), 16, 32)
			for g := lo; g <= hi; g++ {
				toUni[strings.ToUpper(strconv.FormatUint(g+0x10000, 16)[1:])] = rune(u + g - lo)
			}
		}
	}
	if len(toUni) == 0 {
		tb.Fatal("no ToUnicode map in the PDF")
	}
	var out strings.Builder
	tj := regexp.MustCompile(`<([0-9A-Fa-f]+)>\]?\s*T[jJ]`)
	for _, b := range plain {
		for _, m := range tj.FindAllSubmatch(b, -1) {
			hex := strings.ToUpper(string(m[1]))
			for i := 0; i+4 <= len(hex); i += 4 {
				r, ok := toUni[hex[i:i+4]]
				if !ok {
					tb.Fatalf("glyph %s has no Unicode mapping", hex[i:i+4])
				}
				out.WriteRune(r)
			}
			out.WriteByte('\n')
		}
	}
	return out.String()
}

func TestFormsPDF(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	pr, _ := NewPatientRecord([]byte(patientJSON), episodeResources())
	h := Export(pr, "01013", "2026-03-20")
	d := FormData{Facility: "Bệnh viện Đa khoa Sen", Patient: h.HanhChinh, Episode: h.Dot[0], Signer: "BS. Trần Văn Bình",
		PrescriptionCode: "01013a1b2c3d-C", Date: day("2026-03-02"), Signed: "2026-03-02 10:45"}
	long := d
	long.Episode.VanBan = nil
	for i := 0; i < 40; i++ {
		long.Episode.VanBan = append(long.Episode.VanBan, VanBan{TieuDe: "Diễn biến bệnh", Ngay: "2026-03-02",
			NoiDung: strings.Repeat("Người bệnh tỉnh, tiếp xúc tốt, huyết áp ổn định, không đau ngực, ăn uống được. ", 4)})
	}
	tests := []struct {
		name      string
		form      Form
		data      FormData
		want      []string
		wantPages int
	}{
		{"outpatient", FormOutpatient, d, []string{"BỆNH ÁN NGOẠI TRÚ", "Nguyễn Thị Lan", "Tăng huyết áp vô căn", "6.2 mmol/L",
			"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc", "Giới tính: Nữ"}, 1},
		{"inpatient", FormInpatient, d, []string{"BỆNH ÁN NỘI TRÚ", "Đau đầu 3 ngày", "Viêm gan B mạn"}, 1},
		{"discharge paper", FormDischarge, d, []string{"GIẤY RA VIỆN", "Ra viện lúc"}, 1},
		{"prescription", FormPrescription, d, []string{"ĐƠN THUỐC", "01013a1b2c3d-C", "Amlodipin 5mg", "Ngày 2 tháng 3 năm 2026",
			"Đã ký số: 2026-03-02 10:45", "BS. Trần Văn Bình"}, 1},
		{"long inpatient record breaks pages", FormInpatient, long, []string{"BỆNH ÁN NỘI TRÚ", "ăn uống được", "BS. Trần Văn Bình"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.RenderPDF(tt.form, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out, []byte("%PDF-1.")) || !bytes.Contains(out[len(out)-64:], []byte("%%EOF")) {
				t.Fatalf("not a PDF: %q … %q", out[:16], out[len(out)-16:])
			}
			pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(out, -1))
			if tt.wantPages == 1 && pages != 1 || pages < tt.wantPages {
				t.Errorf("%d pages, want %d", pages, tt.wantPages)
			}
			text := pdfText(t, out)
			flat := strings.ReplaceAll(text, "\n", " ")
			for _, w := range tt.want {
				if !strings.Contains(text, w) && !strings.Contains(flat, w) {
					t.Errorf("PDF text lacks %q:\n%s", w, text)
				}
			}
			if !bytes.Contains(out, []byte("/FontFile2")) || !bytes.Contains(out, []byte("/BaseFont /DejaVuSerif")) || !bytes.Contains(out, []byte("/ToUnicode")) {
				t.Error("the font is not embedded")
			}
		})
	}
	if _, err := r.RenderPDF("x", d); err == nil {
		t.Error("unknown form rendered")
	}
}

func TestFormFor(t *testing.T) {
	res := append(episodeResources(),
		[]byte(`{"resourceType":"MedicationRequest","id":"m2","encounter":{"reference":"Encounter/e1"},"groupIdentifier":{"value":"01013k9x8y7z-C"},"medicationCodeableConcept":{"text":"Losartan 50mg"}}`))
	res[0] = []byte(strings.Replace(string(res[0]), `"class"`, `"participant":[{"individual":{"reference":"Practitioner/d1","display":"BS. Lê Thị Hoa"}}],"class"`, 1))
	pr, err := NewPatientRecord([]byte(patientJSON), res)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		enc     string
		wantErr bool
		signer  string
		code    string
	}{
		{"e1", false, "BS. Lê Thị Hoa", "01013k9x8y7z-C"},
		{"e404", true, "", ""},
	}
	for _, tt := range tests {
		d, err := FormFor(pr, tt.enc, "Bệnh viện Đa khoa Sen", day("2026-03-02"))
		if (err != nil) != tt.wantErr {
			t.Fatalf("%s: err %v", tt.enc, err)
		}
		if err != nil {
			continue
		}
		if d.Signer != tt.signer || d.PrescriptionCode != tt.code || d.Patient.HoTen != "Nguyễn Thị Lan" || len(d.Episode.ChanDoan) != 2 {
			t.Errorf("%s: %+v", tt.enc, d)
		}
	}
}
