package research

import (
	"fmt"
	"strconv"

	"github.com/sen-emr/sen/internal/clinical/population"
	"github.com/sen-emr/sen/internal/fhir"
)

// Release policy for row-level extracts.
const (
	// DefaultK is the smallest quasi-identifier class an extract may
	// contain.
	DefaultK = 5
	// DefaultMaxSuppress is the share of the cohort that may be left out
	// to reach k; beyond it the extract is refused, since leaving out more
	// would bias the study silently.
	DefaultMaxSuppress = 0.05
)

// quasiIdentifiers is what the de-identified Patient still shows: birth
// year (population.Deidentifier keeps the year only), sex and province
// (addresses are generalised to the province).
func quasiIdentifiers(p *population.Person) []string {
	year := ""
	if !p.Birth.IsZero() {
		year = strconv.Itoa(p.Birth.Year())
	}
	return []string{year, p.Gender, p.Province}
}

// releasable returns the cohort members that may be released: everyone
// when every (birth year, sex, province) class has at least k members;
// otherwise the members of the large-enough classes when the others are at
// most maxSuppress of the cohort. It refuses (KindUnprocessable) when
// more would have to be left out, or when nobody is left, and returns the
// smallest released class and how many people were left out.
func releasable(people []*population.Person, k int, maxSuppress float64) (keep map[string]bool, smallest, suppressed int, err error) {
	if len(people) == 0 {
		return nil, 0, 0, fhir.Errorf(fhir.KindUnprocessable, "nhóm đối tượng rỗng, không có gì để trích xuất / the cohort is empty: nothing to extract")
	}
	key := func(p *population.Person) string {
		q := quasiIdentifiers(p)
		return q[0] + "\x00" + q[1] + "\x00" + q[2]
	}
	classes := map[string]int{}
	for _, p := range people {
		classes[key(p)]++
	}
	keep = map[string]bool{}
	var rows [][]string
	for _, p := range people {
		if classes[key(p)] < k {
			suppressed++
			continue
		}
		keep[p.ID] = true
		rows = append(rows, quasiIdentifiers(p))
	}
	if float64(suppressed) > maxSuppress*float64(len(people)) || len(keep) == 0 {
		return nil, 0, suppressed, fhir.Errorf(fhir.KindUnprocessable,
			"trích xuất bị từ chối: %d/%d người thuộc nhóm (năm sinh, giới, tỉnh) nhỏ hơn k=%d / extract refused: %d of %d people are in a (birth year, sex, province) class smaller than k=%d; narrow the request or ask for aggregates",
			suppressed, len(people), k, suppressed, len(people), k)
	}
	smallest, err = population.KAnonymity(rows, []int{0, 1, 2})
	if err != nil {
		return nil, 0, suppressed, fmt.Errorf("research: k-anonymity: %w", err)
	}
	return keep, smallest, suppressed, nil
}
