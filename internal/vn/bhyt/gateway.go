package bhyt

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Gateway is the adapter to the social-insurance (BHXH) receiving gateway
// (REGULATIONS.md §2, "Social-insurance gateway API"): the check-in message
// (XML0, `…/api/qd130/checkInKcbQd3176`, loaiHoSo=0) at the first cost, and
// the claim envelope (`…/api/qd130/guiHoSoXmlQD4750`, loaiHoSo=130,
// fileHSBase64) when the encounter ends. A concrete HTTP client needs the
// facility's gateway account (token: `…/api/token/take`) and is
// contract-specific; tests and the demo use FakeGateway.
//
// An error that wraps ErrRejected is final: the gateway read the file and
// refused it, so sending it again cannot help (fix the record, then send a
// new claim under a new MA_LK). Any other error is temporary and retried.
type Gateway interface {
	CheckIn(ctx context.Context, maCSKCB string, xml0 []byte) (Receipt, error)
	Submit(ctx context.Context, sub Submission) (Receipt, error)
}

// Submission is one claim envelope to send.
type Submission struct {
	MaLK     string
	MaTinh   string // province of the facility (the first 2 digits of MA_CSKCB)
	MaCSKCB  string
	Envelope []byte // GIAMDINHHS, as Envelope makes it
}

// Receipt is the gateway's answer, kept as evidence of submission.
type Receipt struct {
	MaLK        string    `json:"ma_lk"`
	Code        string    `json:"maKetQua"`         // result code
	Transaction string    `json:"maGiaoDich"`       // the gateway's transaction id
	Received    time.Time `json:"thoiGianTiepNhan"` // yyyyMMddHHmmss on the wire, Vietnam time
	Message     string    `json:"thongDiep"`
}

// CodeAccepted is maKetQua of an accepted file. Assumed ([M]): the field
// names are [C], the success value is not documented in REGULATIONS.md.
const CodeAccepted = "000"

// Accepted reports whether the gateway took the file.
func (r Receipt) Accepted() bool { return r.Code == CodeAccepted }

// ErrRejected marks a final refusal by the gateway.
var ErrRejected = errors.New("rejected by the BHXH gateway / cổng BHXH từ chối hồ sơ")

// ParseReceiptTime reads thoiGianTiepNhan (yyyyMMddHHmmss, Vietnam time).
func ParseReceiptTime(s string) (time.Time, error) {
	t, err := time.ParseInLocation("20060102150405", s, vnZone)
	if err != nil {
		return time.Time{}, fmt.Errorf("thoiGianTiepNhan %q: want yyyyMMddHHmmss: %w", s, err)
	}
	return t, nil
}

// FakeGateway is an in-memory Gateway for tests and the demo. It opens
// every envelope it is given (a file that does not decode is rejected, as
// the real gateway would), can be told to fail temporarily a number of
// times, and remembers what it received. Safe for concurrent use.
type FakeGateway struct {
	Now func() time.Time // default time.Now
	// FailNext makes the next n calls fail with a temporary error.
	FailNext int
	// Reject makes Submit refuse files whose MA_LK is listed, with the
	// given message.
	Reject map[string]string

	mu       sync.Mutex
	seq      int
	checkIns map[string]int
	received map[string][]Submission
}

func (g *FakeGateway) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

func (g *FakeGateway) fail() error {
	if g.FailNext > 0 {
		g.FailNext--
		return errors.New("fake gateway: temporarily unavailable (503)")
	}
	return nil
}

func (g *FakeGateway) receipt(maLK, code, msg string) Receipt {
	g.seq++
	return Receipt{MaLK: maLK, Code: code, Transaction: fmt.Sprintf("GD%08d", g.seq),
		Received: g.now().In(vnZone).Truncate(time.Second), Message: msg}
}

// CheckIn accepts a parsable XML0.
func (g *FakeGateway) CheckIn(_ context.Context, maCSKCB string, xml0 []byte) (Receipt, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.fail(); err != nil {
		return Receipt{}, err
	}
	t, _ := TableByName("XML0")
	rows, errs := ParseTable(t, xml0)
	if len(errs) > 0 || len(rows) == 0 {
		return g.receipt("", "400", "XML0 unreadable"), fmt.Errorf("check-in at %s: %w", maCSKCB, ErrRejected)
	}
	maLK := rows[0]["MA_LK"]
	if g.checkIns == nil {
		g.checkIns = map[string]int{}
	}
	g.checkIns[maLK]++
	return g.receipt(maLK, CodeAccepted, "check-in received"), nil
}

// Submit accepts an envelope that opens and holds XML1.
func (g *FakeGateway) Submit(_ context.Context, sub Submission) (Receipt, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.fail(); err != nil {
		return Receipt{}, err
	}
	if msg, ok := g.Reject[sub.MaLK]; ok {
		return g.receipt(sub.MaLK, "400", msg), fmt.Errorf("claim %s: %s: %w", sub.MaLK, msg, ErrRejected)
	}
	tables, _, err := OpenEnvelope(sub.Envelope)
	if err != nil || len(tables["XML1"]) == 0 {
		return g.receipt(sub.MaLK, "400", "envelope unreadable or without XML1"), fmt.Errorf("claim %s: %w", sub.MaLK, ErrRejected)
	}
	if g.received == nil {
		g.received = map[string][]Submission{}
	}
	g.received[sub.MaLK] = append(g.received[sub.MaLK], sub)
	return g.receipt(sub.MaLK, CodeAccepted, "received"), nil
}

// Received returns how many times the claim maLK was accepted (more than
// once means a duplicate submission).
func (g *FakeGateway) Received(maLK string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.received[maLK])
}

// Submissions returns the accepted submissions of maLK, oldest first.
func (g *FakeGateway) Submissions(maLK string) []Submission {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Submission(nil), g.received[maLK]...)
}

// SetFailNext makes the next n calls fail temporarily (the gateway is
// down), safely while the gateway is in use.
func (g *FakeGateway) SetFailNext(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.FailNext = n
}

// CheckIns returns how many check-ins were accepted for maLK.
func (g *FakeGateway) CheckIns(maLK string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.checkIns[maLK]
}
