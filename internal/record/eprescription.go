package record

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strings"
	"time"
)

// Prescription types, the last character of the code (REGULATIONS.md §3 [S]).
const (
	RxNarcotic     = 'N' // thuốc gây nghiện
	RxPsychotropic = 'H' // thuốc hướng thần, tiền chất
	RxOther        = 'C' // thuốc thông thường
	RxHerbal       = 'T' // thuốc thang (Circular 55/2025)
)

var rxCode = regexp.MustCompile(`^[0-9A-Za-z]{5}[0-9a-z]{7}-[NHCT]$`)

// NewPrescriptionCode makes the national prescription code
// xxxxxyyyyyyy-z: the 5-character facility code, 7 random characters of
// [0-9a-z] and the type letter. Uniqueness per facility is the caller's to
// check against issued codes (retry on collision).
func NewPrescriptionCode(facility string, kind byte, rnd io.Reader) (string, error) {
	if len(facility) != 5 {
		return "", fmt.Errorf("prescription code: facility code %q must have 5 characters / mã cơ sở phải có 5 ký tự", facility)
	}
	if !strings.ContainsRune("NHCT", rune(kind)) {
		return "", fmt.Errorf("prescription code: type %q is not N, H, C or T", kind)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b strings.Builder
	b.WriteString(facility)
	for range 7 {
		n, err := rand.Int(rnd, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", fmt.Errorf("prescription code: %w", err)
		}
		b.WriteByte(alphabet[n.Int64()])
	}
	b.WriteByte('-')
	b.WriteByte(kind)
	code := b.String()
	if !ValidPrescriptionCode(code) {
		return "", fmt.Errorf("prescription code %q: facility code must be letters and digits", code)
	}
	return code, nil
}

// ValidPrescriptionCode reports whether s has the national format.
func ValidPrescriptionCode(s string) bool { return rxCode.MatchString(s) }

// Prescription is the payload of the national e-prescription system
// (đơn thuốc điện tử). The field names follow the national system's
// published integration guide as Sen understands it [M]; check them with
// the operator before going live (docs/regulations.md).
type Prescription struct {
	LoaiDonThuoc     string        `json:"loai_don_thuoc"` // N, H, C, T
	MaDonThuoc       string        `json:"ma_don_thuoc"`
	MaCSKCB          string        `json:"ma_co_so_kham_chua_benh"`
	HoTenBenhNhan    string        `json:"ho_ten_benh_nhan"`
	NgaySinh         string        `json:"ngay_sinh_benh_nhan"`
	GioiTinh         int           `json:"gioi_tinh"`         // 1 male, 2 female, 3 other
	MaDinhDanhYTe    string        `json:"ma_dinh_danh_y_te"` // CCCD (Decree 102/2025)
	MaSoTheBHYT      string        `json:"ma_so_the_bao_hiem_y_te,omitempty"`
	DiaChi           string        `json:"dia_chi"`
	SoDienThoai      string        `json:"so_dien_thoai_nguoi_kham_benh,omitempty"`
	ChanDoan         []RxDiagnosis `json:"chan_doan"`
	LoiDan           string        `json:"loi_dan,omitempty"`
	NgayGioKeDon     string        `json:"ngay_gio_ke_don"` // yyyy-MM-dd HH:mm:ss, Vietnam time
	NgayTaiKham      string        `json:"ngay_tai_kham,omitempty"`
	MaBacSi          string        `json:"ma_bac_si"` // practising-certificate code
	HoTenBacSi       string        `json:"ho_ten_bac_si"`
	ThongTinDonThuoc []RxLine      `json:"thong_tin_don_thuoc"`
}

// RxDiagnosis is one diagnosis.
type RxDiagnosis struct {
	MaChanDoan  string `json:"ma_chan_doan"`
	TenChanDoan string `json:"ten_chan_doan"`
}

// RxLine is one medicine.
type RxLine struct {
	MaThuoc   string `json:"ma_thuoc,omitempty"`
	BietDuoc  string `json:"biet_duoc"`
	TenThuoc  string `json:"ten_thuoc"`
	DonViTinh string `json:"don_vi_tinh"`
	SoLuong   string `json:"so_luong"`
	CachDung  string `json:"cach_dung"`
	SoNgay    int    `json:"so_ngay,omitempty"`
}

// PrescriptionInput is the FHIR a prescription is built from.
type PrescriptionInput struct {
	Code               string
	Facility           string
	Patient            []byte
	Practitioner       []byte
	Conditions         [][]byte
	MedicationRequests [][]byte
	Note               string
	FollowUp           time.Time
	// Chronic: the main disease is one of the 252 of Appendix VII, so the
	// supply may run to 90 days instead of 30.
	Chronic bool
}

var vnZone = time.FixedZone("ICT", 7*3600)

// BuildPrescription maps MedicationRequests to the national payload and
// checks it: a valid code, at least one medicine, a diagnosis, and a
// supply of at most 30 days (90 for the chronic diseases).
func BuildPrescription(in PrescriptionInput) (*Prescription, error) {
	if !ValidPrescriptionCode(in.Code) {
		return nil, fmt.Errorf("e-prescription: code %q is not xxxxxyyyyyyy-z / mã đơn thuốc sai định dạng", in.Code)
	}
	var p, doc obj
	if err := json.Unmarshal(in.Patient, &p); err != nil {
		return nil, fmt.Errorf("e-prescription patient: %w", err)
	}
	_ = json.Unmarshal(in.Practitioner, &doc)
	rx := &Prescription{LoaiDonThuoc: in.Code[len(in.Code)-1:], MaDonThuoc: in.Code, MaCSKCB: in.Facility,
		HoTenBenhNhan: patientName(p), NgaySinh: str(p, "birthDate"), MaDinhDanhYTe: identifier(p, "cccd"),
		MaSoTheBHYT: identifier(p, "bhyt"), DiaChi: str(p, "address.text"), LoiDan: in.Note,
		MaBacSi: identifier(doc, "cchn"), HoTenBacSi: patientName(doc)}
	rx.GioiTinh = map[string]int{"male": 1, "female": 2}[str(p, "gender")]
	if rx.GioiTinh == 0 {
		rx.GioiTinh = 3
	}
	for _, t := range list(p, "telecom") {
		if str(t, "system") == "phone" {
			rx.SoDienThoai = str(t, "value")
		}
	}
	for _, c := range in.Conditions {
		var co obj
		if json.Unmarshal(c, &co) == nil {
			code := ""
			if cs := icdCodes(co); len(cs) > 0 {
				code = cs[0]
			}
			rx.ChanDoan = append(rx.ChanDoan, RxDiagnosis{MaChanDoan: code, TenChanDoan: conceptText(co, "code")})
		}
	}
	if !in.FollowUp.IsZero() {
		rx.NgayTaiKham = in.FollowUp.In(vnZone).Format("2006-01-02")
	}
	maxDays := 30
	if in.Chronic {
		maxDays = 90
	}
	var errs []string
	for i, b := range in.MedicationRequests {
		var m obj
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("e-prescription MedicationRequest %d: %w", i, err)
		}
		if rx.NgayGioKeDon == "" {
			if t, ok := parseTime(str(m, "authoredOn")); ok {
				rx.NgayGioKeDon = t.In(vnZone).Format("2006-01-02 15:04:05")
			}
		}
		line := RxLine{TenThuoc: conceptText(m, "medicationCodeableConcept"), BietDuoc: str(m, "medicationCodeableConcept.coding.display"),
			CachDung: str(m, "dosageInstruction.text"), DonViTinh: str(m, "dispenseRequest.quantity.unit"),
			SoLuong: fmt.Sprint(get(m, "dispenseRequest.quantity.value"))}
		if line.BietDuoc == "" {
			line.BietDuoc = line.TenThuoc
		}
		if get(m, "dispenseRequest.quantity.value") == nil {
			errs = append(errs, fmt.Sprintf("medicine %d (%s): no quantity / thiếu số lượng", i+1, line.TenThuoc))
		}
		if d, ok := get(m, "dispenseRequest.expectedSupplyDuration.value").(float64); ok {
			line.SoNgay = int(d)
			if line.SoNgay > maxDays {
				errs = append(errs, fmt.Sprintf("medicine %d (%s): %d days exceeds the %d-day limit / vượt quá %d ngày",
					i+1, line.TenThuoc, line.SoNgay, maxDays, maxDays))
			}
		}
		rx.ThongTinDonThuoc = append(rx.ThongTinDonThuoc, line)
	}
	if len(rx.ThongTinDonThuoc) == 0 {
		errs = append(errs, "no medicine / đơn không có thuốc")
	}
	if len(rx.ChanDoan) == 0 {
		errs = append(errs, "no diagnosis / thiếu chẩn đoán")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("e-prescription %s: %s", in.Code, strings.Join(errs, "; "))
	}
	return rx, nil
}

