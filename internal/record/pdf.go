package record

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/signintech/gopdf"
)

// DejaVu Serif (Bitstream Vera licence, fonts/LICENSE-DejaVu) has every
// Vietnamese letter; it is embedded as a subset with a ToUnicode map, so
// the PDF's text can be searched and copied.
//
//go:embed fonts/DejaVuSerif.ttf
var serifTTF []byte

// A4 in points, with 15 mm margins as the HTML form's @page.
const (
	pageW, pageH = 595.28, 841.89
	margin       = 42.5
	bodySize     = 11.5
)

// RenderPDF renders the form as an A4 PDF in Vietnamese, with the same
// content as Render's HTML page (guidance 365/TTYQG-GPQLCL function (a):
// every form can be shown at least as PDF).
func (r *Renderer) RenderPDF(f Form, d FormData) ([]byte, error) {
	title, ok := formTitles[f]
	if !ok {
		return nil, fmt.Errorf("record form %q: unknown (want outpatient, inpatient, discharge, prescription) / không có mẫu này", f)
	}
	p := &pdfPage{pdf: &gopdf.GoPdf{}}
	p.pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}})
	p.pdf.SetInfo(gopdf.PdfInfo{Title: title + " – " + d.Patient.HoTen, Creator: "Sen", Producer: "Sen (gopdf)", CreationDate: d.Date})
	if err := p.pdf.AddTTFFontData("DejaVuSerif", serifTTF); err != nil {
		return nil, fmt.Errorf("record form PDF: font: %w", err)
	}
	p.pdf.AddPage()
	p.y = margin

	// Header: the facility on the left, the national motto on the right.
	top := p.y
	p.write(d.Facility, 10.5, margin, pageW/2-margin, gopdf.Left)
	p.write("Mã hồ sơ: "+d.Episode.MaDot, 10.5, margin, pageW/2-margin, gopdf.Left)
	left := p.y
	p.y = top
	p.write("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 10.5, pageW/2, pageW/2-margin, gopdf.Center)
	p.write("Độc lập – Tự do – Hạnh phúc", 10.5, pageW/2, pageW/2-margin, gopdf.Center)
	p.y = max(p.y, left) + 14
	p.write(title, 16, margin, pageW-2*margin, gopdf.Center)
	p.y += 8

	sex := map[string]string{"male": "Nam", "female": "Nữ"}[d.Patient.GioiTinh]
	if sex == "" {
		sex = "Chưa xác định"
	}
	p.para(fmt.Sprintf("Họ và tên người bệnh: %s    Ngày sinh: %s    Giới tính: %s", d.Patient.HoTen, d.Patient.NgaySinh, sex))
	p.para(fmt.Sprintf("Số định danh cá nhân: %s    Số thẻ BHYT: %s", d.Patient.SoCCCD, d.Patient.MaTheBHYT))
	p.para("Địa chỉ: " + d.Patient.DiaChi)

	e := d.Episode
	switch f {
	case FormOutpatient:
		p.para("Vào lúc: " + e.NgayVao)
		p.heading("Chẩn đoán")
		p.diagnoses(e)
		if len(e.KetQua) > 0 {
			p.heading("Kết quả cận lâm sàng")
			var rows [][]string
			for _, k := range e.KetQua {
				rows = append(rows, []string{k.TenChiSo, strings.TrimSpace(k.GiaTri + " " + k.DonVi), k.Ngay})
			}
			p.table([]float64{0.5, 0.25, 0.25}, []string{"Chỉ số", "Kết quả", "Ngày"}, rows)
		}
		if len(e.Thuoc) > 0 {
			p.heading("Điều trị")
			p.medicines(e)
		}
	case FormInpatient:
		p.para("Vào viện: " + e.NgayVao + "    Ra viện: " + e.NgayRa)
		p.heading("Chẩn đoán")
		p.diagnoses(e)
		for _, v := range e.VanBan {
			p.heading(v.TieuDe + " (" + v.Ngay + ")")
			p.para(v.NoiDung)
		}
		if len(e.Thuoc) > 0 {
			p.heading("Thuốc đã dùng")
			p.medicines(e)
		}
	case FormDischarge:
		p.para("Vào viện lúc: " + e.NgayVao + "    Ra viện lúc: " + e.NgayRa)
		p.heading("Chẩn đoán")
		p.diagnoses(e)
		for _, v := range e.VanBan {
			p.para(v.NoiDung)
		}
	case FormPrescription:
		var ds []string
		for _, c := range e.ChanDoan {
			ds = append(ds, c.MaICD+" "+c.TenBenh)
		}
		p.para("Chẩn đoán: " + strings.Join(ds, "; "))
		if d.PrescriptionCode != "" {
			p.para("Mã đơn thuốc: " + d.PrescriptionCode)
		}
		p.medicines(e)
		p.para("Lời dặn: Khám lại xin mang theo đơn này.")
	}

	// Signature block, right half.
	role := d.SignerRole
	if role == "" {
		role = "Bác sĩ điều trị"
	}
	p.y += 14
	p.need(90)
	p.write(fmt.Sprintf("Ngày %d tháng %d năm %d", d.Date.Day(), int(d.Date.Month()), d.Date.Year()), bodySize, pageW/2, pageW/2-margin, gopdf.Center)
	p.write(role, bodySize, pageW/2, pageW/2-margin, gopdf.Center)
	p.y += 24
	if d.Signed != "" {
		p.write("Đã ký số: "+d.Signed, 9.5, pageW/2, pageW/2-margin, gopdf.Center)
	}
	p.write(d.Signer, bodySize, pageW/2, pageW/2-margin, gopdf.Center)
	if p.err != nil {
		return nil, fmt.Errorf("record form %s PDF: %w", f, p.err)
	}
	return p.pdf.GetBytesPdf(), nil
}

