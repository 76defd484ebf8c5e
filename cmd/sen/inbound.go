package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/chat"
	"github.com/sen-emr/sen/internal/clinical/alert"
	"github.com/sen-emr/sen/internal/clinical/medication"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/reminder"
	"github.com/sen-emr/sen/internal/vn"
	"github.com/sen-emr/sen/internal/web"
)

// The conversational check-in reaches Sen from real channels (issue 6
// §4): the patient app's chat (/me/chat, internal/web), an SMS gateway's
// inbound callback (POST /hooks/sms) and the Zalo Official Account
// webhook (POST /hooks/zalo). Each message is read by the chat
// classifier (rules, plus the optional model of --llm-url), recorded
// through alert.Scanner.CheckIn — one FHIR transaction, with the
// side-effect and missed-dose alerts raised at once — kept with Sen's
// answer as two Communications (chat.Turn), and answered on the medium
// it came by. A sender Sen cannot tie to exactly one patient gets a
// polite answer and nothing is written.

// inboundFlags configure the webhooks and the alerts a check-in raises.
// In the zero value (flags built by hand) both webhooks are off, the
// missed-dose alert is off and the window is the default.
type inboundFlags struct {
	smsSecret, smsAuth, smsHeader    string
	zaloSecret, zaloAppID, zaloCSURL string
	missedInARow                     int
	window                           dayDuration
}

// zaloCSEndpoint is Zalo's "send a customer-service message" API, by
// which an OA answers a user who wrote to it.
const zaloCSEndpoint = "https://openapi.zalo.me/v3.0/oa/message/cs"

func (f *inboundFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.smsSecret, "sms-inbound-secret", "", "secret the SMS gateway proves its inbound callbacks (POST /hooks/sms) with; empty: no SMS check-in / khoá bí mật của tin SMS gửi đến")
	fl.StringVar(&f.smsAuth, "sms-inbound-auth", string(chat.SMSAuthSecret), `how: "secret" (the secret itself in a header) or "hmac" (hex HMAC-SHA256 of the body) / cách xác thực`)
	fl.StringVar(&f.smsHeader, "sms-inbound-header", "", "header carrying it (default X-Sen-Secret, or X-Sen-Signature for hmac)")
	fl.StringVar(&f.zaloSecret, "zalo-oa-secret", "", "Zalo OA secret key that signs webhook events (POST /hooks/zalo); empty: no Zalo check-in / khoá bí mật OA Zalo")
	fl.StringVar(&f.zaloAppID, "zalo-app-id", "", "id of the Zalo app linked to the OA (each event's app_id must match)")
	fl.StringVar(&f.zaloCSURL, "zalo-reply-url", zaloCSEndpoint, "Zalo OA customer-service message API for answers (with --zalo-token)")
	fl.IntVar(&f.missedInARow, "missed-doses-alert", alert.DefaultMissedInARow, "alert the care team after N doses of a medicine reported missed in a row (0: off) / báo nhóm chăm sóc sau N liều bỏ liên tiếp")
	f.window = dayDuration(alert.DefaultLookback)
	fl.Var(&f.window, "alert-window", `how far back missed-dose and side-effect alerts look, e.g. "14d" or "72h" / khoảng thời gian xét`)
}

// dayDuration is a flag value in days ("14d") or any Go duration ("72h").
type dayDuration time.Duration

func (d *dayDuration) String() string {
	v := time.Duration(*d)
	if v > 0 && v%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", v/(24*time.Hour))
	}
	return v.String()
}

func (d *dayDuration) Set(s string) error {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err != nil || fmt.Sprint(days) != n {
			return fmt.Errorf("want a number of days (14d) or a duration (72h), got %q", s)
		}
		*d = dayDuration(time.Duration(days) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a number of days (14d) or a duration (72h), got %q", s)
	}
	*d = dayDuration(v)
	return nil
}

func (d *dayDuration) Type() string { return "duration" }

