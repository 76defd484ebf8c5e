package risk

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestAUC(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{"inverted", []float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5}, []bool{false, true, false, true}, 0.5},
		{"one swap", []float64{0.1, 0.6, 0.5, 0.9}, []bool{false, false, true, true}, 0.75},
		{"one class", []float64{0.1, 0.2}, []bool{true, true}, 0.5},
	}
	for _, tt := range tests {
		if got := AUC(tt.scores, tt.labels); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: AUC = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestTrainRecoversCoefficients fits data drawn from a known logistic
// model and checks the coefficients come back.
func TestTrainRecoversCoefficients(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var ss []Sample
	for range 20000 {
		var x Features
		x[FCover180] = r.NormFloat64()
		x[FAge] = r.NormFloat64()
		p := sigmoid(0.5 - 2*x[FCover180] + 1*x[FAge])
		ss = append(ss, Sample{X: x, NonAdh: r.Float64() < p})
	}
	m, err := Train(ss, TrainOptions{Features: []int{FCover180, FAge}, Ridge: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	// Coefficients are per SD; the draws have SD ≈ 1 and mean ≈ 0.
	got := []float64{m.Intercept, m.Coef[0] / m.Scale[0], m.Coef[1] / m.Scale[1]}
	want := []float64{0.5, -2, 1}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 0.1 {
			t.Errorf("coefficient %d = %.3f, want %.1f ± 0.1", i, got[i], want[i])
		}
	}
	// Deterministic: the same data give the same model.
	m2, _ := Train(ss, TrainOptions{Features: []int{FCover180, FAge}, Ridge: 1e-6})
	if m2.Coef[0] != m.Coef[0] || m2.Intercept != m.Intercept {
		t.Error("training is not deterministic")
	}
	if _, err := Train(ss[:5], TrainOptions{}); err == nil {
		t.Error("5 samples: no error")
	}
}

func TestExtract(t *testing.T) {
	rec := Record{
		Patient: []byte(`{"resourceType":"Patient","id":"p","gender":"female","birthDate":"1960-03-01",
		 "address":[{"text":"Thôn 2, Xã Yên Hoà, Tỉnh Ninh Bình","state":"Ninh Bình"}]}`),
		Conditions: [][]byte{[]byte(`{"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"I10"}}`),
			[]byte(`{"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"resolved"}]}}`)},
		Encounters: [][]byte{[]byte(`{"resourceType":"Encounter","class":{"code":"IMP"},"period":{"start":"2025-02-01T08:00:00+07:00"}}`)},
		Requests: [][]byte{[]byte(`{"resourceType":"MedicationRequest","status":"active","authoredOn":"2025-03-01",
		 "medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C09CA01"}]},
		 "dosageInstruction":[{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d"}},"doseAndRate":[{"doseQuantity":{"value":1}}]}]}`)},
		Dispenses: [][]byte{
			[]byte(`{"resourceType":"MedicationDispense","status":"completed","medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C09CA01"}]},"whenHandedOver":"2024-12-01","daysSupply":{"value":30}}`),
			[]byte(`{"resourceType":"MedicationDispense","status":"completed","medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C09CA01"}]},"whenHandedOver":"2025-03-01","daysSupply":{"value":30}}`),
			[]byte(`{"resourceType":"MedicationDispense","status":"completed","medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C09CA01"}]},"whenHandedOver":"2025-07-01","daysSupply":{"value":30}}`),
		},
	}
	asOf := time.Date(2025, 5, 30, 12, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	f, err := Extract(rec, asOf, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 180 days before May 30 is Dec 1: Dec 1–30 and Mar 1–30 covered = 60
	// days; the last 90 days (from Mar 1) have 30, the 90 before 30.
	// Gaps: Dec 31–Feb 28 (60 days), Mar 31–May 29 (60 days). The Mar
	// refill came 60 days after running out: late. The July fill is after
	// asOf and ignored.
	want := Features{
		FCover180: 60.0 / 180, FCoverTrend: 0, FMaxGap: 2, FLateRefills: 1, FMedicines: 1, FPillBurden: 2,
		FAge: 65.25 / 10, FConditions: 1, FAdmissions: 1, FRural: 1, FYearsTreated: 180.5 / 365.25,
	}
	for i := range want {
		if math.Abs(f[i]-want[i]) > 0.01 {
			t.Errorf("%s = %.4f, want %.4f", FeatureNames()[i], f[i], want[i])
		}
	}
	if _, err := Extract(Record{Patient: []byte(`{"resourceType":"Observation"}`)}, asOf, nil); err == nil {
		t.Error("wrong Patient type: no error")
	}
	if _, err := Extract(Record{}, asOf, nil); err == nil {
		t.Error("no Patient: no error")
	}
}

func TestScoreAndRiskAssessment(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	good, bad := Features{}, Features{}
	for _, f := range []*Features{&good, &bad} {
		for i, n := range FeatureNames() {
			_ = n
			f[i] = m.Mean[i]
		}
	}
	good[FCover180], good[FLateRefills] = 1, 0
	bad[FCover180], bad[FLateRefills], bad[FMaxGap] = 0.3, 0.8, 4
	gs, bs := m.Score(good), m.Score(bad)
	if gs.Probability >= bs.Probability || bs.Level != "high" || gs.Level != "low" {
		t.Fatalf("good %.3f %s, bad %.3f %s", gs.Probability, gs.Level, bs.Probability, bs.Level)
	}
	top := bs.Top(3)
	if len(top) == 0 || (top[0].Feature != "lateRefillShare" && top[0].Feature != "cover180") {
		t.Fatalf("top factors = %+v", top)
	}
	b, err := bs.RiskAssessment("Patient/p1", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), 3)
	if err != nil {
		t.Fatal(err)
	}
	var ra struct {
		ResourceType string
		Prediction   []struct {
			ProbabilityDecimal float64
			QualitativeRisk    struct{ Coding []struct{ Code string } }
			Rationale          string
		}
	}
	if err := json.Unmarshal(b, &ra); err != nil {
		t.Fatal(err)
	}
	if ra.ResourceType != "RiskAssessment" || ra.Prediction[0].QualitativeRisk.Coding[0].Code != "high" ||
		!strings.Contains(ra.Prediction[0].Rationale, "Lý do chính") || !strings.Contains(ra.Prediction[0].Rationale, "Main reasons") {
		t.Errorf("RiskAssessment = %s", b)
	}
}

func TestParseModelErrors(t *testing.T) {
	for _, in := range []string{`{`, `{"features":["x"],"mean":[0],"scale":[1],"coef":[1]}`, `{"features":["cover180"],"mean":[0],"scale":[0],"coef":[1]}`, `{"features":[]}`} {
		if _, err := ParseModel([]byte(in)); err == nil {
			t.Errorf("ParseModel(%s): no error", in)
		}
	}
}
