package careplan

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestWorkResources(t *testing.T) {
	w := Work{Kind: KindDischargeFollowUp, RequestID: "sr1", TaskID: "t1", Patient: "Patient/ba", Encounter: "Encounter/adm",
		Requester: "Organization/bv", Performer: "Organization/tyt", Reason: "THA, ĐTĐ, sa sút trí tuệ", Authored: testNow}
	sr, task, err := w.Resources()
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		ResourceType, Status, Intent string
		Performer                    []reference
		OccurrencePeriod             period
	}
	if err := json.Unmarshal(sr, &s); err != nil {
		t.Fatal(err)
	}
	if s.ResourceType != "ServiceRequest" || s.Status != "active" || s.Intent != "order" || s.Performer[0].Reference != "Organization/tyt" {
		t.Errorf("ServiceRequest = %s", sr)
	}
	tv, err := ReadTask(task, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	wantDue := testNow.AddDate(0, 0, FollowUpDays)
	if tv.Status != TaskRequested || tv.Owner != "Organization/tyt" || tv.Kind != KindDischargeFollowUp || !tv.Due.Equal(wantDue) || tv.Focus != "ServiceRequest/sr1" || tv.Patient != "ba" {
		t.Errorf("Task view = %+v, want requested, owner tyt, kind discharge, due %v", tv, wantDue)
	}
	if err := CheckTaskWrite(nil, task); err != nil {
		t.Errorf("the built Task fails its own state machine: %v", err)
	}
}

