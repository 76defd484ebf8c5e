package record

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRetentionTable(t *testing.T) {
	end := day("2026-02-14")
	tests := []struct {
		name      string
		ep        Episode
		wantClass string
		wantUntil string // "" = never expires
	}{
		{"outpatient hypertension", Episode{ICD10: []string{"I10"}, End: end}, "standard", "2036-02-14"},
		{"inpatient pneumonia", Episode{ICD10: []string{"J18.9"}, End: end}, "standard", "2036-02-14"},
		{"schizophrenia", Episode{ICD10: []string{"F20.0"}, End: end}, "mental-health", "2046-02-14"},
		{"traffic accident by cause code", Episode{ICD10: []string{"S72.0", "V43.5"}, End: end}, "accident", "2046-02-14"},
		{"occupational accident flagged", Episode{ICD10: []string{"S62.3"}, Accident: true, End: end}, "accident", "2046-02-14"},
		{"kidney transplant", Episode{ICD10: []string{"Z94.0"}, End: end}, "transplant-cosmetic", "2046-02-14"},
		{"cosmetic surgery", Episode{Cosmetic: true, End: end}, "transplant-cosmetic", "2046-02-14"},
		{"death beats mental health", Episode{ICD10: []string{"F10.2"}, Died: true, End: end}, "death", "2056-02-14"},
		{"incident file", Episode{Kind: "incident", End: end}, "incident", ""},
		{"health book of a living patient", Episode{Kind: "health-book", End: end}, "health-book", ""},
		{"health book after death", Episode{Kind: "health-book", Death: day("2030-05-01")}, "health-book", "2040-05-01"},
		{"visit register", Episode{Kind: "visit-register", End: end}, "visit-register", "2031-02-14"},
		{"health-check certificate", Episode{Kind: "health-check", End: end}, "health-check", "2028-02-14"},
		{"open episode", Episode{ICD10: []string{"I10"}}, "standard", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Classify(tt.ep)
			if c.Code != tt.wantClass {
				t.Fatalf("class %s, want %s", c.Code, tt.wantClass)
			}
			until, ok := c.Expiry(tt.ep)
			got := ""
			if ok {
				got = until.Format("2006-01-02")
			}
			if got != tt.wantUntil {
				t.Errorf("expiry %q, want %q", got, tt.wantUntil)
			}
		})
	}
}

func TestCheckDelete(t *testing.T) {
	ep := Episode{ICD10: []string{"I10"}, End: day("2026-02-14")}
	err := CheckDelete("Encounter/e1", ep, day("2035-12-31"))
	var re *RetainedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "2036-02-14") || !strings.Contains(err.Error(), "Không được xóa") {
		t.Fatalf("before expiry: %v", err)
	}
	if err := CheckDelete("Encounter/e1", ep, day("2036-02-14")); err != nil {
		t.Fatalf("on expiry: %v", err)
	}
	if err := CheckDelete("AdverseEvent/a1", Episode{Kind: "incident"}, day("2099-01-01")); err == nil || !strings.Contains(err.Error(), "permanently") {
		t.Fatalf("incident: %v", err)
	}
}

// memStore is the smallest store.Store the guard needs.
type memStore struct{ res map[string]*fhir.Resource }

func (m *memStore) Read(_ context.Context, typ, id string) (*fhir.Resource, error) {
	if r, ok := m.res[typ+"/"+id]; ok {
		return r, nil
	}
	return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s not found", typ, id)
}
func (m *memStore) VRead(ctx context.Context, typ, id string, _ int64) (*fhir.Resource, error) {
	return m.Read(ctx, typ, id)
}
func (m *memStore) History(context.Context, store.HistoryQuery) (*store.Page, error) {
	return &store.Page{}, nil
}
func (m *memStore) Search(context.Context, *search.Query) (*store.Page, error) {
	return &store.Page{}, nil
}
func (m *memStore) Update(ctx context.Context, fn func(store.Tx) error) error { return fn(memTx{m}) }
func (m *memStore) Close() error                                              { return nil }

type memTx struct{ *memStore }

func (t memTx) Put(context.Context, store.Write) (*fhir.Resource, error) { return nil, nil }
func (t memTx) Delete(_ context.Context, typ, id string, _ int64) (*fhir.Resource, error) {
	delete(t.res, typ+"/"+id)
	return &fhir.Resource{Type: typ, ID: id, Deleted: true}, nil
}

