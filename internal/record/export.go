package record

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// HoSoBenhAn is a patient's record in the export schema of technical
// guidance 365/TTYQG-GPQLCL (2025) function (d): XML or JSON, ICD field
// "maicd" of up to 7 characters. Only the root name and maicd are from the
// guidance as summarised in REGULATIONS.md §1 [S]; the other element names
// are Sen's until the appendix is read (docs/regulations.md).
type HoSoBenhAn struct {
	XMLName   xml.Name     `xml:"HoSoBenhAn" json:"-"`
	MaCSKCB   string       `xml:"maCSKCB" json:"maCSKCB"`
	NgayXuat  string       `xml:"ngayXuat" json:"ngayXuat"`
	HanhChinh HanhChinh    `xml:"ThongTinHanhChinh" json:"thongTinHanhChinh"`
	Dot       []DotDieuTri `xml:"DotDieuTri" json:"dotDieuTri"`
}

// HanhChinh is the administrative part.
type HanhChinh struct {
	MaBN      string `xml:"maBN" json:"maBN"`
	HoTen     string `xml:"hoTen" json:"hoTen"`
	NgaySinh  string `xml:"ngaySinh" json:"ngaySinh"`
	GioiTinh  string `xml:"gioiTinh" json:"gioiTinh"`
	SoCCCD    string `xml:"soCCCD,omitempty" json:"soCCCD,omitempty"`
	MaTheBHYT string `xml:"maTheBHYT,omitempty" json:"maTheBHYT,omitempty"`
	DiaChi    string `xml:"diaChi,omitempty" json:"diaChi,omitempty"`
}

// DotDieuTri is one episode.
type DotDieuTri struct {
	MaDot    string     `xml:"maDot" json:"maDot"`
	Loai     string     `xml:"loai" json:"loai"`
	NgayVao  string     `xml:"ngayVao" json:"ngayVao"`
	NgayRa   string     `xml:"ngayRa,omitempty" json:"ngayRa,omitempty"`
	ChanDoan []ChanDoan `xml:"ChanDoan" json:"chanDoan"`
	Thuoc    []Thuoc    `xml:"Thuoc" json:"thuoc,omitempty"`
	KetQua   []KetQua   `xml:"KetQua" json:"ketQua,omitempty"`
	VanBan   []VanBan   `xml:"VanBan" json:"vanBan,omitempty"`
}

// ChanDoan is a diagnosis.
type ChanDoan struct {
	MaICD   string `xml:"maicd" json:"maicd"`
	TenBenh string `xml:"tenBenh" json:"tenBenh"`
	Chinh   bool   `xml:"benhChinh" json:"benhChinh"`
}

// Thuoc is a medicine order.
type Thuoc struct {
	TenThuoc string `xml:"tenThuoc" json:"tenThuoc"`
	LieuDung string `xml:"lieuDung" json:"lieuDung"`
	NgayKe   string `xml:"ngayKe" json:"ngayKe"`
}

// KetQua is a result.
type KetQua struct {
	TenChiSo string `xml:"tenChiSo" json:"tenChiSo"`
	GiaTri   string `xml:"giaTri" json:"giaTri"`
	DonVi    string `xml:"donVi,omitempty" json:"donVi,omitempty"`
	Ngay     string `xml:"ngay" json:"ngay"`
}

// VanBan is a clinical document (note, discharge paper).
type VanBan struct {
	Loai    string `xml:"loai" json:"loai"`
	TieuDe  string `xml:"tieuDe" json:"tieuDe"`
	Ngay    string `xml:"ngay" json:"ngay"`
	NoiDung string `xml:"noiDung" json:"noiDung"`
}

// PatientRecord is a patient's resources, by type, as decoded JSON.
type PatientRecord struct {
	Patient   obj
	Resources map[string][]obj // Encounter, Condition, MedicationRequest, Observation, Composition
}

// NewPatientRecord decodes a patient and their resources.
func NewPatientRecord(patient []byte, resources [][]byte) (*PatientRecord, error) {
	pr := &PatientRecord{Resources: map[string][]obj{}}
	if err := json.Unmarshal(patient, &pr.Patient); err != nil {
		return nil, fmt.Errorf("patient record: %w", err)
	}
	for i, b := range resources {
		var r obj
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("patient record resource %d: %w", i, err)
		}
		t, _ := r["resourceType"].(string)
		pr.Resources[t] = append(pr.Resources[t], r)
	}
	return pr, nil
}