// alertSettings returns the Scanner's MissedInARow and Lookback, checking
// the flags.
func (f *inboundFlags) alertSettings() (missedInARow int, lookback time.Duration, err error) {
	if f.missedInARow < 0 || f.missedInARow > 100 {
		return 0, 0, fmt.Errorf("--missed-doses-alert: want 0 (off) to 100, got %d", f.missedInARow)
	}
	w := time.Duration(f.window)
	if w == 0 {
		w = alert.DefaultLookback // flags built by hand (tests)
	}
	if w < time.Hour || w > 366*24*time.Hour {
		return 0, 0, fmt.Errorf("--alert-window: want 1h to 366d, got %v", w)
	}
	n := f.missedInARow
	if n == 0 {
		n = -1 // the Scanner's "off"
	}
	return n, w, nil
}

// checkins is the conversation service shared by the three media.
type checkins struct {
	classifier chat.Classifier
	scanner    *alert.Scanner // its Client is the trusted in-process FHIR client
	now        func() time.Time
	loc        *time.Location
	log        *slog.Logger
	// sms and zalo answer on those media (nil: the answer is only kept
	// in the record and returned to the gateway).
	sms, zalo reminder.Channel
	flags     *inboundFlags
	// locks serialise the check-ins of one patient: the alerts'
	// deduplication reads and then writes, and a gateway's retry must see
	// the first delivery's record.
	locks [64]sync.Mutex
}

// openInbound builds the conversation service. fhirAPI must be the
// trusted in-process FHIR handler (the service writes Flags and Tasks
// for the care team, which no patient may); the caller has checked who
// may speak for which patient.
func openInbound(f *inboundFlags, chans *channels, classifier chat.Classifier, zaloToken string, fhirAPI http.Handler, now func() time.Time, log *slog.Logger) (*checkins, error) {
	missed, lookback, err := f.alertSettings()
	if err != nil {
		return nil, err
	}
	if f.smsAuth == "" {
		f.smsAuth = string(chat.SMSAuthSecret)
	}
	switch chat.SMSAuth(f.smsAuth) {
	case chat.SMSAuthSecret, chat.SMSAuthHMAC:
	default:
		return nil, fmt.Errorf(`--sms-inbound-auth: want "secret" or "hmac", got %q`, f.smsAuth)
	}
	if (f.zaloSecret == "") != (f.zaloAppID == "") {
		return nil, errors.New("--zalo-oa-secret and --zalo-app-id go together / cần cả hai")
	}
	if now == nil {
		now = time.Now
	}
	c := &checkins{
		classifier: classifier, now: now, loc: vnLoc(), log: log, flags: f,
		scanner: &alert.Scanner{Client: alert.Client{Handler: fhirAPI}, Now: now, Loc: vnLoc(), Log: log,
			MissedInARow: missed, Lookback: lookback},
	}
	if chans != nil {
		if r, ok := chans.channel.(reminder.Router); ok {
			for _, ch := range r.Channels {
				if s, ok := ch.(reminder.SMS); ok {
					c.sms = s
				}
			}
		}
	}
	if f.zaloSecret != "" && zaloToken != "" {
		if err := checkGatewayURL("--zalo-reply-url", f.zaloCSURL); err != nil {
			return nil, err
		}
		c.zalo = newZaloCS(f.zaloCSURL, zaloToken, nil)
	}
	return c, nil
}

// mount registers the webhooks that are configured; the others stay 404.
func (c *checkins) mount(mux *http.ServeMux) {
	if c.flags.smsSecret != "" {
		mux.HandleFunc("POST /hooks/sms", c.smsHook)
	}
	if c.flags.zaloSecret != "" {
		mux.HandleFunc("POST /hooks/zalo", c.zaloHook)
	}
}

// banner says which inbound media are on.
func (c *checkins) banner() string {
	media := []string{"web (/me/chat)"}
	if c.flags.smsSecret != "" {
		media = append(media, "sms (/hooks/sms)")
	}
	if c.flags.zaloSecret != "" {
		media = append(media, "zalo (/hooks/zalo)")
	}
	return fmt.Sprintf("Tin nhắn của người bệnh đến qua / Patient check-ins arrive by: %s\n", strings.Join(media, ", "))
}

