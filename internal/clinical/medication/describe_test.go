package medication

import (
	"encoding/json"
	"testing"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name, dosage, vi, en string
	}{
		{"metformin after breakfast and dinner",
			`{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","when":["PCM","PCV"]}},` + dose(1, "viên") + `}`,
			"Uống 1 viên x 2 lần/ngày sau ăn sáng và tối", "Take 1 tablet twice a day after breakfast and dinner"},
		{"three times a day after meals",
			`{"route":{"coding":[{"system":"http://snomed.info/sct","code":"26643006"}]},"timing":{"repeat":{"frequency":3,"period":1,"periodUnit":"d","when":["PC"]}},` + dose(2, "tablet") + `}`,
			"Uống 2 viên x 3 lần/ngày sau ăn", "Take 2 tablets three times a day after meals"},
		{"statin at bedtime",
			`{"timing":{"repeat":{"when":["HS"]}},` + dose(20, "mg") + `}`,
			"Uống 20 mg x 1 lần/ngày trước khi ngủ", "Take 20 mg once a day at bedtime"},
		{"every 8 hours",
			`{"timing":{"repeat":{"frequency":1,"period":8,"periodUnit":"h"}},` + dose(500, "mg") + `}`,
			"Uống 500 mg mỗi 8 giờ", "Take 500 mg every 8 hours"},
		{"methotrexate weekly",
			`{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"wk","dayOfWeek":["mon"]}},` + dose(2.5, "mg") + `}`,
			"Uống 2,5 mg 1 lần/tuần vào thứ Hai", "Take 2.5 mg once a week on Monday"},
		{"insulin before breakfast",
			`{"route":{"coding":[{"system":"http://snomed.info/sct","code":"34206005"}]},"timing":{"repeat":{"when":["ACM"],"offset":15}},` + dose(10, "U") + `}`,
			"Tiêm dưới da 10 đơn vị x 1 lần/ngày trước ăn sáng 15 phút", "Inject under the skin 10 units once a day 15 minutes before breakfast"},
		{"paracetamol PRN with maximum",
			`{"asNeededCodeableConcept":{"text":"đau, sốt"},"timing":{"repeat":{"frequency":1,"period":6,"periodUnit":"h"}},"maxDosePerPeriod":{"numerator":{"value":4,"unit":"tablet"},"denominator":{"value":1,"code":"d"}},` + dose(1, "tablet") + `}`,
			"Uống 1 viên mỗi 6 giờ khi đau, sốt, tối đa 4 viên/ngày", "Take 1 tablet every 6 hours as needed for đau, sốt, maximum 4 tablets per day"},
		{"alternate days",
			`{"timing":{"repeat":{"frequency":1,"period":2,"periodUnit":"d"}},` + dose(1, "tablet") + `}`,
			"Uống 1 viên cách ngày", "Take 1 tablet every other day"},
		{"antibiotic for 7 days",
			`{"timing":{"repeat":{"boundsDuration":{"value":7,"code":"d"},"frequency":3,"period":1,"periodUnit":"d"}},` + dose(1, "capsule") + `}`,
			"Uống 1 viên nang x 3 lần/ngày trong 7 ngày", "Take 1 capsule three times a day for 7 days"},
		{"count of doses",
			`{"timing":{"repeat":{"count":15,"frequency":3,"period":1,"periodUnit":"d"}},` + dose(500, "mg") + `}`,
			"Uống 500 mg x 3 lần/ngày (tổng 15 liều)", "Take 500 mg three times a day (15 doses in total)"},
		{"inhaler by code",
			`{"timing":{"code":{"coding":[{"code":"BID"}]}},` + dose(2, "puff") + `}`,
			"Hít 2 nhát xịt x 2 lần/ngày", "Inhale 2 puffs twice a day"},
		{"eye drops while awake",
			`{"timing":{"repeat":{"frequency":1,"period":4,"periodUnit":"h","when":["WAKE"]}},` + dose(1, "drop") + `}`,
			"Nhỏ 1 giọt mỗi 4 giờ khi thức", "Instil 1 drop every 4 hours while awake"},
		{"monthly injection",
			`{"route":{"coding":[{"system":"http://snomed.info/sct","code":"78421000"}]},"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"mo"}},` + dose(1, "ampoule") + `}`,
			"Tiêm bắp 1 ống 1 lần/tháng", "Inject into a muscle 1 ampoule once a month"},
		{"every 2 weeks",
			`{"timing":{"repeat":{"frequency":1,"period":2,"periodUnit":"wk"}},` + dose(40, "mg") + `}`,
			"Uống 40 mg mỗi 2 tuần 1 lần", "Take 40 mg once every 2 weeks"},
		{"timeOfDay",
			`{"timing":{"repeat":{"timeOfDay":["08:00:00","20:00:00"]}},` + dose(500, "mg") + `}`,
			"Uống 500 mg x 2 lần/ngày lúc 08:00 và 20:00", "Take 500 mg twice a day at 08:00 and 20:00"},
		{"dose range, Mon Wed Fri",
			`{"timing":{"repeat":{"dayOfWeek":["mon","wed","fri"]}},"doseAndRate":[{"doseRange":{"low":{"value":1,"unit":"tablet"},"high":{"value":2,"unit":"tablet"}}}]}`,
			"Uống 1–2 viên x 1 lần/ngày vào thứ Hai, thứ Tư và thứ Sáu", "Take 1–2 tablets once a day on Monday, Wednesday and Friday"},
		{"text only",
			`{"text":"Dùng theo chỉ dẫn"}`,
			"Dùng theo chỉ dẫn", "Dùng theo chỉ dẫn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Dosage
			if err := json.Unmarshal([]byte(tt.dosage), &d); err != nil {
				t.Fatal(err)
			}
			if got := DescribeVI(d); got != tt.vi {
				t.Errorf("VI got  %q\n   want %q", got, tt.vi)
			}
			if got := DescribeEN(d); got != tt.en {
				t.Errorf("EN got  %q\n   want %q", got, tt.en)
			}
		})
	}
}