func refID(ref string) string {
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

func belongs(r obj, encID string) bool {
	for _, k := range []string{"encounter.reference", "context.reference"} {
		if refID(str(r, k)) == encID {
			return true
		}
	}
	return false
}

var tags = strings.NewReplacer("<div xmlns=\"http://www.w3.org/1999/xhtml\">", "", "</div>", "", "<p>", "", "</p>", " ", "<br/>", " ")

func plain(div string) string { return strings.TrimSpace(tags.Replace(div)) }

// Export builds the HoSoBenhAn of a patient: one DotDieuTri per Encounter,
// in start order, with the diagnoses, medicines, results and documents
// that reference it.
func Export(pr *PatientRecord, facility, exportedAt string) *HoSoBenhAn {
	p := pr.Patient
	h := &HoSoBenhAn{MaCSKCB: facility, NgayXuat: exportedAt, HanhChinh: HanhChinh{
		MaBN: str(p, "id"), HoTen: patientName(p), NgaySinh: str(p, "birthDate"), GioiTinh: str(p, "gender"),
		SoCCCD: identifier(p, "cccd"), MaTheBHYT: identifier(p, "bhyt"), DiaChi: str(p, "address.text")}}
	encs := append([]obj(nil), pr.Resources["Encounter"]...)
	sort.SliceStable(encs, func(i, j int) bool { return str(encs[i], "period.start") < str(encs[j], "period.start") })
	for _, e := range encs {
		id := str(e, "id")
		d := DotDieuTri{MaDot: id, Loai: str(e, "class.code"), NgayVao: str(e, "period.start"), NgayRa: str(e, "period.end")}
		main := refID(str(e, "diagnosis.condition.reference"))
		for _, c := range pr.Resources["Condition"] {
			if !belongs(c, id) && refID(str(c, "id")) != main {
				continue
			}
			code := ""
			if cs := icdCodes(c); len(cs) > 0 {
				code = cs[0]
			}
			d.ChanDoan = append(d.ChanDoan, ChanDoan{MaICD: code, TenBenh: conceptText(c, "code"), Chinh: str(c, "id") == main})
		}
		for _, m := range pr.Resources["MedicationRequest"] {
			if belongs(m, id) {
				d.Thuoc = append(d.Thuoc, Thuoc{TenThuoc: conceptText(m, "medicationCodeableConcept"),
					LieuDung: str(m, "dosageInstruction.text"), NgayKe: str(m, "authoredOn")})
			}
		}
		for _, o := range pr.Resources["Observation"] {
			if belongs(o, id) {
				v := fmt.Sprint(get(o, "valueQuantity.value"))
				if get(o, "valueQuantity.value") == nil {
					v = str(o, "valueString")
				}
				d.KetQua = append(d.KetQua, KetQua{TenChiSo: conceptText(o, "code"), GiaTri: v,
					DonVi: str(o, "valueQuantity.unit"), Ngay: str(o, "effectiveDateTime")})
			}
		}
		for _, c := range pr.Resources["Composition"] {
			if belongs(c, id) {
				var parts []string
				for _, s := range list(c, "section") {
					parts = append(parts, str(s, "title")+": "+plain(str(s, "text.div")))
				}
				d.VanBan = append(d.VanBan, VanBan{Loai: str(c, "type.coding.code"), TieuDe: str(c, "title"), Ngay: str(c, "date"),
					NoiDung: strings.Join(parts, "\n")})
			}
		}
		h.Dot = append(h.Dot, d)
	}
	return h
}

func conceptText(r obj, path string) string {
	if t := str(r, path+".text"); t != "" {
		return t
	}
	return str(r, path+".coding.display")
}

func patientName(p obj) string {
	if t := str(p, "name.text"); t != "" {
		return t
	}
	parts := []string{str(p, "name.family")}
	for _, g := range list(p, "name.given") {
		parts = append(parts, fmt.Sprint(g))
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

// identifier returns the value of the first identifier whose system
// contains hint ("cccd", "bhyt").
func identifier(p obj, hint string) string {
	for _, id := range list(p, "identifier") {
		if strings.Contains(str(id, "system"), hint) {
			return str(id, "value")
		}
	}
	return ""
}

// Validate checks the export against the schema's rules: required
// administrative fields, an ICD code (maicd) of at most 7 characters per
// diagnosis, and an admission time per episode.
func (h *HoSoBenhAn) Validate() []string {
	var errs []string
	if h.HanhChinh.MaBN == "" || h.HanhChinh.HoTen == "" {
		errs = append(errs, "ThongTinHanhChinh: maBN and hoTen are required / bắt buộc có mã và họ tên người bệnh")
	}
	for i, d := range h.Dot {
		if d.NgayVao == "" {
			errs = append(errs, fmt.Sprintf("DotDieuTri[%d] ngayVao is required / thiếu ngày vào", i))
		}
		for j, c := range d.ChanDoan {
			if n := utf8.RuneCountInString(c.MaICD); n == 0 || n > 7 {
				errs = append(errs, fmt.Sprintf("DotDieuTri[%d].ChanDoan[%d] maicd %q: 1 to 7 characters / mã ICD 1–7 ký tự", i, j, c.MaICD))
			}
		}
	}
	return errs
}

// XML writes the export as indented XML.
func (h *HoSoBenhAn) XML() ([]byte, error) {
	b, err := xml.MarshalIndent(h, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("HoSoBenhAn XML: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}

// JSON writes the export as JSON with the root name as the only key.
func (h *HoSoBenhAn) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(map[string]any{"HoSoBenhAn": h}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("HoSoBenhAn JSON: %w", err)
	}
	return b, nil
}
