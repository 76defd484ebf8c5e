package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/web/webtest"
)

// The patient sees who else opened their record, from the audit trail.
func TestAccessLog(t *testing.T) {
	pid := patientOnMeds(t, newClient(t, testApp(t), "vi"))
	a, err := webtest.NewApp(webtest.Options{Patients: 40})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := audit.Open(ctx, audit.Config{Store: a.Store, Indexer: a.Indexer})
	if err != nil {
		t.Fatal(err)
	}
	w.Record(audit.Event{Time: webtest.Now.Add(-time.Hour), Interaction: "read", Action: audit.ActionRead, Outcome: 200,
		Method: "GET", Path: "/fhir/Patient/" + pid, Agent: "Practitioner/1", AgentName: "Bác sĩ Lê Thị Lan",
		AgentRole: "doctor", AgentRoleVI: "Bác sĩ", Purpose: []string{"TREAT"}, Patients: []string{pid}, Resources: []string{"Patient/" + pid}})
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, a, "vi")
	c.signInPatient(pid, "patient")
	mustContain(t, "access log vi", c.get("/me/access"), 200, "Bác sĩ Lê Thị Lan")
	c.lang = "en"
	c.get("/lang?set=en&back=/me")
	mustContain(t, "access log en", c.get("/me/access"), 200, "Bác sĩ Lê Thị Lan", "Who viewed my record")
}
