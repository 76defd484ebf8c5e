package careplan

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// RenderHTML writes a document Bundle (as $document returns it) as a
// printable HTML page in Vietnamese (lang "vi") or English: header with
// the patient and author, then each section's text and entries. Print CSS
// gives A4 margins and keeps sections whole; the browser's "Save as PDF"
// makes the PDF.
func RenderHTML(w io.Writer, bundle []byte, lang string) error {
	var b struct {
		ResourceType, Type string
		Entry              []struct{ Resource json.RawMessage }
	}
	if err := json.Unmarshal(bundle, &b); err != nil || b.ResourceType != "Bundle" || b.Type != "document" || len(b.Entry) == 0 {
		return fmt.Errorf("render document: not a document Bundle")
	}
	byRef := map[string]json.RawMessage{}
	for _, e := range b.Entry {
		if ref, _ := Summarize(e.Resource); ref != "" {
			byRef[ref] = e.Resource
		}
	}
	var c struct {
		ResourceType, Title, Date string
		Subject, Encounter        struct{ Reference string }
		Author                    []struct{ Reference string }
		Custodian                 struct{ Reference string }
		Section                   []struct {
			Title string
			Entry []struct{ Reference string }
		}
	}
	if err := json.Unmarshal(b.Entry[0].Resource, &c); err != nil || c.ResourceType != "Composition" {
		return fmt.Errorf("render document: the first entry is not a Composition")
	}
	pick := func(s string) string { // "vi / en" → one language
		vi, en, ok := strings.Cut(s, " / ")
		if !ok {
			return s
		}
		if lang == "en" {
			return en
		}
		return vi
	}
	page := docPage{Lang: lang, Title: pick(c.Title), Date: c.Date, L: docLabels(lang)}
	page.Patient = patientLine(byRef[c.Subject.Reference], c.Subject.Reference)
	for _, a := range c.Author {
		page.Authors = append(page.Authors, nameOf(byRef[a.Reference], a.Reference))
	}
	if c.Custodian.Reference != "" {
		page.Custodian = nameOf(byRef[c.Custodian.Reference], c.Custodian.Reference)
	}
	for _, s := range c.Section {
		sec := docSection{Title: pick(s.Title)}
		for _, e := range s.Entry {
			if body, ok := byRef[e.Reference]; ok {
				_, text := Summarize(body)
				sec.Lines = append(sec.Lines, text)
			} else {
				sec.Lines = append(sec.Lines, e.Reference)
			}
		}
		page.Sections = append(page.Sections, sec)
	}
	return docTemplate.Execute(w, page)
}

type docPage struct {
	Lang, Title, Date, Patient, Custodian string
	Authors                               []string
	Sections                              []docSection
	L                                     map[string]string
}

type docSection struct {
	Title string
	Lines []string
}

func docLabels(lang string) map[string]string {
	if lang == "en" {
		return map[string]string{"patient": "Patient", "date": "Date", "author": "Author", "custodian": "Organisation", "none": "None recorded", "print": "Print", "sign": "Signature"}
	}
	return map[string]string{"patient": "Người bệnh", "date": "Ngày", "author": "Người lập", "custodian": "Cơ sở", "none": "Không có", "print": "In", "sign": "Ký tên"}
}

func patientLine(body json.RawMessage, ref string) string {
	var p struct {
		Name []struct {
			Text, Family string
			Given        []string
		}
		BirthDate, Gender string
	}
	if json.Unmarshal(body, &p) != nil || len(p.Name) == 0 {
		return ref
	}
	n := p.Name[0].Text
	if n == "" {
		n = strings.TrimSpace(p.Name[0].Family + " " + strings.Join(p.Name[0].Given, " "))
	}
	if p.BirthDate != "" {
		n += " · " + p.BirthDate
	}
	if p.Gender != "" {
		n += " · " + p.Gender
	}
	return n
}

func nameOf(body json.RawMessage, ref string) string {
	var o struct {
		Name json.RawMessage
	}
	if json.Unmarshal(body, &o) != nil || len(o.Name) == 0 {
		return ref
	}
	var s string
	if json.Unmarshal(o.Name, &s) == nil && s != "" {
		return s // Organization.name
	}
	return patientLine(body, ref) // Practitioner HumanName
}

var docTemplate = template.Must(template.New("doc").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,"Segoe UI",Roboto,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem;line-height:1.45;color:#111}
h1{font-size:1.4rem;border-bottom:2px solid #0b6e4f;padding-bottom:.3rem}
h2{font-size:1.05rem;margin:1.2rem 0 .3rem;color:#0b6e4f}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}
section{break-inside:avoid}ul{margin:.2rem 0}.sign{margin-top:3rem;text-align:right}
.noprint{margin:1rem 0}
@media print{@page{size:A4;margin:18mm}body{margin:0;max-width:none;font-size:11pt}.noprint{display:none}h1{border-color:#000}h2{color:#000}}
</style></head><body>
<p class="noprint"><button onclick="window.print()">{{.L.print}}</button></p>
<h1>{{.Title}}</h1>
<dl><dt>{{.L.patient}}</dt><dd>{{.Patient}}</dd><dt>{{.L.date}}</dt><dd>{{.Date}}</dd>
<dt>{{.L.author}}</dt><dd>{{range $i, $a := .Authors}}{{if $i}}, {{end}}{{$a}}{{end}}</dd>
{{if .Custodian}}<dt>{{.L.custodian}}</dt><dd>{{.Custodian}}</dd>{{end}}</dl>
{{range .Sections}}<section><h2>{{.Title}}</h2>{{if .Lines}}<ul>{{range .Lines}}<li>{{.}}</li>{{end}}</ul>{{else}}<p>{{$.L.none}}</p>{{end}}</section>
{{end}}<p class="sign">{{.L.sign}}</p>
</body></html>
`))