func (c *checkins) lock(patient string) func() {
	h := fnv.New32a()
	h.Write([]byte(patient))
	m := &c.locks[h.Sum32()%uint32(len(c.locks))]
	m.Lock()
	return m.Unlock
}

// message is one message to converse about.
type message struct {
	patient  string // FHIR id
	sender   string // FHIR reference of the writer; "" is the patient
	medium   string // chat.MediumWeb, …
	text     string
	lang     string // the answer's language; "" is the patient's preference
	gwSystem string // the gateway's message id (for retries), optional
	gwID     string
}

// answer is what converse did.
type answer struct {
	reply     string
	lang      string
	intent    chat.Intent
	recorded  []string
	raised    []alert.Kind
	duplicate bool // a gateway's retry of a message already taken
}

// Answers of the conversation that the chat package does not have: they
// depend on the record.
var (
	replyWhich = [2]string{
		"Bác đang nói về thuốc nào ạ? Bác nhắn kèm tên thuốc giúp Sen, ví dụ \"đã uống %s\". Thuốc của bác: %s.",
		"Which medicine do you mean? Please add its name, e.g. \"took %s\". Your medicines: %s.",
	}
	replyNoMedicine = [2]string{
		"Sen không thấy thuốc nào bác đang dùng trong hồ sơ nên chưa ghi nhận. Bác hỏi lại nhân viên y tế giúp Sen nhé.",
		"We found no current medicine in your record, so nothing was recorded. Please check with your health worker.",
	}
	replyStart = [2]string{
		"Sen sẽ nhắc bác uống thuốc trở lại. Nhắn DUNG để ngừng.",
		"Reminders are back on. Send STOP to stop them.",
	}
	replyUnknownPhone = "Sen chưa tìm thấy hồ sơ nào với số điện thoại này nên chưa ghi nhận tin nhắn. Vui lòng liên hệ cơ sở y tế của bạn. / " +
		"We could not find a record for this number, so your message was not recorded. Please contact your health facility."
	replySharedPhone = "Số điện thoại này gắn với nhiều hồ sơ nên Sen chưa thể ghi nhận tin nhắn. Vui lòng liên hệ cơ sở y tế của bạn. / " +
		"This number belongs to more than one record, so your message was not recorded. Please contact your health facility."
	replyUnknownZalo = "Tài khoản Zalo này chưa được liên kết với hồ sơ nào nên Sen chưa ghi nhận tin nhắn. Vui lòng nhờ cơ sở y tế liên kết giúp. / " +
		"This Zalo account is not linked to a record, so your message was not recorded. Please ask your health facility to link it."
)

func pick(pair [2]string, lang string) string {
	if lang == "en" {
		return pair[1]
	}
	return pair[0]
}

