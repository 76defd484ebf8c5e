package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/vn"
)

// fakeOpenAI is an OpenAI-compatible chat-completions endpoint. It checks
// the shape of every request (failing the test on a wrong one), records
// the raw bodies and headers, and answers with answer(userText).
type fakeOpenAI struct {
	t      testing.TB
	key    string
	answer func(user string) (status int, body string, delay time.Duration)

	mu     sync.Mutex
	bodies []string
	heads  []http.Header
	users  []string
}

func (f *fakeOpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(raw))
	f.heads = append(f.heads, r.Header.Clone())
	f.mu.Unlock()
	bad := func(format string, args ...any) {
		f.t.Errorf("fake endpoint: "+format, args...)
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		bad("%s %s, want POST /v1/chat/completions", r.Method, r.URL.Path)
		return
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		bad("Content-Type %q", got)
		return
	}
	if got, want := r.Header.Get("Authorization"), "Bearer "+f.key; f.key != "" && got != want {
		bad("Authorization %q, want %q", got, want)
		return
	}
	var req struct {
		Model          string
		Temperature    *float64
		Messages       []struct{ Role, Content string }
		ResponseFormat struct{ Type string } `json:"response_format"`
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		bad("body: %v", err)
		return
	}
	if req.Model != "test-model" || req.Temperature == nil || *req.Temperature != 0 || req.ResponseFormat.Type != "json_object" ||
		len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" ||
		!strings.Contains(req.Messages[0].Content, `"side_effect"`) {
		bad("request shape: %s", raw)
		return
	}
	user := req.Messages[1].Content
	f.mu.Lock()
	f.users = append(f.users, user)
	f.mu.Unlock()
	status, body, delay := f.answer(user)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// completion wraps content as a chat-completion answer.
