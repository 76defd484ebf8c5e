package careplan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDocumentComposition(t *testing.T) {
	cond := json.RawMessage(`{"resourceType":"Condition","id":"c1","code":{"text":"Tăng huyết áp"},"onsetDateTime":"2019-04-02"}`)
	med := json.RawMessage(`{"resourceType":"MedicationRequest","id":"m1","status":"active","medicationCodeableConcept":{"text":"Amlodipin 5 mg"},"dosageInstruction":[{"text":"1 viên buổi sáng"}]}`)
	bp := json.RawMessage(`{"resourceType":"Observation","id":"o1","code":{"text":"Huyết áp"},"effectiveDateTime":"2025-03-01T08:00:00+07:00","component":[{"code":{"text":"sys"},"valueQuantity":{"value":146,"unit":"mmHg"}},{"code":{"text":"dia"},"valueQuantity":{"value":88,"unit":"mmHg"}}]}`)
	doc := Document{ID: "d1", Kind: DocDischargeSummary, Patient: "Patient/p1", Encounter: "Encounter/e1", Author: "Organization/bv",
		Date: time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC),
		Sections: []Section{{Code: "11450-4", Entries: []json.RawMessage{cond}}, {Code: "10160-0", Entries: []json.RawMessage{med}},
			{Code: "8716-3", Entries: []json.RawMessage{bp}}, {Code: "18776-5"}}}
	body, err := doc.Composition()
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Type    struct{ Coding []struct{ Code string } }
		Status  string
		Section []struct {
			Title       string
			Entry       []struct{ Reference string }
			Text        struct{ Div string }
			EmptyReason *struct{}
		}
	}
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	if c.Type.Coding[0].Code != "18842-5" || c.Status != "final" || len(c.Section) != 4 {
		t.Fatalf("composition = %s", body)
	}
	tests := []struct {
		i        int
		wantRef  string
		wantText string
	}{
		{0, "Condition/c1", "Tăng huyết áp (2019-04-02)"},
		{1, "MedicationRequest/m1", "Amlodipin 5 mg — 1 viên buổi sáng"},
		{2, "Observation/o1", "Huyết áp: 146/88 mmHg (2025-03-01)"},
	}
	for _, tt := range tests {
		s := c.Section[tt.i]
		if got := s.Entry[0].Reference; got != tt.wantRef {
			t.Errorf("section %d entry = %s, want %s", tt.i, got, tt.wantRef)
		}
		if !strings.Contains(s.Text.Div, tt.wantText) {
			t.Errorf("section %d narrative = %s, want %q", tt.i, s.Text.Div, tt.wantText)
		}
	}
	if c.Section[3].EmptyReason == nil || !strings.Contains(c.Section[3].Text.Div, "None") {
		t.Errorf("empty section = %+v, want emptyReason and a narrative", c.Section[3])
	}
	if _, err := (Document{Kind: "letter", Patient: "Patient/p1", Author: "Organization/x"}).Composition(); err == nil {
		t.Error("unknown kind accepted")
	}

	bundle, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "document", "entry": []any{
		map[string]any{"resource": json.RawMessage(body)},
		map[string]any{"resource": json.RawMessage(`{"resourceType":"Patient","id":"p1","name":[{"text":"Nguyễn Thị Lan"}],"birthDate":"1947-01-05"}`)},
		map[string]any{"resource": json.RawMessage(`{"resourceType":"Organization","id":"bv","name":"Bệnh viện huyện"}`)},
		map[string]any{"resource": cond}, map[string]any{"resource": med}, map[string]any{"resource": bp},
	}})
	for _, lang := range []struct{ lang, title, section string }{{"vi", "Giấy ra viện", "Thuốc đang dùng"}, {"en", "Discharge summary", "Medications"}} {
		var buf bytes.Buffer
		if err := RenderHTML(&buf, bundle, lang.lang); err != nil {
			t.Fatal(err)
		}
		h := buf.String()
		for _, want := range []string{lang.title, lang.section, "Nguyễn Thị Lan", "Bệnh viện huyện", "Amlodipin 5 mg", "146/88 mmHg", "@media print"} {
			if !strings.Contains(h, want) {
				t.Errorf("%s HTML lacks %q", lang.lang, want)
			}
		}
	}
	if err := RenderHTML(&bytes.Buffer{}, []byte(`{"resourceType":"Bundle","type":"collection"}`), "vi"); err == nil {
		t.Error("a collection Bundle rendered")
	}
}