// converse reads one message from a patient already identified, records
// it and keeps the turn. An error means nothing was recorded (the
// caller says so, and a gateway may retry).
func (c *checkins) converse(ctx context.Context, m message) (answer, error) {
	defer c.lock(m.patient)()
	var a answer
	if m.gwID != "" {
		dup, err := c.seen(ctx, m.gwSystem, m.gwID)
		if err != nil {
			return a, err
		}
		if dup {
			a.duplicate = true
			return a, nil
		}
	}
	now := c.now()
	text := chat.CleanText(m.text)
	pat, err := c.readPatient(ctx, m.patient)
	if err != nil {
		return a, err
	}
	enr, _ := reminder.ReadEnrolment(pat)
	a.lang = m.lang
	if a.lang != "en" && a.lang != "vi" {
		a.lang = "vi"
		if enr.English {
			a.lang = "en"
		}
	}
	meds, err := c.medicines(ctx, m.patient)
	if err != nil {
		return a, err
	}
	var res chat.Result
	switch {
	case text == "":
		res = chat.Result{Intent: chat.Help}
	case command(text) == "stop":
		res = chat.Result{Intent: chat.Stop} // the bare word the help text names
	case command(text) == "start":
		res = chat.Result{Intent: chat.Unknown}
		if err := c.setReminders(ctx, m.patient, true); err != nil {
			return a, err
		}
		a.reply = pick(replyStart, a.lang)
	default:
		names := make([]string, len(meds))
		for i, md := range meds {
			names[i] = md.name
		}
		res = c.classifier.Classify(ctx, text, chat.Options{Medicines: names, Names: patientNames(pat)}).Result
	}
	a.intent = res.Intent
	cc := chat.Context{Patient: "Patient/" + m.patient, Received: now, Loc: c.loc, Text: text}
	record := false
	switch res.Intent {
	case chat.Taken, chat.Missed:
		md, which := chooseMedicine(res, meds, res.When(cc), c.loc, true)
		switch {
		case md != nil:
			cc.MedicationATC, cc.MedicationText, cc.Request = md.atc, md.name, "MedicationRequest/"+md.request
			record = true
		case len(meds) == 0:
			a.reply = pick(replyNoMedicine, a.lang)
		default:
			a.reply = fmt.Sprintf(pick(replyWhich, a.lang), which[0], strings.Join(which, ", "))
		}
	case chat.SideEffect, chat.RanOut:
		// Named, or the only one: a symptom is not pinned on a medicine
		// because a dose of it happened to be due.
		if md, _ := chooseMedicine(res, meds, res.When(cc), c.loc, false); md != nil {
			cc.MedicationATC, cc.MedicationText, cc.Request = md.atc, md.name, "MedicationRequest/"+md.request
		}
		record = true
	case chat.Question:
		record = true
	case chat.Stop:
		if err := c.setReminders(ctx, m.patient, false); err != nil {
			return a, err
		}
	}
	if record {
		r, err := c.scanner.CheckIn(ctx, res, cc)
		a.recorded, a.raised = r.Recorded, r.Raised
		if err != nil {
			if len(r.Recorded) == 0 {
				return a, err
			}
			// Recorded; the alerts are raised by the next scan.
			c.log.Warn("check-in recorded, alerts not synced", "patient", m.patient, "recorded", r.Recorded, "err", err)
		}
	}
	if a.reply == "" {
		vi, en := res.Reply()
		a.reply = pick([2]string{vi, en}, a.lang)
	}
	t := chat.Turn{ID: uuid.NewString(), Patient: "Patient/" + m.patient, Sender: m.sender, Medium: m.medium, Text: text,
		Received: now, GatewaySystem: m.gwSystem, GatewayID: m.gwID, Intent: res.Intent, Recorded: a.recorded,
		Reply: a.reply, ReplyLang: a.lang}
	rs, err := t.Resources()
	if err == nil {
		_, err = c.scanner.Client.Transaction(ctx, rs)
	}
	if err != nil {
		// The facts stand; only the conversation's history lacks the turn.
		c.log.Warn("conversation turn not kept", "patient", m.patient, "err", err)
	}
	c.log.Info("check-in", "patient", m.patient, "medium", m.medium, "intent", res.Intent, "recorded", len(a.recorded), "alerts", len(a.raised))
	return a, nil
}

// seen reports whether a message with this gateway id was already taken.
func (c *checkins) seen(ctx context.Context, system, id string) (bool, error) {
	found := false
	err := c.scanner.Client.Search(ctx, "Communication", url.Values{"identifier": {system + "|" + id}, "_count": {"1"}},
		func([]byte) error { found = true; return nil })
	return found, err
}

// activeMedicine is one medicine the patient is on.
type activeMedicine struct {
	name, atc, request string
	req                medication.Request
}

// medicines reads the patient's active prescriptions, one per medicine
// (the latest request of a medicine wins).
func (c *checkins) medicines(ctx context.Context, patient string) ([]activeMedicine, error) {
	var out []activeMedicine
	seen := map[string]int{}
	err := c.scanner.Client.Search(ctx, "MedicationRequest", url.Values{"subject": {"Patient/" + patient}, "status": {"active"}},
		func(b []byte) error {
			r, err := medication.ParseRequest(b)
			if err != nil || r.MedicationCodeableConcept == nil {
				return nil // a request by reference or unreadable: not offered
			}
			md := activeMedicine{name: r.MedicationCodeableConcept.Label(), atc: r.MedicationCodeableConcept.Code(medication.ATCSystem), request: r.ID, req: r}
			if md.name == "" {
				return nil
			}
			key := md.atc
			if key == "" {
				key = strings.ToLower(md.name)
			}
			if i, ok := seen[key]; ok {
				if r.AuthoredOn > out[i].req.AuthoredOn {
					out[i] = md
				}
				return nil
			}
			seen[key] = len(out)
			out = append(out, md)
			return nil
		})
	return out, err
}