func TestGuardRefusesEarlyDelete(t *testing.T) {
	m := &memStore{res: map[string]*fhir.Resource{
		"Encounter/e1": {Type: "Encounter", ID: "e1", JSON: []byte(`{"resourceType":"Encounter","status":"finished","period":{"end":"2026-02-14"}}`)},
		"Encounter/e2": {Type: "Encounter", ID: "e2", JSON: []byte(`{"resourceType":"Encounter","status":"finished","period":{"end":"2010-01-01"}}`)},
		"Basic/b1":     {Type: "Basic", ID: "b1", JSON: []byte(`{"resourceType":"Basic"}`)},
	}}
	g := NewGuard(m, func() time.Time { return day("2026-06-01") })
	del := func(typ, id string) error {
		return g.Update(context.Background(), func(tx store.Tx) error { _, err := tx.Delete(context.Background(), typ, id, 0); return err })
	}
	err := del("Encounter", "e1")
	var fe *fhir.Error
	if !errors.As(err, &fe) || fe.Kind != fhir.KindConflict {
		t.Fatalf("recent encounter deleted: %v", err)
	}
	if _, ok := m.res["Encounter/e1"]; !ok {
		t.Fatal("the record is gone")
	}
	for _, ref := range [][2]string{{"Encounter", "e2"}, {"Basic", "b1"}, {"Encounter", "missing"}} {
		if err := del(ref[0], ref[1]); err != nil {
			t.Errorf("%v: %v", ref, err)
		}
	}
}

const patientJSON = `{"resourceType":"Patient","id":"p1","name":[{"text":"Nguyễn Thị Lan"}],"birthDate":"1958-04-12","gender":"female",
"identifier":[{"system":"https://sen-emr.github.io/fhir/sid/cccd","value":"001158012345"},{"system":"https://sen-emr.github.io/fhir/sid/bhyt","value":"HT3010123456789"}],
"telecom":[{"system":"phone","value":"0912345678"}],"address":[{"text":"12 Phố Huế, Hà Nội"}]}`

func episodeResources() [][]byte {
	return [][]byte{
		[]byte(`{"resourceType":"Encounter","id":"e1","class":{"code":"AMB"},"period":{"start":"2026-03-02T08:05:00+07:00","end":"2026-03-02T10:40:00+07:00"},"diagnosis":[{"condition":{"reference":"Condition/c1"},"rank":1}]}`),
		[]byte(`{"resourceType":"Condition","id":"c1","encounter":{"reference":"Encounter/e1"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"I10"}],"text":"Tăng huyết áp vô căn"}}`),
		[]byte(`{"resourceType":"Condition","id":"c2","encounter":{"reference":"Encounter/e1"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"B18.00"}],"text":"Viêm gan B mạn"}}`),
		[]byte(`{"resourceType":"MedicationRequest","id":"m1","encounter":{"reference":"Encounter/e1"},"authoredOn":"2026-03-02T10:20:00+07:00","medicationCodeableConcept":{"text":"Amlodipin 5mg"},"dosageInstruction":[{"text":"Ngày uống 1 viên"}],"dispenseRequest":{"quantity":{"value":30,"unit":"viên"},"expectedSupplyDuration":{"value":30,"unit":"d"}}}`),
		[]byte(`{"resourceType":"Observation","id":"o1","encounter":{"reference":"Encounter/e1"},"code":{"text":"Cholesterol toàn phần"},"valueQuantity":{"value":6.2,"unit":"mmol/L"},"effectiveDateTime":"2026-03-02T09:30:00+07:00"}`),
		[]byte(`{"resourceType":"Composition","id":"k1","encounter":{"reference":"Encounter/e1"},"type":{"coding":[{"code":"11488-4"}]},"title":"Phiếu khám","date":"2026-03-02","section":[{"title":"Bệnh sử","text":{"div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Đau đầu 3 ngày</div>"}}]}`),
	}
}