func completion(content string) string {
	b, _ := json.Marshal(map[string]any{"id": "x", "object": "chat.completion", "model": "test-model",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": content}}}})
	return string(b)
}

func newFake(t *testing.T, answer func(string) (int, string, time.Duration)) (*fakeOpenAI, *OpenAI) {
	t.Helper()
	f := &fakeOpenAI{t: t, key: "sk-test-123", answer: answer}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	m, err := NewOpenAI(OpenAIConfig{BaseURL: srv.URL + "/v1", Model: "test-model", APIKey: f.key, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return f, m
}

func TestOpenAIAnswers(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		delay   time.Duration
		want    ModelAnswer
		wantErr string
	}{
		{"taken", 200, completion(`{"intent":"taken","symptom":""}`), 0, ModelAnswer{Intent: Taken}, ""},
		{"side effect with symptom", 200, completion(`{"intent":"side_effect","symptom":"back pain"}`), 0, ModelAnswer{Intent: SideEffect, Symptom: "back pain"}, ""},
		{"refill", 200, completion(`{"intent":"refill"}`), 0, ModelAnswer{Intent: RanOut}, ""},
		{"code fence", 200, completion("```json\n{\"intent\":\"missed\"}\n```"), 0, ModelAnswer{Intent: Missed}, ""},
		{"spelling variant", 200, completion(`{"intent":"Side-Effect","symptom":"rash"}`), 0, ModelAnswer{Intent: SideEffect, Symptom: "rash"}, ""},
		{"unknown", 200, completion(`{"intent":"unknown"}`), 0, ModelAnswer{Intent: Unknown}, ""},
		{"intent outside vocabulary", 200, completion(`{"intent":"stop"}`), 0, ModelAnswer{}, `intent "stop" is not one of`},
		{"prose instead of JSON", 200, completion(`The patient took the medicine.`), 0, ModelAnswer{}, "not the JSON object"},
		{"no choices", 200, `{"choices":[]}`, 0, ModelAnswer{}, "no choices"},
		{"not a completion", 200, `<html>proxy</html>`, 0, ModelAnswer{}, "not a chat completion"},
		{"server error with message", 500, `{"error":{"message":"model overloaded"}}`, 0, ModelAnswer{}, "500 Internal Server Error: model overloaded"},
		{"unauthorised", 401, `{"error":{"message":"invalid api key"}}`, 0, ModelAnswer{}, "401 Unauthorized: invalid api key"},
		{"rate limited, plain text", 429, `slow down`, 0, ModelAnswer{}, "429 Too Many Requests: slow down"},
		{"slow answer", 200, completion(`{"intent":"taken"}`), time.Second, ModelAnswer{}, "Client.Timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, m := newFake(t, func(string) (int, string, time.Duration) { return tt.status, tt.body, tt.delay })
			start := time.Now()
			got, err := m.Intent(context.Background(), "da uong roi")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
			if d := time.Since(start); d > 900*time.Millisecond {
				t.Errorf("took %v: the 200 ms timeout did not hold", d)
			}
			if len(f.users) != 1 || f.users[0] != "da uong roi" {
				t.Errorf("endpoint saw %q", f.users)
			}
		})
	}
}

func TestNewOpenAI(t *testing.T) {
	tests := []struct {
		url, model, wantURL, wantErr string
	}{
		{"https://api.openai.com/v1", "gpt-4o-mini", "https://api.openai.com/v1/chat/completions", ""},
		{"https://llm.example.vn/v1/", "m", "https://llm.example.vn/v1/chat/completions", ""},
		{"https://llm.example.vn/openai/v1/chat/completions", "m", "https://llm.example.vn/openai/v1/chat/completions", ""},
		{"http://127.0.0.1:11434/v1", "llama3", "http://127.0.0.1:11434/v1/chat/completions", ""},
		{"http://localhost:8000/v1", "m", "http://localhost:8000/v1/chat/completions", ""},
		{"http://llm.example.vn/v1", "m", "", "plain http is allowed only"},
		{"ftp://llm.example.vn", "m", "", "want an http(s) URL"},
		{"llm.example.vn/v1", "m", "", "want an http(s) URL"},
		{"https://user:sk-secret@llm.example.vn/v1", "m", "", "not in the URL"},
		{"https://api.openai.com/v1", " ", "", "model name is required"},
	}
	for _, tt := range tests {
		m, err := NewOpenAI(OpenAIConfig{BaseURL: tt.url, Model: tt.model})
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.url, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "sk-secret") {
				t.Errorf("%s: error repeats the secret: %v", tt.url, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.url, err)
		case m.Endpoint() != tt.wantURL:
			t.Errorf("%s: endpoint %s, want %s", tt.url, m.Endpoint(), tt.wantURL)
		}
	}
}

// modelFunc is an in-process IntentModel for the merge table.
type modelFunc func(ctx context.Context, s string) (ModelAnswer, error)

func (f modelFunc) Intent(ctx context.Context, s string) (ModelAnswer, error) { return f(ctx, s) }

func TestClassifierFallback(t *testing.T) {
	fixed := func(i Intent, sym string) IntentModel {
		return modelFunc(func(context.Context, string) (ModelAnswer, error) { return ModelAnswer{Intent: i, Symptom: sym}, nil })
	}
	failing := modelFunc(func(context.Context, string) (ModelAnswer, error) {
		return ModelAnswer{}, errors.New("connection refused")
	})
	hanging := modelFunc(func(ctx context.Context, _ string) (ModelAnswer, error) {
		<-ctx.Done()
		return ModelAnswer{}, ctx.Err()
	})
	tests := []struct {
		name     string
		model    IntentModel
		msg      string
		intent   Intent
		by       Source
		fallback error  // checked with errors.Is when set
		symptom  string // checked when set
		tod      TimeOfDay
	}{
		{"no model: rules", nil, "đã uống", Taken, ByRules, nil, "", AnyTime},
		{"model fills an unknown", fixed(Taken, ""), "xong phần thuốc sáng nay", Taken, ByModel, nil, "", Morning},
		{"model corrects taken to missed", fixed(Missed, ""), "uống rồi à? chưa đâu", Missed, ByModel, nil, "", AnyTime},
		{"model error", failing, "xong phần thuốc", Unknown, ByFallback, nil, "", AnyTime},
		{"model timeout", hanging, "quên uống tối qua", Missed, ByFallback, context.DeadlineExceeded, "", Evening},
		{"model abstains", fixed(Unknown, ""), "đã uống", Taken, ByFallback, ErrModelAbstained, "", AnyTime},
		{"model outside vocabulary", fixed(Stop, ""), "đã uống", Taken, ByFallback, nil, "", AnyTime},
		{"escalation kept: side effect", fixed(Taken, ""), "đã uống nhưng bị chóng mặt", SideEffect, ByFallback, ErrModelOverruled, "Chóng mặt", AnyTime},
		{"escalation kept: ran out", fixed(Missed, ""), "hết thuốc nên không uống", RanOut, ByFallback, ErrModelOverruled, "", AnyTime},
		{"model adds a side effect, canonical symptom", fixed(SideEffect, "dizzy"), "uống xong thấy lâng lâng", SideEffect, ByModel, nil, "Chóng mặt", AnyTime},
		{"model side effect, unknown symptom", fixed(SideEffect, "lower back pain"), "đau lưng quá", SideEffect, ByModel, nil, "Tác dụng phụ", AnyTime},
		{"rules symptom kept over the model's", fixed(SideEffect, "headache"), "bị ho khan", SideEffect, ByModel, nil, "Ho khan", AnyTime},
		{"stop is the rules' alone", fixed(Taken, ""), "dừng nhắc", Stop, ByRules, nil, "", AnyTime},
		{"help is the rules' alone", fixed(Taken, ""), "hướng dẫn", Help, ByRules, nil, "", AnyTime},
		{"menu reply is the rules' alone", fixed(Missed, ""), "1", Taken, ByRules, nil, "", AnyTime},
		{"empty message not sent", fixed(Taken, ""), "😀😀", Unknown, ByRules, nil, "", AnyTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var model IntentModel
			if tt.model != nil {
				model = modelFunc(func(ctx context.Context, s string) (ModelAnswer, error) {
					calls++
					return tt.model.Intent(ctx, s)
				})
			}
			start := time.Now()
			got := Classifier{Model: model, Timeout: 50 * time.Millisecond}.Classify(context.Background(), tt.msg, Options{})
			if got.Intent != tt.intent || got.By != tt.by {
				t.Errorf("got %s by %s (fallback %v), want %s by %s", got.Intent, got.By, got.Fallback, tt.intent, tt.by)
			}
			if tt.fallback != nil && !errors.Is(got.Fallback, tt.fallback) {
				t.Errorf("fallback %v, want %v", got.Fallback, tt.fallback)
			}
			if (got.By == ByFallback) != (got.Fallback != nil) {
				t.Errorf("by %s with fallback %v", got.By, got.Fallback)
			}
			if tt.symptom != "" && got.Symptom != tt.symptom {
				t.Errorf("symptom %q, want %q", got.Symptom, tt.symptom)
			}
			if got.TimeOfDay != tt.tod {
				t.Errorf("time of day %q, want %q (the rules' entities)", got.TimeOfDay, tt.tod)
			}
			if tt.by == ByRules && calls != 0 {
				t.Errorf("model asked %d times for a message the rules decide alone", calls)
			}
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("took %v: the 50 ms timeout did not hold", d)
			}
		})
	}
}

