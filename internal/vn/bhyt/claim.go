package bhyt

import "time"

// Row is one table row: field name → value as it goes into the XML
// (codes stay strings, "01" is not 1).
type Row map[string]string

// Claim is the claim of one episode: the rows of each table it has.
type Claim struct {
	MaLK    string // the episode key, unique and never reused
	MaCSKCB string // the facility
	Tables  map[string][]Row
}

// Names lists the tables present, in envelope order.
func (c *Claim) Names() []string {
	var out []string
	for _, t := range tableList {
		if len(c.Tables[t.Name]) > 0 {
			out = append(out, t.Name)
		}
	}
	return out
}

// Times in claims are Vietnam local time.
var vnZone = time.FixedZone("ICT", 7*3600)

// FormatDateTime writes yyyyMMddHHmm in Vietnam time.
func FormatDateTime(t time.Time) string { return t.In(vnZone).Format("200601021504") }

// FormatDate writes yyyyMMdd in Vietnam time.
func FormatDate(t time.Time) string { return t.In(vnZone).Format("20060102") }

// benefitPercent is MUC_HUONG from the card's benefit digit
// (REGULATIONS.md §3, [M]: 1–2 and 5 = 100%, 3 = 95%, 4 = 80%).
func benefitPercent(level int) int {
	switch level {
	case 3:
		return 95
	case 4:
		return 80
	case 1, 2, 5:
		return 100
	}
	return 0
}

// line is one priced claim line before it becomes an XML2 or XML3 row.
type line struct {
	qty, price Dec // SO_LUONG, DON_GIA (rounded to 3 places)
	rate       Dec // TYLE_TT_BH, percent of the price BHYT covers
	benefit    int // MUC_HUONG
	totalBV    Dec // THANH_TIEN_BV
	totalBH    Dec // THANH_TIEN_BH
	paidBH     Dec // T_BHTT
	copay      Dec // T_BNCCT
	selfPay    Dec // T_BNTT
}

// price computes a line's amounts with the rounding REGULATIONS.md §2
// gives: DON_GIA to 3 places, THANH_TIEN_BV = SO_LUONG × DON_GIA to 2;
// then THANH_TIEN_BH = THANH_TIEN_BV × TYLE_TT_BH%, T_BHTT =
// THANH_TIEN_BH × MUC_HUONG%, each to 2 places; the patient pays the
// co-payment T_BNCCT = THANH_TIEN_BH − T_BHTT and T_BNTT = THANH_TIEN_BV −
// THANH_TIEN_BH (the split is Sen's reading; docs/regulations.md).
func price(qty, unit, rate Dec, benefit int) line {
	l := line{qty: qty, price: unit.Round(3), rate: rate, benefit: benefit}
	l.totalBV = l.qty.Mul(l.price).Round(2)
	l.totalBH = l.totalBV.Percent(rate).Round(2)
	l.paidBH = l.totalBH.Percent(DecInt(int64(benefit))).Round(2)
	l.copay = l.totalBH.Sub(l.paidBH)
	l.selfPay = l.totalBV.Sub(l.totalBH)
	return l
}

func (l line) put(r Row, priceField string) {
	r["SO_LUONG"] = l.qty.String()
	r[priceField] = l.price.String()
	r["TYLE_TT_BH"] = l.rate.String()
	r["THANH_TIEN_BV"] = l.totalBV.String()
	r["THANH_TIEN_BH"] = l.totalBH.String()
	r["T_NGUONKHAC"] = "0"
	r["MUC_HUONG"] = DecInt(int64(l.benefit)).String()
	r["T_BHTT"] = l.paidBH.String()
	r["T_BNCCT"] = l.copay.String()
	r["T_BNTT"] = l.selfPay.String()
}