func TestExportHoSoBenhAn(t *testing.T) {
	pr, err := NewPatientRecord([]byte(patientJSON), episodeResources())
	if err != nil {
		t.Fatal(err)
	}
	h := Export(pr, "01013", "2026-03-20")
	if errs := h.Validate(); len(errs) > 0 {
		t.Fatal(errs)
	}
	d := h.Dot[0]
	if len(d.ChanDoan) != 2 || d.ChanDoan[0].MaICD != "I10" || !d.ChanDoan[0].Chinh || d.ChanDoan[1].MaICD != "B18.00" {
		t.Errorf("diagnoses %+v", d.ChanDoan)
	}
	if len(d.Thuoc) != 1 || len(d.KetQua) != 1 || d.KetQua[0].GiaTri != "6.2" || len(d.VanBan) != 1 || d.VanBan[0].NoiDung != "Bệnh sử: Đau đầu 3 ngày" {
		t.Errorf("episode %+v", d)
	}
	x, err := h.XML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<HoSoBenhAn>", "<maicd>B18.00</maicd>", "<hoTen>Nguyễn Thị Lan</hoTen>"} {
		if !bytes.Contains(x, []byte(want)) {
			t.Errorf("XML lacks %s", want)
		}
	}
	j, err := h.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]HoSoBenhAn
	if err := json.Unmarshal(j, &back); err != nil || back["HoSoBenhAn"].Dot[0].ChanDoan[1].MaICD != "B18.00" {
		t.Fatalf("JSON round trip: %v", err)
	}
	h.Dot[0].ChanDoan[0].MaICD = "I10.12345"
	if errs := h.Validate(); len(errs) != 1 || !strings.Contains(errs[0], "maicd") {
		t.Errorf("an 9-character maicd: %v", errs)
	}
}

func TestForms(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	pr, _ := NewPatientRecord([]byte(patientJSON), episodeResources())
	h := Export(pr, "01013", "2026-03-20")
	d := FormData{Facility: "Bệnh viện Đa khoa Sen", Patient: h.HanhChinh, Episode: h.Dot[0], Signer: "BS. Trần Văn Bình",
		PrescriptionCode: "01013a1b2c3d-C", Date: day("2026-03-02")}
	tests := []struct {
		form Form
		want []string
	}{
		{FormOutpatient, []string{"BỆNH ÁN NGOẠI TRÚ", "Nguyễn Thị Lan", "Tăng huyết áp vô căn", "6.2 mmol/L"}},
		{FormInpatient, []string{"BỆNH ÁN NỘI TRÚ", "Đau đầu 3 ngày"}},
		{FormDischarge, []string{"GIẤY RA VIỆN", "Ra viện lúc"}},
		{FormPrescription, []string{"ĐƠN THUỐC", "01013a1b2c3d-C", "Amlodipin 5mg", "Ngày 2 tháng 3 năm 2026"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.form), func(t *testing.T) {
			out, err := r.Render(tt.form, d)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range append(tt.want, "@page { size: A4", "Giới tính: Nữ") {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("%s lacks %q", tt.form, w)
				}
			}
		})
	}
	if _, err := r.Render("x", d); err == nil {
		t.Error("unknown form rendered")
	}
	d.Patient.HoTen = "<script>alert(1)</script>"
	out, _ := r.Render(FormOutpatient, d)
	if bytes.Contains(out, []byte("<script>alert")) {
		t.Error("name not escaped")
	}
}

type fakeRx struct{ sent []*Prescription }

func (f *fakeRx) Send(_ context.Context, rx *Prescription) (string, error) {
	f.sent = append(f.sent, rx)
	return "DTQG-" + rx.MaDonThuoc, nil
}

type fakeNotifier struct{ msgs []string }

func (f *fakeNotifier) Notify(_ context.Context, phone, msg string) error {
	f.msgs = append(f.msgs, phone+": "+msg)
	return nil
}