// PrescriptionSystem is the adapter to the national e-prescription
// system; tests use a fake.
type PrescriptionSystem interface {
	// Send submits a prescription at the end of the visit; the receipt is
	// the system's acknowledgement to keep.
	Send(ctx context.Context, rx *Prescription) (receipt string, err error)
}

// PatientNotifier sends the prescription code to the patient (SMS, Zalo
// or app: a legal duty, REGULATIONS.md §3); the medication reminders'
// channel router implements it.
type PatientNotifier interface {
	Notify(ctx context.Context, phone, message string) error
}

// SubmitPrescription sends rx and then tells the patient its code, in
// Vietnamese. The prescription is sent first so the code the patient gets
// is one the pharmacy can look up.
func SubmitPrescription(ctx context.Context, sys PrescriptionSystem, n PatientNotifier, rx *Prescription) (string, error) {
	receipt, err := sys.Send(ctx, rx)
	if err != nil {
		return "", fmt.Errorf("e-prescription %s: send: %w", rx.MaDonThuoc, err)
	}
	if n != nil && rx.SoDienThoai != "" {
		msg := fmt.Sprintf("Mã đơn thuốc của bạn: %s. Xuất trình mã này khi mua thuốc.", rx.MaDonThuoc)
		if err := n.Notify(ctx, rx.SoDienThoai, msg); err != nil {
			return receipt, fmt.Errorf("e-prescription %s: sent, but the patient was not told: %w", rx.MaDonThuoc, err)
		}
	}
	return receipt, nil
}
