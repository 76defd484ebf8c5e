package careplan

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// chart builds a Record in a few words, for worklist tables.
type chart struct {
	id, name, village, commune string
	born                       string
	conds                      []string // ICD-10 codes, active
	dischargedDaysAgo          int      // 0: none
	visitedDaysAgo             int      // 0: never
	taskDueInDays              *int     // open follow-up Task due in n days (negative: overdue)
	failedTasks                int
	flags                      []string
}

func (c chart) record(tb testing.TB) Record {
	tb.Helper()
	rec := Record{Patient: []byte(fmt.Sprintf(`{"resourceType":"Patient","id":%q,"gender":"female","birthDate":%q,
	 "name":[{"text":%q}],
	 "address":[{"use":"home","line":[%q],"city":%q,"extension":[{"url":"https://sen-emr.github.io/fhir/StructureDefinition/address-admin-unit","valueCoding":{"system":"https://sen-emr.github.io/fhir/CodeSystem/vn-commune","code":"c-%s","display":%q}}]}]}`,
		c.id, c.born, c.name, c.village, c.commune, c.commune, c.commune))}
	for _, code := range c.conds {
		rec.Conditions = append(rec.Conditions, []byte(fmt.Sprintf(`{"resourceType":"Condition","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
		 "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":%q}]},"subject":{"reference":"Patient/%s"}}`, code, c.id)))
	}
	day := func(n int) string { return testNow.AddDate(0, 0, -n).Format(time.RFC3339) }
	if c.dischargedDaysAgo > 0 {
		rec.Encounters = append(rec.Encounters, []byte(fmt.Sprintf(`{"resourceType":"Encounter","status":"finished","class":{"code":"IMP"},
		 "period":{"start":%q,"end":%q}}`, day(c.dischargedDaysAgo+5), day(c.dischargedDaysAgo))))
	}
	if c.visitedDaysAgo > 0 {
		rec.Encounters = append(rec.Encounters, []byte(fmt.Sprintf(`{"resourceType":"Encounter","status":"finished","class":{"code":"HH"},
		 "period":{"start":%q,"end":%q}}`, day(c.visitedDaysAgo), day(c.visitedDaysAgo))))
	}
	if c.taskDueInDays != nil {
		rec.Tasks = append(rec.Tasks, []byte(fmt.Sprintf(`{"resourceType":"Task","id":"t-%s","status":"requested","intent":"order",
		 "description":"Theo dõi sau ra viện / Post-discharge follow-up","for":{"reference":"Patient/%s"},"authoredOn":%q,
		 "restriction":{"period":{"end":%q}}}`, c.id, c.id, day(10), day(-*c.taskDueInDays))))
	}
	for i := 0; i < c.failedTasks; i++ {
		rec.Tasks = append(rec.Tasks, []byte(fmt.Sprintf(`{"resourceType":"Task","id":"f%d","status":"failed","intent":"order","authoredOn":%q}`, i, day(20))))
	}
	for _, f := range c.flags {
		rec.Flags = append(rec.Flags, []byte(fmt.Sprintf(`{"resourceType":"Flag","status":"active","code":{"text":%q},"subject":{"reference":"Patient/%s"}}`, f, c.id)))
	}
	return rec
}

func ip(n int) *int { return &n }

