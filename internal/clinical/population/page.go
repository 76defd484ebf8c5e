package population

import (
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Page is the server-rendered population dashboard: choose a registry, a
// dimension (province, commune, age band, sex) and a reference month; it
// draws a bar chart of the control rate as inline SVG, a table of released
// counts, and offers the same table as CSV (?format=csv). Counts leave
// through disclosure control (redact <= 7, round to 5) and rates are
// shown only for denominators that are not redacted. Text is Vietnamese
// unless ?lang=en.
type Page struct {
	// Cohort returns the population to show (the caller decides how it is
	// read and cached).
	Cohort func(ctx context.Context) (*Cohort, error)
	// Label names a group key ("01" → "Hà Nội"); nil shows the key.
	Label func(by, key string) string
	Now   func() time.Time
	SDC   SDC
}

// ServeHTTP implements http.Handler (GET only).
func (pg *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	lang := "vi"
	if q.Get("lang") == "en" {
		lang = "en"
	}
	now := time.Now
	if pg.Now != nil {
		now = pg.Now
	}
	dq := DashboardQuery{Registry: def(q.Get("registry"), "hypertension"), By: def(q.Get("by"), ByProvince), Province: q.Get("province")}
	var err error
	if dq.Month, err = ParseMonth(def(q.Get("month"), MonthOf(now()).String())); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c, err := pg.Cohort(r.Context())
	if err != nil {
		http.Error(w, tr(lang, "Không đọc được dữ liệu", "Cannot read the data"), http.StatusInternalServerError)
		return
	}
	rows, err := c.Dashboard(dq)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	released, err := pg.release(rows, dq.By)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if q.Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%s.csv"`, dq.Registry, dq.By, dq.Month))
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"key", "label", "population", "registered", "under_care", "controlled", "control_rate", "pdc_patients", "adherent"})
		for _, r := range released {
			_ = cw.Write([]string{r.Key, r.Label, r.Population, r.Registered, r.UnderCare, r.Controlled, r.Rate, r.PDCPatients, r.Adherent})
		}
		cw.Flush()
		return
	}
	points, err := c.Trend(dq.Registry, dq.Month.Add(1-trendMonths), dq.Month, dq.Province)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	trend, err := pg.releaseTrend(points)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	reg, _ := RegistryByID(dq.Registry)
	data := pageData{Lang: lang, Q: dq, Rows: released, Registries: Registries(), Month: dq.Month.String(),
		Title: tr(lang, "Sức khỏe cộng đồng", "Population health"), RegistryName: tr(lang, reg.NameVI, reg.Name),
		Chart: barChart(released), CSV: "?" + withFormat(q),
		Trend: trendChart(trend, tr(lang, "Tỷ lệ kiểm soát 12 tháng", "Control rate over 12 months"))}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pageTemplate().Execute(w, data); err != nil {
		http.Error(w, "render", http.StatusInternalServerError)
	}
}

// releasedRow is a dashboard row after disclosure control, as text.
type releasedRow struct {
	Key, Label                                    string
	Population, Registered, UnderCare, Controlled string
	Rate                                          string // "" when the denominator is redacted
	RateValue                                     float64
	PDCPatients, Adherent                         string
}

func (pg *Page) release(rows []Row, by string) ([]releasedRow, error) {
	out := make([]releasedRow, 0, len(rows))
	for _, r := range rows {
		cells := make([]Cell, 7)
		for i, n := range []int{r.Population, r.Registered, r.UnderCare, r.Controlled, r.PDCPatients, r.Adherent} {
			c, err := pg.SDC.Release(n)
			if err != nil {
				return nil, err
			}
			cells[i] = c
		}
		rr := releasedRow{Key: r.Key, Label: r.Key,
			Population: cells[0].String(), Registered: cells[1].String(), UnderCare: cells[2].String(),
			Controlled: cells[3].String(), PDCPatients: cells[4].String(), Adherent: cells[5].String()}
		if pg.Label != nil && r.Key != "total" {
			if l := pg.Label(by, r.Key); l != "" {
				rr.Label = l
			}
		}
		if !cells[2].Redacted {
			rr.RateValue = r.ControlRate()
			rr.Rate = strconv.FormatFloat(100*rr.RateValue, 'f', 1, 64)
		}
		out = append(out, rr)
	}
	return out, nil
}

type pageData struct {
	Lang, Title, RegistryName, Month, CSV string
	Q                                     DashboardQuery
	Rows                                  []releasedRow
	Registries                            []Registry
	Chart, Trend                          template.HTML
}