// chooseMedicine decides which medicine a message is about without
// guessing: the one it names; else the only one the patient is on; else,
// when byTime (a dose taken or missed), the only one with a dose
// scheduled within three hours of the moment the message speaks of.
// Otherwise nil, with the names to ask about.
func chooseMedicine(r chat.Result, meds []activeMedicine, at time.Time, loc *time.Location, byTime bool) (*activeMedicine, []string) {
	var names []string
	for i := range meds {
		if r.Medicine != "" && meds[i].name == r.Medicine {
			return &meds[i], nil
		}
		names = append(names, meds[i].name)
	}
	if len(meds) == 1 {
		return &meds[0], nil
	}
	if !byTime {
		return nil, names
	}
	var due []*activeMedicine
	for i := range meds {
		doses, err := medication.Schedule(meds[i].req, at.Add(-3*time.Hour), at.Add(3*time.Hour), loc, medication.MealTimes{})
		if err == nil && len(doses) > 0 {
			due = append(due, &meds[i])
		}
	}
	if len(due) == 1 {
		return due[0], nil
	}
	if len(due) > 1 {
		names = names[:0]
		for _, d := range due {
			names = append(names, d.name)
		}
	}
	return nil, names
}

// command reads the one-word commands Sen's answers teach: "DUNG" /
// "STOP" ends reminders (the help text names it), "BAT" / "START" turns
// them back on (the answer to a stop names it). "" for any other text.
func command(text string) string {
	switch strings.Trim(strings.ToLower(vn.Fold(text)), " .!") {
	case "dung", "dung lai", "ngung", "stop":
		return "stop"
	case "bat", "bat nhac", "bat lai", "bat lai nhac", "bat nhac lai", "start", "unstop", "resume":
		return "start"
	}
	return ""
}

// readPatient reads Patient/id (a search by _id: the alert client
// reads by search).
func (c *checkins) readPatient(ctx context.Context, id string) ([]byte, error) {
	var out []byte
	err := c.scanner.Client.Search(ctx, "Patient", url.Values{"_id": {id}}, func(b []byte) error {
		out = append([]byte(nil), b...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, &fhir.Error{Kind: fhir.KindNotFound, Msg: "Patient/" + id + " not found / không tìm thấy người bệnh"}
	}
	return out, nil
}

// setReminders records the patient's choice about reminders
// (reminder.ExtReminders) on their Patient resource.
func (c *checkins) setReminders(ctx context.Context, patient string, on bool) error {
	b, err := c.readPatient(ctx, patient)
	if err != nil {
		return err
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("Patient/%s: %w", patient, err)
	}
	exts, _ := p["extension"].([]any)
	kept := exts[:0:0]
	for _, e := range exts {
		if m, ok := e.(map[string]any); ok && m["url"] == reminder.ExtReminders {
			continue
		}
		kept = append(kept, e)
	}
	p["extension"] = append(kept, map[string]any{"url": reminder.ExtReminders, "valueBoolean": on})
	delete(p, "meta")
	out, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.scanner.Client.Update(ctx, "Patient", patient, out)
}

// patientNames are the names a model must not see (chat.Scrub).
func patientNames(patientJSON []byte) []string {
	var p struct {
		Name []struct {
			Text   string   `json:"text"`
			Family string   `json:"family"`
			Given  []string `json:"given"`
		} `json:"name"`
	}
	_ = json.Unmarshal(patientJSON, &p)
	var out []string
	for _, n := range p.Name {
		if n.Text != "" {
			out = append(out, n.Text)
		}
		if full := strings.TrimSpace(n.Family + " " + strings.Join(n.Given, " ")); full != "" {
			out = append(out, full)
		}
	}
	return out
}

// maxHookBody bounds a webhook's body: a text message with its envelope.
const maxHookBody = 64 << 10

// hookAnswer is what a webhook answers the gateway.
type hookAnswer struct {
	Status    string `json:"status"` // recorded, answered, duplicate, unknown-sender, ambiguous-sender, ignored
	Intent    string `json:"intent,omitempty"`
	Reply     string `json:"reply,omitempty"`
	Delivered bool   `json:"delivered"` // the answer went out on the medium
}

func writeHook(w http.ResponseWriter, a hookAnswer) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(a)
}

// hookError answers with an OperationOutcome; details stay in the log.
func hookError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/fhir+json; charset=utf-8")
	w.WriteHeader(fhir.StatusOf(err))
	_, _ = w.Write(fhir.OutcomeOf(err).JSON())
}