// pdfPage lays text out top to bottom, breaking pages as it goes. The
// first error stops all drawing and is returned by RenderPDF.
type pdfPage struct {
	pdf *gopdf.GoPdf
	y   float64
	err error
}

// need starts a new page unless h points fit on this one.
func (p *pdfPage) need(h float64) {
	if p.y+h > pageH-margin {
		p.pdf.AddPage()
		p.y = margin
	}
}

// lines wraps s to width at size (explicit line breaks kept).
func (p *pdfPage) lines(s string, size, width float64) []string {
	if p.err != nil {
		return nil
	}
	if p.err = p.pdf.SetFont("DejaVuSerif", "", size); p.err != nil {
		return nil
	}
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		if strings.TrimSpace(para) == "" {
			out = append(out, "")
			continue
		}
		ls, err := p.pdf.SplitTextWithWordWrap(para, width)
		if err != nil {
			p.err = err
			return nil
		}
		out = append(out, ls...)
	}
	return out
}

// write puts s in the column [x, x+width] from the current line down.
func (p *pdfPage) write(s string, size, x, width float64, align int) {
	lh := size * 1.35
	for _, l := range p.lines(s, size, width) {
		p.need(lh)
		p.pdf.SetXY(x, p.y)
		if p.err == nil && l != "" {
			p.err = p.pdf.CellWithOption(&gopdf.Rect{W: width, H: lh}, l, gopdf.CellOption{Align: align | gopdf.Top})
		}
		p.y += lh
	}
}

func (p *pdfPage) para(s string) { p.write(s, bodySize, margin, pageW-2*margin, gopdf.Left) }

func (p *pdfPage) heading(s string) {
	p.y += 6
	p.need(40) // keep a heading with its first lines
	p.write(s, 13, margin, pageW-2*margin, gopdf.Left)
}

// table draws a bordered table; widths are fractions of the text width.
func (p *pdfPage) table(widths []float64, header []string, rows [][]string) {
	const pad, size = 4.0, 10.5
	lh := size * 1.3
	full := pageW - 2*margin
	for i, row := range append([][]string{header}, rows...) {
		cells := make([][]string, len(row))
		h := 0.0
		for c, text := range row {
			cells[c] = p.lines(text, size, widths[c]*full-2*pad)
			h = max(h, float64(len(cells[c]))*lh+2*pad)
		}
		p.need(h)
		x := margin
		for c := range row {
			w := widths[c] * full
			p.pdf.Line(x, p.y, x+w, p.y)
			p.pdf.Line(x, p.y+h, x+w, p.y+h)
			p.pdf.Line(x, p.y, x, p.y+h)
			p.pdf.Line(x+w, p.y, x+w, p.y+h)
			for k, l := range cells[c] {
				if p.err != nil || l == "" {
					continue
				}
				p.pdf.SetXY(x+pad, p.y+pad+float64(k)*lh)
				align := gopdf.Left
				if i == 0 {
					align = gopdf.Center
				}
				p.err = p.pdf.CellWithOption(&gopdf.Rect{W: w - 2*pad, H: lh}, l, gopdf.CellOption{Align: align | gopdf.Top})
			}
			x += w
		}
		p.y += h
	}
	p.y += 4
}

func (p *pdfPage) diagnoses(e DotDieuTri) {
	var rows [][]string
	for _, c := range e.ChanDoan {
		kind := "Bệnh kèm theo"
		if c.Chinh {
			kind = "Bệnh chính"
		}
		rows = append(rows, []string{c.MaICD, c.TenBenh, kind})
	}
	p.table([]float64{0.18, 0.57, 0.25}, []string{"Mã ICD-10", "Chẩn đoán", ""}, rows)
}

func (p *pdfPage) medicines(e DotDieuTri) {
	var rows [][]string
	for i, t := range e.Thuoc {
		rows = append(rows, []string{fmt.Sprint(i + 1), t.TenThuoc, t.LieuDung})
	}
	p.table([]float64{0.08, 0.5, 0.42}, []string{"STT", "Tên thuốc, hàm lượng", "Cách dùng"}, rows)
}