func TestEPrescription(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := readerFunc(func(p []byte) (int, error) {
		for i := range p {
			p[i] = byte(rng.UintN(256))
		}
		return len(p), nil
	})
	code, err := NewPrescriptionCode("01013", RxOther, src)
	if err != nil || len(code) != 14 || !ValidPrescriptionCode(code) || !strings.HasPrefix(code, "01013") || !strings.HasSuffix(code, "-C") {
		t.Fatalf("code %q: %v", code, err)
	}
	for _, bad := range []struct {
		fac  string
		kind byte
	}{{"0101", 'C'}, {"01013", 'X'}, {"01 13", 'C'}} {
		if _, err := NewPrescriptionCode(bad.fac, bad.kind, nil); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	res := episodeResources()
	in := PrescriptionInput{Code: code, Facility: "01013", Patient: []byte(patientJSON), Conditions: res[1:2], MedicationRequests: res[3:4],
		Practitioner: []byte(`{"resourceType":"Practitioner","name":[{"text":"BS. Trần Văn Bình"}],"identifier":[{"system":"https://sen-emr.github.io/fhir/sid/practitioner-cchn","value":"001234/HNO-CCHN"}]}`)}
	rx, err := BuildPrescription(in)
	if err != nil {
		t.Fatal(err)
	}
	golden, _ := json.MarshalIndent(rx, "", " ")
	want := `{
 "loai_don_thuoc": "C",
 "ma_don_thuoc": "` + code + `",
 "ma_co_so_kham_chua_benh": "01013",
 "ho_ten_benh_nhan": "Nguyễn Thị Lan",
 "ngay_sinh_benh_nhan": "1958-04-12",
 "gioi_tinh": 2,
 "ma_dinh_danh_y_te": "001158012345",
 "ma_so_the_bao_hiem_y_te": "HT3010123456789",
 "dia_chi": "12 Phố Huế, Hà Nội",
 "so_dien_thoai_nguoi_kham_benh": "0912345678",
 "chan_doan": [
  {
   "ma_chan_doan": "I10",
   "ten_chan_doan": "Tăng huyết áp vô căn"
  }
 ],
 "ngay_gio_ke_don": "2026-03-02 10:20:00",
 "ma_bac_si": "001234/HNO-CCHN",
 "ho_ten_bac_si": "BS. Trần Văn Bình",
 "thong_tin_don_thuoc": [
  {
   "biet_duoc": "Amlodipin 5mg",
   "ten_thuoc": "Amlodipin 5mg",
   "don_vi_tinh": "viên",
   "so_luong": "30",
   "cach_dung": "Ngày uống 1 viên",
   "so_ngay": 30
  }
 ]
}`
	if string(golden) != want {
		t.Errorf("payload:\n%s", golden)
	}
	sys, note := &fakeRx{}, &fakeNotifier{}
	if receipt, err := SubmitPrescription(context.Background(), sys, note, rx); err != nil || receipt != "DTQG-"+code || len(note.msgs) != 1 || !strings.Contains(note.msgs[0], code) {
		t.Fatalf("submit: %q %v %v", receipt, err, note.msgs)
	}

	long := bytes.Replace(res[3], []byte(`"expectedSupplyDuration":{"value":30`), []byte(`"expectedSupplyDuration":{"value":60`), 1)
	in.MedicationRequests = [][]byte{long}
	if _, err := BuildPrescription(in); err == nil || !strings.Contains(err.Error(), "30-day") {
		t.Errorf("60 days for an acute disease: %v", err)
	}
	in.Chronic = true
	if _, err := BuildPrescription(in); err != nil {
		t.Errorf("60 days for a chronic disease: %v", err)
	}
	in.Conditions = nil
	if _, err := BuildPrescription(in); err == nil || !strings.Contains(err.Error(), "diagnosis") {
		t.Errorf("no diagnosis: %v", err)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

type flakyGateway struct{ fails, calls int }

func (g *flakyGateway) Push(_ context.Context, e *HealthBookEpisode) (string, error) {
	g.calls++
	if g.calls <= g.fails {
		return "", errors.New("503 from the platform")
	}
	return "ACK-" + e.Dot.MaDot, nil
}

func TestHealthBookPush(t *testing.T) {
	pr, _ := NewPatientRecord([]byte(patientJSON), episodeResources())
	h := Export(pr, "01013", "2026-03-20")
	e, err := HealthBookFromExport(h, "e1", []string{"Penicillin"})
	if err != nil {
		t.Fatal(err)
	}
	if e.MaDinhDanh != "001158012345" || !strings.Contains(e.TomTat, "I10") {
		t.Errorf("%+v", e)
	}
	if _, err := PushUntilAcknowledged(context.Background(), &flakyGateway{}, e, time.Millisecond, 3); err == nil {
		t.Error("an unsigned episode was pushed")
	}
	e.ChuKy = "eyJhbGciOi..signature"
	g := &flakyGateway{fails: 2}
	ack, err := PushUntilAcknowledged(context.Background(), g, e, time.Millisecond, 5)
	if err != nil || ack != "ACK-e1" || g.calls != 3 {
		t.Fatalf("ack %q after %d calls: %v", ack, g.calls, err)
	}
	if _, err := PushUntilAcknowledged(context.Background(), &flakyGateway{fails: 10}, e, time.Millisecond, 3); err == nil || !strings.Contains(err.Error(), "3 attempts") {
		t.Fatalf("gave up: %v", err)
	}
	if _, err := HealthBookFromExport(h, "nope", nil); err == nil {
		t.Error("unknown episode")
	}
}