func TestWorklistPriority(t *testing.T) {
	charts := []chart{
		// 78-year-old, hypertension, diabetes, dementia, discharged 2 days ago, follow-up due in 5 days.
		{id: "ba", name: "Nguyễn Thị Ba", village: "Thôn Đông", commune: "Xã An Bình", born: "1947-03-01",
			conds: []string{"I10", "E11.9", "F03"}, dischargedDaysAgo: 2, taskDueInDays: ip(5)},
		// Missed-dose alert and an overdue follow-up task, visited 10 days ago.
		{id: "tu", name: "Trần Văn Tư", village: "Thôn Tây", commune: "Xã An Bình", born: "1960-01-01",
			conds: []string{"I10"}, visitedDaysAgo: 10, taskDueInDays: ip(-3), flags: []string{"Bỏ 3 liều liên tiếp"}},
		// Visited 45 days ago, robust.
		{id: "nam", name: "Lê Văn Năm", village: "Thôn Đông", commune: "Xã An Bình", born: "1970-06-15",
			conds: []string{"I10"}, visitedDaysAgo: 45},
		// Visited last week, nothing open: not due.
		{id: "sau", name: "Phạm Thị Sáu", village: "Thôn Tây", commune: "Xã An Bình", born: "1965-01-01",
			conds: []string{"I10"}, visitedDaysAgo: 7},
		// Never visited, two failed follow-ups, 86 years old.
		{id: "bay", name: "Hoàng Văn Bảy", village: "Xóm 3", commune: "Xã Phú Lộc", born: "1939-01-01",
			conds: []string{"I10"}, failedTasks: 2},
		// Discharged 20 days ago and visited since: only the routine interval counts.
		{id: "tam", name: "Vũ Thị Tám", village: "Xóm 3", commune: "Xã Phú Lộc", born: "1955-01-01",
			conds: []string{"E11.9"}, dischargedDaysAgo: 20, visitedDaysAgo: 15},
	}
	var recs []Record
	for _, c := range charts {
		recs = append(recs, c.record(t))
	}
	tests := []struct {
		name      string
		all       bool
		wantOrder []string
		wantScore map[string]int
		wantGroup []string // "commune/village" in order
	}{
		{
			name:      "due only",
			wantOrder: []string{"ba", "bay", "tu", "nam"},
			// ba: discharge 40 + task due in 5 days (not soon) 0 + frail (dementia 2 + age 78 1) 20 + never visited 10 = 70
			// bay: failed 2×10 + frailty age86 pre-frail 8 + never visited 10 = 38
			// tu: overdue 15 + flag 10 = 25
			// nam: 15 days late → 8
			wantScore: map[string]int{"ba": 70, "bay": 38, "tu": 25, "nam": 8},
			wantGroup: []string{"Xã An Bình/Thôn Đông", "Xã Phú Lộc/Xóm 3", "Xã An Bình/Thôn Tây"},
		},
		{
			name:      "all patients",
			all:       true,
			wantOrder: []string{"ba", "bay", "tu", "nam", "sau", "tam"},
			wantScore: map[string]int{"sau": 0, "tam": 0},
			wantGroup: []string{"Xã An Bình/Thôn Đông", "Xã Phú Lộc/Xóm 3", "Xã An Bình/Thôn Tây"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wl, err := BuildWorklist(recs, WorklistOptions{Now: testNow, Loc: time.UTC, All: tt.all})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range wl.Entries {
				got = append(got, e.PatientID)
				if want, ok := tt.wantScore[e.PatientID]; ok && e.Score != want {
					t.Errorf("%s score = %d (%+v), want %d", e.PatientID, e.Score, e.Reasons, want)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.wantOrder, ",") {
				t.Errorf("order = %v, want %v", got, tt.wantOrder)
			}
			var groups []string
			n := 0
			for _, g := range wl.Groups {
				groups = append(groups, g.Commune+"/"+g.Village)
				n += len(g.Entries)
			}
			if strings.Join(groups, ",") != strings.Join(tt.wantGroup, ",") {
				t.Errorf("groups = %v, want %v", groups, tt.wantGroup)
			}
			if n != len(wl.Entries) {
				t.Errorf("groups hold %d entries, the list %d", n, len(wl.Entries))
			}
		})
	}
}

func TestReasonText(t *testing.T) {
	tests := []struct {
		r      Reason
		vi, en string
	}{
		{Reason{Code: "discharge", N: 2}, "Ra viện 2 ngày trước, chưa được thăm", "Discharged 2 days ago, not yet visited"},
		{Reason{Code: "frailty", Detail: FrailtyFrail}, "Suy yếu: suy yếu", "Frailty: frail"},
		{Reason{Code: "adherence-risk", Detail: "high"}, "Nguy cơ không tuân thủ thuốc: cao", "Adherence risk: high"},
	}
	for _, tt := range tests {
		if got := tt.r.Text("vi"); got != tt.vi {
			t.Errorf("vi: got %q, want %q", got, tt.vi)
		}
		if got := tt.r.Text("en"); got != tt.en {
			t.Errorf("en: got %q, want %q", got, tt.en)
		}
	}
}

func TestWorklistErrors(t *testing.T) {
	_, err := BuildWorklist([]Record{{Patient: []byte(`{"resourceType":"Observation"}`)}}, WorklistOptions{Now: testNow})
	if err == nil || !strings.Contains(err.Error(), "want a Patient") {
		t.Errorf("err = %v, want a Patient type error", err)
	}
	_, err = BuildWorklist(nil, WorklistOptions{})
	if err == nil {
		t.Error("no Now: want an error")
	}
}

func TestFrailty(t *testing.T) {
	tests := []struct {
		age   int
		icd   []string
		level string
		pts   int
	}{
		{60, nil, FrailtyRobust, 0},
		{78, nil, FrailtyPreFrail, 1},
		{78, []string{"F03"}, FrailtyFrail, 3},
		{88, []string{"R54"}, FrailtyFrail, 4},
		{70, []string{"I10", "E11.9", "N18.3", "I25.9"}, FrailtyPreFrail, 1},
		{70, []string{"I69.3", "W19"}, FrailtyPreFrail, 2},
	}
	for _, tt := range tests {
		var conds []conditionJSON
		for _, c := range tt.icd {
			conds = append(conds, conditionJSON{Code: concept{Coding: []coding{{System: "http://hl7.org/fhir/sid/icd-10", Code: c}}}})
		}
		got := assessFrailty(tt.age, conds)
		if got.Level != tt.level || got.Points != tt.pts {
			t.Errorf("age %d %v: got %s/%d, want %s/%d", tt.age, tt.icd, got.Level, got.Points, tt.level, tt.pts)
		}
	}
}