func TestWorkErrors(t *testing.T) {
	ok := Work{Kind: KindReferral, RequestID: "a", TaskID: "b", Patient: "Patient/p", Requester: "Organization/x", Performer: "Organization/y", Authored: testNow}
	tests := []struct {
		name string
		edit func(*Work)
		want string
	}{
		{"kind", func(w *Work) { w.Kind = "visit" }, "work kind"},
		{"patient", func(w *Work) { w.Patient = "Group/1" }, "not a Patient"},
		{"performer", func(w *Work) { w.Performer = "" }, "performer are required"},
		{"id", func(w *Work) { w.TaskID = "bad id" }, "not valid FHIR ids"},
		{"time", func(w *Work) { w.Authored = time.Time{} }, "authored"},
	}
	for _, tt := range tests {
		w := ok
		tt.edit(&w)
		if _, _, err := w.Resources(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, _, err := ok.Resources(); err != nil {
		t.Errorf("valid referral: %v", err)
	}
}

func TestReminders(t *testing.T) {
	due := func(days int) time.Time { return testNow.AddDate(0, 0, days) }
	tasks := []TaskView{
		{ID: "far", Status: TaskRequested, Due: due(5)},
		{ID: "soon", Status: TaskAccepted, Due: due(2)},
		{ID: "today", Status: TaskInProgress, Due: due(0)},
		{ID: "late", Status: TaskRequested, Due: due(-4)},
		{ID: "done", Status: TaskCompleted, Due: due(-4)},
		{ID: "draft", Status: TaskDraft, Due: due(-4)},
		{ID: "nodue", Status: TaskRequested},
	}
	got := Reminders(tasks, testNow, time.UTC)
	want := []struct {
		id, level string
		days      int
	}{{"late", ReminderOverdue, 4}, {"today", ReminderDue, 0}, {"soon", ReminderDueSoon, -2}}
	if len(got) != len(want) {
		t.Fatalf("got %d reminders %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].Task.ID != w.id || got[i].Level != w.level || got[i].Days != w.days {
			t.Errorf("reminder %d = %s/%s/%d, want %s/%s/%d", i, got[i].Task.ID, got[i].Level, got[i].Days, w.id, w.level, w.days)
		}
	}
}

func TestCompletionSteps(t *testing.T) {
	tests := []struct {
		from    string
		want    []string
		wantErr bool
	}{
		{TaskRequested, []string{TaskAccepted, TaskInProgress, TaskCompleted}, false},
		{TaskReceived, []string{TaskAccepted, TaskInProgress, TaskCompleted}, false},
		{TaskAccepted, []string{TaskInProgress, TaskCompleted}, false},
		{TaskReady, []string{TaskInProgress, TaskCompleted}, false},
		{TaskInProgress, []string{TaskCompleted}, false},
		{TaskDraft, nil, true},
		{TaskOnHold, nil, true},
		{TaskCompleted, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			task := []byte(`{"resourceType":"Task","id":"t","status":"` + tt.from + `","intent":"order"}`)
			steps, err := CompletionSteps(task, "PractitionerRole/chw", "Encounter/v1", testNow)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			prev := task
			for i, st := range steps {
				var h struct {
					Status string
					Owner  reference
					Output []struct{ ValueReference reference }
				}
				if err := json.Unmarshal(st, &h); err != nil {
					t.Fatal(err)
				}
				if h.Status != tt.want[i] {
					t.Errorf("step %d status %s, want %s", i, h.Status, tt.want[i])
				}
				if err := CheckTaskWrite(prev, st); err != nil {
					t.Errorf("step %d breaks the state machine: %v", i, err)
				}
				if h.Owner.Reference != "PractitionerRole/chw" {
					t.Errorf("step %d owner %q", i, h.Owner.Reference)
				}
				if i == len(steps)-1 && (len(h.Output) != 1 || h.Output[0].ValueReference.Reference != "Encounter/v1") {
					t.Errorf("last step output = %+v, want Encounter/v1", h.Output)
				}
				prev = st
			}
			if len(steps) != len(tt.want) {
				t.Errorf("got %d steps, want %d", len(steps), len(tt.want))
			}
		})
	}
}

func TestCareTeam(t *testing.T) {
	team := Team{ID: "ct1", Patient: "Patient/ba", Name: "Chăm sóc bà Ba", Managing: []string{"Organization/bv", "Organization/tyt"},
		Members: []Member{
			{Ref: "PractitionerRole/bs-noi", Role: RoleSpecialist, OnBehalfOf: "Organization/bv"},
			{Ref: "PractitionerRole/ys-tyt", Role: RoleStationGP, OnBehalfOf: "Organization/tyt"},
			{Ref: "PractitionerRole/chw", Role: RoleCHW, OnBehalfOf: "Organization/tyt"},
			{Ref: "Organization/ldtbxh", Role: RoleSocialWorker},
			{Ref: "RelatedPerson/con-gai", Role: RoleCaregiver, Display: "Trần Thị Hoa (con gái)"},
		}}
	b, err := CareTeamJSON(team)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Members(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(team.Members) {
		t.Fatalf("got %d members, want %d", len(got), len(team.Members))
	}
	wantSectors := []string{SectorHospital, SectorPrimary, SectorCommunity, SectorSocial, SectorFamily}
	for i, m := range got {
		if m.Role != team.Members[i].Role || m.Sector != wantSectors[i] || m.Ref != team.Members[i].Ref {
			t.Errorf("member %d = %+v, want role %s sector %s", i, m, team.Members[i].Role, wantSectors[i])
		}
	}
	for ref, want := range map[string]bool{"Organization/tyt": true, "RelatedPerson/con-gai": true, "Organization/other": false} {
		if HasMember(got, ref) != want {
			t.Errorf("HasMember(%s) = %v, want %v", ref, !want, want)
		}
	}
	bad := []struct {
		m    Member
		want string
	}{
		{Member{Ref: "Practitioner/x", Role: RoleCaregiver}, "cannot have role caregiver"},
		{Member{Ref: "RelatedPerson/x", Role: RoleCHW}, "cannot have role chw"},
		{Member{Ref: "Practitioner/x", Role: "wizard"}, "unknown role"},
		{Member{Ref: "Practitioner/x", Role: RoleNurse, OnBehalfOf: "Patient/1"}, "not an Organization"},
	}
	for _, tt := range bad {
		_, err := CareTeamJSON(Team{Patient: "Patient/ba", Members: []Member{tt.m}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want %q", tt.m, err, tt.want)
		}
	}
}