func readHook(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHookBody))
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindTooLarge, Msg: fmt.Sprintf("webhook body over %d bytes / nội dung quá lớn", maxHookBody), Err: err}
	}
	return b, nil
}

var errHookSignature = &fhir.Error{Kind: fhir.KindUnauthorized,
	Msg: "webhook secret or signature does not match / khoá bí mật hoặc chữ ký không khớp", Err: chat.ErrBadSignature}

// smsHook takes a gateway's inbound SMS: POST /hooks/sms.
func (c *checkins) smsHook(w http.ResponseWriter, r *http.Request) {
	body, err := readHook(w, r)
	if err != nil {
		hookError(w, err)
		return
	}
	mode := chat.SMSAuth(c.flags.smsAuth)
	header := c.flags.smsHeader
	if header == "" {
		header = mode.DefaultHeader()
	}
	if err := chat.VerifySMS(mode, c.flags.smsSecret, r.Header.Get(header), body); err != nil {
		c.log.Warn("inbound sms refused: bad secret or signature", "addr", r.RemoteAddr)
		hookError(w, errHookSignature)
		return
	}
	sms, err := chat.ParseSMS(r.Header.Get("Content-Type"), body)
	if err != nil {
		hookError(w, &fhir.Error{Kind: fhir.KindInvalid, Msg: "SMS callback: want from and text (JSON or form) / cần from và text", Err: err})
		return
	}
	ctx := r.Context()
	ids, err := c.patientsByPhone(ctx, sms.From)
	if err != nil {
		c.log.Error("inbound sms: patient lookup", "err", err)
		hookError(w, &fhir.Error{Kind: fhir.KindInternal, Msg: "try again later", Err: err})
		return
	}
	if len(ids) != 1 {
		status, reply := "unknown-sender", replyUnknownPhone
		if len(ids) > 1 {
			status, reply = "ambiguous-sender", replySharedPhone
		}
		c.log.Info("inbound sms not recorded", "why", status, "from", maskPhone(sms.From), "patients", len(ids))
		writeHook(w, hookAnswer{Status: status, Reply: reply, Delivered: c.send(ctx, c.sms, sms.From, reply, "")})
		return
	}
	a, err := c.converse(ctx, message{patient: ids[0], medium: chat.MediumSMS, text: sms.Text, gwSystem: chat.SystemInboundSMS, gwID: sms.ID})
	c.respond(w, r, a, err, c.sms, sms.From)
}