// TestModelNeverSeesIdentifiers sends messages full of identifiers
// through the Classifier to the fake endpoint and searches every byte it
// received (bodies and headers) for each identifier, as written, folded,
// as bare digits and in the national/international phone forms.
func TestModelNeverSeesIdentifiers(t *testing.T) {
	f, m := newFake(t, func(string) (int, string, time.Duration) { return 200, completion(`{"intent":"question"}`), 0 })
	o := Options{Names: []string{"Phạm Thị Hồng Nhung", "Lê Văn Tám"}, Identifiers: []string{"BN-2024-778812", "zalo:nhung.pham88"}}
	msgs := []string{
		"Phạm Thị Hồng Nhung đây, sđt 0987 654 321, có được uống với sữa không?",
		"pham thi hong nhung hoi: CCCD 034188001234 dung cho BHYT khong?",
		"Nhung sinh 02/09/1988, thẻ BHYT GD4797915001234, uống lúc nào?",
		"con là Tám, email tam.le@yahoo.com.vn, mẹ con quên uống hả?",
		"mã BN-2024-778812, zalo:nhung.pham88, số +84 987 654 321?",
		"bac Tam sinh ngay 5 thang 3 nam 1950, 84987654321 goi lai cho con duoc khong?",
		"Hồng Nhung (DOB March 2, 1988) asks: can I take it with food?",
	}
	secrets := []string{"Phạm", "Nhung", "nhung", "Tám", "tam.le", "0987654321", "987654321", "034188001234", "GD4797915001234",
		"7915001234", "1988", "1950", "02/09", "BN-2024-778812", "778812", "nhung.pham88", "yahoo"}
	c := Classifier{Model: m}
	for _, msg := range msgs {
		if r := c.Classify(context.Background(), msg, o); r.By != ByModel {
			t.Fatalf("%q: by %s (%v), want the model to have been asked", msg, r.By, r.Fallback)
		}
	}
	if len(f.bodies) != len(msgs) {
		t.Fatalf("endpoint received %d requests, want %d", len(f.bodies), len(msgs))
	}
	for i, body := range f.bodies {
		var dump strings.Builder
		dump.WriteString(body)
		// The JSON body escapes non-ASCII; search the decoded text too.
		dump.WriteString(f.users[i])
		for k, v := range f.heads[i] {
			fmt.Fprintf(&dump, "%s: %s\n", k, strings.Join(v, ","))
		}
		all := dump.String()
		digits := onlyDigits(all)
		for _, s := range secrets {
			if strings.Contains(all, s) || strings.Contains(vn.Fold(all), vn.Fold(s)) {
				t.Errorf("request %d carries %q: %s", i, s, f.users[i])
			}
			if d := onlyDigits(s); len(d) >= 6 && strings.Contains(digits, d) {
				t.Errorf("request %d carries the digits of %q: %s", i, s, f.users[i])
			}
		}
		t.Logf("sent: %s", f.users[i])
	}
}

