package risk

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// SystemModel names Sen's risk models; the code is the model version.
const SystemModel = "https://sen-emr.github.io/fhir/CodeSystem/risk-model"

// ExtFactor is the RiskAssessment extension carrying one contributing
// factor: feature (valueCode), contribution (valueDecimal, log-odds) and
// the reasons in Vietnamese and English (valueString).
const ExtFactor = "https://sen-emr.github.io/fhir/StructureDefinition/risk-factor"

// RiskAssessment renders a as a FHIR R4 RiskAssessment
// (https://hl7.org/fhir/R4/riskassessment.html) for subject (e.g.
// "Patient/123") at now: the probability of non-adherence over the next
// 90 days, the qualitative risk, and the top n factors raising it as
// extensions and as a bilingual note. It is not stored: callers that want
// to keep it write it themselves.
func (a Assessment) RiskAssessment(subject string, now time.Time, n int) ([]byte, error) {
	top := a.Top(n)
	var vi, en []string
	var exts []any
	for _, f := range top {
		vi = append(vi, f.VI)
		en = append(en, f.EN)
		exts = append(exts, map[string]any{
			"url": ExtFactor,
			"extension": []any{
				map[string]any{"url": "feature", "valueCode": f.Feature},
				map[string]any{"url": "contribution", "valueDecimal": json.Number(fmt.Sprintf("%.3f", f.Contribution))},
				map[string]any{"url": "vi", "valueString": f.VI},
				map[string]any{"url": "en", "valueString": f.EN},
			},
		})
	}
	levelVI := map[string]string{"low": "thấp", "moderate": "trung bình", "high": "cao"}[a.Level]
	rationale := fmt.Sprintf("Nguy cơ %s (%d%%). ", levelVI, int(math.Round(a.Probability*100)))
	if len(vi) > 0 {
		rationale += "Lý do chính: " + strings.Join(vi, "; ") + ". "
	}
	rationale += fmt.Sprintf("%s risk (%d%%).", strings.ToUpper(a.Level[:1])+a.Level[1:], int(math.Round(a.Probability*100)))
	if len(en) > 0 {
		rationale += " Main reasons: " + strings.Join(en, "; ") + "."
	}
	ra := map[string]any{
		"resourceType": "RiskAssessment",
		"status":       "final",
		"method": map[string]any{
			"coding": []any{map[string]any{"system": SystemModel, "code": a.Model}},
			"text":   "Sen non-adherence risk model (logistic regression), " + a.Model,
		},
		"code":               map[string]any{"text": "Nguy cơ không tuân thủ dùng thuốc / Risk of medication non-adherence"},
		"subject":            map[string]any{"reference": subject},
		"occurrenceDateTime": now.Format(time.RFC3339),
		"prediction": []any{map[string]any{
			"outcome":            map[string]any{"text": "Uống dưới 80% số liều trong 90 ngày tới / Takes fewer than 80% of doses in the next 90 days"},
			"probabilityDecimal": json.Number(fmt.Sprintf("%.3f", a.Probability)),
			"qualitativeRisk": map[string]any{"coding": []any{map[string]any{
				"system": "http://terminology.hl7.org/CodeSystem/risk-probability", "code": a.Level}}},
			"whenPeriod": map[string]any{"start": now.Format(time.DateOnly), "end": now.AddDate(0, 0, 90).Format(time.DateOnly)},
			"rationale":  rationale,
		}},
		"note": []any{
			map[string]any{"text": "Điểm hỗ trợ quyết định, không thay thế đánh giá lâm sàng. Yếu tố: " + orNone(vi, "không có")},
			map[string]any{"text": "Decision support, not a substitute for clinical judgement. Factors: " + orNone(en, "none")},
		},
	}
	if len(exts) > 0 {
		ra["extension"] = exts
	}
	b, err := json.Marshal(ra)
	if err != nil {
		return nil, fmt.Errorf("risk assessment: %w", err)
	}
	return b, nil
}

func orNone(ss []string, none string) string {
	if len(ss) == 0 {
		return none
	}
	return strings.Join(ss, "; ")
}