// barChart draws the control rate of each group (total excluded) as SVG.
func barChart(rows []releasedRow) template.HTML {
	const barH, gap, labelW, width = 18, 6, 160, 560
	var b strings.Builder
	n := 0
	for _, r := range rows {
		if r.Key != "total" {
			n++
		}
	}
	h := n*(barH+gap) + gap
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d">`, width, h, width, h)
	y := gap
	for _, r := range rows {
		if r.Key == "total" {
			continue
		}
		w := int(r.RateValue * float64(width-labelW-60))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, labelW-6, y+barH-5, template.HTMLEscapeString(r.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#2e7d32"><title>%s: %s%%</title></rect>`, labelW, y, w, barH, template.HTMLEscapeString(r.Label), r.Rate)
		val := r.Rate + "%"
		if r.Rate == "" {
			val = RedactedText
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%s</text>`, labelW+w+4, y+barH-5, template.HTMLEscapeString(val))
		y += barH + gap
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every interpolated string above is escaped
}

func pageTemplate() *template.Template {
	return template.Must(template.New("population").Funcs(template.FuncMap{"tr": tr}).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}td:first-child,th:first-child{text-align:left}</style></head>
<body><h1>{{.Title}}: {{.RegistryName}} ({{.Month}})</h1>
<form method="get">
<label>{{tr .Lang "Sổ bệnh" "Registry"}} <select name="registry">{{range .Registries}}<option value="{{.ID}}"{{if eq .ID $.Q.Registry}} selected{{end}}>{{tr $.Lang .NameVI .Name}}</option>{{end}}</select></label>
<label>{{tr .Lang "Theo" "By"}} <select name="by">
<option value="province"{{if eq .Q.By "province"}} selected{{end}}>{{tr .Lang "Tỉnh/thành" "Province"}}</option>
<option value="commune"{{if eq .Q.By "commune"}} selected{{end}}>{{tr .Lang "Xã/phường" "Commune"}}</option>
<option value="age"{{if eq .Q.By "age"}} selected{{end}}>{{tr .Lang "Nhóm tuổi" "Age band"}}</option>
<option value="sex"{{if eq .Q.By "sex"}} selected{{end}}>{{tr .Lang "Giới" "Sex"}}</option></select></label>
<label>{{tr .Lang "Tháng" "Month"}} <input name="month" value="{{.Month}}" pattern="\d{4}-\d{2}"></label>
<input type="hidden" name="lang" value="{{.Lang}}">
<button>{{tr .Lang "Xem" "Show"}}</button></form>
<h2>{{tr .Lang "Tỷ lệ kiểm soát (%)" "Control rate (%)"}}</h2>
{{.Chart}}
<h2>{{tr .Lang "Xu hướng 12 tháng (%)" "12-month trend (%)"}}</h2>
{{.Trend}}
<table><thead><tr><th>{{tr .Lang "Nhóm" "Group"}}</th><th>{{tr .Lang "Dân số" "Population"}}</th><th>{{tr .Lang "Đăng ký" "Registered"}}</th><th>{{tr .Lang "Đang quản lý" "Under care"}}</th><th>{{tr .Lang "Kiểm soát" "Controlled"}}</th><th>%</th><th>{{tr .Lang "Đo PDC" "PDC measured"}}</th><th>{{tr .Lang "Tuân thủ (PDC ≥ 80%)" "Adherent (PDC ≥ 80%)"}}</th></tr></thead><tbody>
{{range .Rows}}<tr><td>{{if eq .Key "total"}}{{tr $.Lang "Tổng" "Total"}}{{else}}{{.Label}}{{end}}</td><td>{{.Population}}</td><td>{{.Registered}}</td><td>{{.UnderCare}}</td><td>{{.Controlled}}</td><td>{{.Rate}}</td><td>{{.PDCPatients}}</td><td>{{.Adherent}}</td></tr>
{{end}}</tbody></table>
<p><a href="{{.CSV}}">{{tr .Lang "Tải CSV" "Download CSV"}}</a></p>
<p><small>{{tr .Lang "Số ≤ 7 được ẩn, các số khác làm tròn đến 5 (kiểm soát tiết lộ thống kê)." "Counts ≤ 7 are redacted and others rounded to 5 (statistical disclosure control)."}}</small></p>
</body></html>`))
}

func tr(lang, vi, en string) string {
	if lang == "en" {
		return en
	}
	return vi
}

func def(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func withFormat(q map[string][]string) string {
	parts := []string{"format=csv"}
	for _, k := range []string{"registry", "by", "month", "province", "lang"} {
		if v := q[k]; len(v) > 0 && v[0] != "" {
			parts = append(parts, k+"="+template.URLQueryEscaper(v[0]))
		}
	}
	return strings.Join(parts, "&")
}