// zaloHook takes a Zalo OA webhook event: POST /hooks/zalo.
func (c *checkins) zaloHook(w http.ResponseWriter, r *http.Request) {
	body, err := readHook(w, r)
	if err != nil {
		hookError(w, err)
		return
	}
	e, err := chat.VerifyZalo(c.flags.zaloAppID, c.flags.zaloSecret, r.Header.Get("X-ZEvent-Signature"), body)
	if err != nil {
		if errors.Is(err, chat.ErrBadSignature) {
			c.log.Warn("zalo webhook refused: bad signature or app id", "addr", r.RemoteAddr)
			hookError(w, errHookSignature)
			return
		}
		hookError(w, &fhir.Error{Kind: fhir.KindInvalid, Msg: "not a Zalo webhook event / không phải sự kiện Zalo", Err: err})
		return
	}
	if e.Event != chat.ZaloTextEvent || e.Sender == "" {
		writeHook(w, hookAnswer{Status: "ignored"}) // follows, images, stickers …: nothing to read
		return
	}
	ctx := r.Context()
	ids, err := c.patientsByZalo(ctx, e.Sender)
	if err != nil {
		c.log.Error("zalo webhook: patient lookup", "err", err)
		hookError(w, &fhir.Error{Kind: fhir.KindInternal, Msg: "try again later", Err: err})
		return
	}
	if len(ids) != 1 {
		status := "unknown-sender"
		if len(ids) > 1 {
			status = "ambiguous-sender"
		}
		c.log.Info("zalo message not recorded", "why", status, "patients", len(ids))
		writeHook(w, hookAnswer{Status: status, Reply: replyUnknownZalo, Delivered: c.send(ctx, c.zalo, e.Sender, replyUnknownZalo, "")})
		return
	}
	a, err := c.converse(ctx, message{patient: ids[0], medium: chat.MediumZalo, text: e.Text, gwSystem: chat.SystemInboundZalo, gwID: e.MsgID})
	c.respond(w, r, a, err, c.zalo, e.Sender)
}

// respond sends the answer on the medium and tells the gateway.
func (c *checkins) respond(w http.ResponseWriter, r *http.Request, a answer, err error, ch reminder.Channel, to string) {
	if err != nil {
		// Nothing was recorded: a 503 lets the gateway deliver it again.
		c.log.Error("check-in failed", "err", err)
		hookError(w, &fhir.Error{Kind: fhir.KindInternal, HTTPStatus: http.StatusServiceUnavailable, Msg: "not recorded, try again later / chưa ghi nhận, thử lại sau", Err: err})
		return
	}
	if a.duplicate {
		writeHook(w, hookAnswer{Status: "duplicate"})
		return
	}
	status := "answered"
	if len(a.recorded) > 0 {
		status = "recorded"
	}
	writeHook(w, hookAnswer{Status: status, Intent: string(a.intent), Reply: a.reply, Delivered: c.send(r.Context(), ch, to, a.reply, a.lang)})
}

// send delivers an answer through a reminder channel; false when there
// is none or it failed (logged).
func (c *checkins) send(ctx context.Context, ch reminder.Channel, to, text, lang string) bool {
	if ch == nil || to == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, err := ch.Send(ctx, reminder.Message{To: to, VI: text, EN: text, English: lang == "en",
		Reminder: reminder.Reminder{ID: "reply-" + uuid.NewString()}})
	if err != nil {
		c.log.Warn("answer not delivered", "channel", ch.Name(), "err", err)
		return false
	}
	return true
}

