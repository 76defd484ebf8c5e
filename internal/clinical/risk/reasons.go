package risk

import (
	"fmt"
	"math"
	"strings"
)

// reason states feature j's value as a plain fact in Vietnamese and
// English, for the clinician and the patient. Facts, not judgements: the
// contribution's sign says whether it raised or lowered the score.
func reason(j int, v float64) (vi, en string) {
	pct := func(x float64) int { return int(math.Round(x * 100)) }
	switch j {
	case FCover180:
		return fmt.Sprintf("Có thuốc trong %d%% số ngày của 6 tháng qua", pct(v)),
			fmt.Sprintf("Had medicine on hand %d%% of days in the last 6 months", pct(v))
	case FCoverTrend:
		if v < 0 {
			return fmt.Sprintf("Tỷ lệ ngày có thuốc giảm %d điểm so với 3 tháng trước đó", -pct(v)),
				fmt.Sprintf("Days with medicine fell by %d points versus the 3 months before", -pct(v))
		}
		return fmt.Sprintf("Tỷ lệ ngày có thuốc tăng %d điểm so với 3 tháng trước đó", pct(v)),
			fmt.Sprintf("Days with medicine rose by %d points versus the 3 months before", pct(v))
	case FMaxGap:
		d := int(math.Round(v * 30))
		return fmt.Sprintf("Đợt hết thuốc dài nhất trong năm qua: %d ngày", d),
			fmt.Sprintf("Longest stretch without medicine in the past year: %d days", d)
	case FLateRefills:
		return fmt.Sprintf("%d%% lần lĩnh thuốc trong năm qua bị trễ từ 7 ngày trở lên", pct(v)),
			fmt.Sprintf("%d%% of refills in the past year came 7 or more days late", pct(v))
	case FMedicines:
		return fmt.Sprintf("Đang dùng %d loại thuốc", int(v)), fmt.Sprintf("Takes %d different medicines", int(v))
	case FPillBurden:
		return fmt.Sprintf("Khoảng %s liều thuốc mỗi ngày", trimFloat(v, ",")),
			fmt.Sprintf("About %s doses of medicine a day", trimFloat(v, "."))
	case FComplex:
		if v > 0 {
			return "Phác đồ phức tạp (tiêm insulin hoặc thuốc hít)", "Complex regimen (insulin injections or inhalers)"
		}
		return "Không dùng insulin hay thuốc hít", "No insulin or inhalers"
	case FSideEffectStops:
		return fmt.Sprintf("%d lần ngừng thuốc vì tác dụng không mong muốn trong năm qua", int(v)),
			fmt.Sprintf("%d medicine(s) stopped for side effects in the past year", int(v))
	case FAge:
		return fmt.Sprintf("%d tuổi", int(v*10)), fmt.Sprintf("Aged %d", int(v*10))
	case FMale:
		if v > 0 {
			return "Nam giới", "Male"
		}
		return "Nữ giới", "Female"
	case FConditions:
		return fmt.Sprintf("Có %d bệnh đang điều trị", int(v)), fmt.Sprintf("Has %d active conditions", int(v))
	case FAdmissions:
		return fmt.Sprintf("%d lần nằm viện trong năm qua", int(v)), fmt.Sprintf("%d hospital admission(s) in the past year", int(v))
	case FRural:
		if v > 0 {
			return "Sống ở xã (xa cơ sở y tế, chi phí đi lại)", "Lives in a rural commune (distance and travel cost)"
		}
		return "Sống ở phường (đô thị)", "Lives in an urban ward"
	case FYearsTreated:
		return fmt.Sprintf("Đã điều trị %s năm", trimFloat(v, ",")), fmt.Sprintf("On treatment for %s years", trimFloat(v, "."))
	}
	return fmt.Sprint(v), fmt.Sprint(v)
}

// trimFloat prints v with one decimal, using sep as the decimal mark
// (Vietnamese writes a comma).
func trimFloat(v float64, sep string) string {
	s := fmt.Sprintf("%.1f", v)
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", sep, 1)
}