// TestEvaluateWithFakeModel runs the labelled set through the Classifier
// with a fake endpoint that returns the gold label for every other
// message and, for the rest, in turn: a server error, prose instead of
// JSON, "unknown", and (every 25th message) an answer slower than the
// timeout. Each message must come out as the merge rules say, and the
// merge must not be less accurate than the rules.
func TestEvaluateWithFakeModel(t *testing.T) {
	file, err := os.Open("testdata/messages.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	set, err := ReadLabelled(file)
	if err != nil {
		t.Fatal(err)
	}
	type plan struct {
		gold Intent
		kind int // 0 gold, 1 error, 2 prose, 3 unknown, 4 slow
	}
	byText := map[string]plan{}
	for i, l := range set {
		p := plan{gold: l.Intent}
		switch {
		case i%2 == 0:
		case i%25 == 1:
			p.kind = 4
		default:
			p.kind = 1 + (i/2)%3
		}
		byText[Scrub(l.Text, ScrubOptions{})] = p
	}
	wire := map[Intent]string{Taken: "taken", Missed: "missed", RanOut: "refill", SideEffect: "side_effect", Question: "question"}
	f, m := newFake(t, func(user string) (int, string, time.Duration) {
		p, ok := byText[user]
		if !ok {
			t.Errorf("endpoint received %q, which is not a scrubbed labelled message", user)
			return 500, `{"error":{"message":"?"}}`, 0
		}
		switch p.kind {
		case 1:
			return 503, `{"error":{"message":"overloaded"}}`, 0
		case 2:
			return 200, completion("I think they took it."), 0
		case 3:
			return 200, completion(`{"intent":"unknown"}`), 0
		case 4:
			return 200, completion(`{"intent":"taken"}`), time.Second
		}
		w, ok := wire[p.gold]
		if !ok {
			w = "unknown" // help and stop are outside the model's vocabulary
		}
		return 200, completion(`{"intent":"` + w + `","symptom":""}`), 0
	})
	meds := Options{Medicines: []string{"Amlodipin 5 mg", "Metformin 500 mg", "Losartan 50 mg"}}
	c := Classifier{Model: m, Timeout: 150 * time.Millisecond}
	e, err := Evaluate(context.Background(), c, set, meds, 8)
	if err != nil {
		t.Fatal(err)
	}
	// Re-derive each message's expected intent from the merge contract.
	right := 0
	for _, l := range set {
		rules := Parse(l.Text, meds)
		p := byText[Scrub(l.Text, ScrubOptions{})]
		want := rules.Intent
		command := isCommand(rules)
		_, inVocab := wire[p.gold]
		escalation := (rules.Intent == SideEffect || rules.Intent == RanOut) && p.gold != rules.Intent
		if !command && p.kind == 0 && inVocab && !escalation {
			want = p.gold
		}
		got := c.Classify(context.Background(), l.Text, meds)
		if got.Intent != want {
			t.Errorf("messages.tsv:%d %q: merged %s, want %s (rules %s, fake plan %+v)", l.Line, l.Text, got.Intent, want, rules.Intent, p)
		}
		if got.Intent == l.Intent {
			right++
		}
	}
	t.Logf("fake endpoint: %d requests\n%s", len(f.bodies), e.Table())
	if e.Merged.Right != right {
		t.Errorf("Evaluate counts %d right, a second pass %d", e.Merged.Right, right)
	}
	if e.Merged.Accuracy() < e.Rules.Accuracy() {
		t.Errorf("merged accuracy %.3f below the rules' %.3f", e.Merged.Accuracy(), e.Rules.Accuracy())
	}
	if e.Failed == 0 || e.Abstained == 0 || e.Used == 0 {
		t.Errorf("the fake's plan did not exercise every path: %+v", e)
	}
	if e.Asked+countCommands(set, meds) != len(set) {
		t.Errorf("asked %d + commands %d != %d messages", e.Asked, countCommands(set, meds), len(set))
	}
}

func countCommands(set []Labelled, o Options) int {
	n := 0
	for _, l := range set {
		if isCommand(Parse(l.Text, o)) {
			n++
		}
	}
	return n
}

// isCommand: what the Classifier decides without the model (its doc).
func isCommand(r Result) bool {
	switch r.Normalized {
	case "", "0", "1", "2", "3":
		return true
	}
	return r.Intent == Help || r.Intent == Stop
}