// patientsByPhone finds the patients whose mobile number is the
// sender's, whatever form it was recorded in (E.164, 0…, 84…, with the
// usual spaces). Inactive patients are left out.
func (c *checkins) patientsByPhone(ctx context.Context, from string) ([]string, error) {
	p, err := vn.ParsePhone(from)
	if err != nil {
		return nil, nil // not a Vietnamese mobile: nobody
	}
	nsn := strings.TrimPrefix(p.National, "0")
	forms := []string{p.E164, p.National, p.Zalo(),
		p.National[:4] + " " + p.National[4:7] + " " + p.National[7:],
		"+84 " + nsn[:3] + " " + nsn[3:6] + " " + nsn[6:]}
	found := map[string]bool{}
	var ids []string
	for _, f := range forms {
		err := c.scanner.Client.Search(ctx, "Patient", url.Values{"phone": {f}}, func(b []byte) error {
			var pt struct {
				ID      string `json:"id"`
				Active  *bool  `json:"active"`
				Telecom []struct{ System, Value string }
			}
			if json.Unmarshal(b, &pt) != nil || found[pt.ID] || (pt.Active != nil && !*pt.Active) {
				return nil
			}
			for _, t := range pt.Telecom {
				if q, err := vn.ParsePhone(t.Value); err == nil && (t.System == "phone" || t.System == "sms") && q.E164 == p.E164 {
					found[pt.ID] = true
					ids = append(ids, pt.ID)
					break
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// patientsByZalo finds the patients whose identifier
// chat.SystemZaloUser is the Zalo user id.
func (c *checkins) patientsByZalo(ctx context.Context, user string) ([]string, error) {
	var ids []string
	err := c.scanner.Client.Search(ctx, "Patient", url.Values{"identifier": {chat.SystemZaloUser + "|" + user}}, func(b []byte) error {
		var pt struct {
			ID     string `json:"id"`
			Active *bool  `json:"active"`
		}
		if json.Unmarshal(b, &pt) == nil && pt.ID != "" && (pt.Active == nil || *pt.Active) {
			ids = append(ids, pt.ID)
		}
		return nil
	})
	return ids, err
}

// maskPhone keeps the last three digits, for log lines.
func maskPhone(s string) string {
	d := []rune(s)
	if len(d) <= 3 {
		return "***"
	}
	return strings.Repeat("*", len(d)-3) + string(d[len(d)-3:])
}

// webChat adapts the service to the patient app (web.Conversations).
type webChat struct{ c *checkins }

func (w webChat) Converse(ctx context.Context, m web.ChatMessage) (web.ChatAnswer, error) {
	a, err := w.c.converse(ctx, message{patient: m.PatientID, sender: m.Sender, medium: chat.MediumWeb, text: m.Text, lang: m.Lang})
	if err != nil {
		return web.ChatAnswer{}, err
	}
	return web.ChatAnswer{Reply: a.reply, Intent: string(a.intent), Recorded: a.recorded}, nil
}

// zaloCS answers a Zalo user through the OA's customer-service message
// API: POST {"recipient":{"user_id"},"message":{"text"}} with the OA's
// access token; Zalo allows it for a while after the user wrote.
type zaloCS struct {
	transport reminder.Transport
	endpoint  string
}

func newZaloCS(endpoint, accessToken string, client *http.Client) zaloCS {
	h := http.Header{}
	h.Set("access_token", accessToken)
	return zaloCS{transport: reminder.HTTP{Client: client, Header: h, Answer: zaloCSAnswer}, endpoint: endpoint}
}

func (zaloCS) Name() string { return "zalo-cs" }

func (z zaloCS) Send(ctx context.Context, m reminder.Message) (string, error) {
	if m.To == "" {
		return "", fmt.Errorf("zalo-cs: %w", reminder.ErrNoAddress)
	}
	text := m.VI
	if m.English {
		text = m.EN
	}
	body, err := json.Marshal(map[string]any{"recipient": map[string]string{"user_id": m.To}, "message": map[string]string{"text": text}})
	if err != nil {
		return "", fmt.Errorf("zalo-cs: %w", err)
	}
	r, err := z.transport.Post(ctx, z.endpoint, body)
	if err != nil {
		return "", fmt.Errorf("zalo-cs: %w", err)
	}
	return r, nil
}

// zaloCSAnswer reads {"error":0,"message":"Success","data":{"message_id":…}};
// a non-zero error (token expired, user not reachable) is a refusal.
func zaloCSAnswer(status int, body []byte) (string, error) {
	if status < 200 || status > 299 {
		return "", &reminder.GatewayError{Status: status, Message: string(body[:min(len(body), 200)]), Temporary: status >= 500 || status == 429}
	}
	var a struct {
		Error   *int   `json:"error"`
		Message string `json:"message"`
		Data    struct {
			MessageID string `json:"message_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.Error == nil {
		return "", &reminder.GatewayError{Status: status, Message: "unreadable Zalo answer"}
	}
	if *a.Error != 0 {
		return "", &reminder.GatewayError{Status: status, Code: fmt.Sprint(*a.Error), Message: a.Message}
	}
	return a.Data.MessageID, nil
}

var (
	_ reminder.Channel  = zaloCS{}
	_ web.Conversations = webChat{}
)
