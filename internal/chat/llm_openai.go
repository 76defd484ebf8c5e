package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OpenAI is an IntentModel behind an OpenAI-compatible chat-completions
// endpoint (OpenAI, Azure OpenAI's compatible route, vLLM, llama.cpp
// server, Ollama ...): POST {BaseURL}/chat/completions with a system
// prompt, the scrubbed message as the user turn, temperature 0 and
// JSON mode; the answer's content must be a JSON object
// {"intent": "...", "symptom": "..."}.
//
// Create it with NewOpenAI. It sends nothing but the prompt and the
// scrubbed text: no patient id, no names, no medicines. It is safe for
// concurrent use.
type OpenAI struct {
	endpoint string
	model    string
	key      string
	client   *http.Client
}

// OpenAIConfig configures NewOpenAI.
type OpenAIConfig struct {
	// BaseURL is the API root ("https://api.openai.com/v1") or the full
	// chat-completions URL. Plain http is accepted only for a loopback
	// host: the key and the messages must not cross a network in clear.
	BaseURL string
	Model   string // required, e.g. "gpt-4o-mini" or a local model's name
	APIKey  string // sent as "Authorization: Bearer"; optional for local servers
	// Timeout bounds each request (0 means DefaultModelTimeout).
	Timeout time.Duration
	// Client overrides the HTTP client (tests); its Timeout is kept.
	Client *http.Client
}

// maxAnswerBytes bounds the endpoint's answer that is read.
const maxAnswerBytes = 64 << 10

// NewOpenAI checks c and returns the client. Errors name the setting.
func NewOpenAI(c OpenAIConfig) (*OpenAI, error) {
	u, err := url.Parse(strings.TrimSpace(c.BaseURL))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("LLM URL %q: want an http(s) URL such as https://api.openai.com/v1", c.BaseURL)
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("LLM URL %q: plain http is allowed only on this machine (localhost); use https", c.BaseURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("LLM URL: put the key in the API key setting, not in the URL")
	}
	if strings.TrimSpace(c.Model) == "" {
		return nil, errors.New("LLM model: a model name is required with an LLM URL")
	}
	if !strings.HasSuffix(u.Path, "/chat/completions") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/chat/completions"
	}
	client := c.Client
	if client == nil {
		client = &http.Client{}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultModelTimeout
	}
	cl := *client
	if cl.Timeout == 0 || cl.Timeout > timeout {
		cl.Timeout = timeout
	}
	return &OpenAI{endpoint: u.String(), model: c.Model, key: c.APIKey, client: &cl}, nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Endpoint is the URL requests go to (for logs; it holds no secret).
func (m *OpenAI) Endpoint() string { return m.endpoint }

// intentPrompt is the system prompt. It names the vocabulary and the
// answer format, and says what the placeholders mean, so that a message
// reduced by Scrub still reads as a sentence.
const intentPrompt = `You classify a patient's reply to a medication reminder. Replies are mostly Vietnamese (often without diacritics, with texting abbreviations such as "k"/"ko" = không, "dc" = được, "r" = rồi), sometimes English.
Answer with one JSON object and nothing else: {"intent": "<intent>", "symptom": "<symptom or empty>"}.
Intents:
- "taken": the patient took the dose (đã uống, uống rồi, took it).
- "missed": the patient did not take it, forgot or skipped it (quên, chưa uống, forgot).
- "refill": the patient ran out or needs more medicine (hết thuốc, need a refill).
- "side_effect": the patient reports a symptom or an unwanted effect (chóng mặt, ho khan, dizzy); put the symptom, in English, in "symptom".
- "question": the patient asks the care team something.
- "unknown": anything else, or you are not sure.
Placeholders in brackets such as [NAME], [PHONE], [DATE] replace removed personal details; ignore them.`

type chatRequest struct {
	Model          string        `json:"model"`
	Messages       []chatMessage `json:"messages"`
	Temperature    float64       `json:"temperature"`
	MaxTokens      int           `json:"max_tokens"`
	ResponseFormat struct {
		Type string `json:"type"`
	} `json:"response_format"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Intent asks the endpoint about one scrubbed message. Errors: transport
// failures and timeouts, a non-2xx status (with the endpoint's message),
// and an answer that is not the JSON object asked for.
func (m *OpenAI) Intent(ctx context.Context, scrubbed string) (ModelAnswer, error) {
	req := chatRequest{Model: m.model, Temperature: 0, MaxTokens: 60,
		Messages: []chatMessage{{Role: "system", Content: intentPrompt}, {Role: "user", Content: scrubbed}}}
	req.ResponseFormat.Type = "json_object"
	body, err := json.Marshal(req)
	if err != nil {
		return ModelAnswer{}, fmt.Errorf("llm: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, m.endpoint, bytes.NewReader(body))
	if err != nil {
		return ModelAnswer{}, fmt.Errorf("llm: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	if m.key != "" {
		hr.Header.Set("Authorization", "Bearer "+m.key)
	}
	resp, err := m.client.Do(hr)
	if err != nil {
		return ModelAnswer{}, fmt.Errorf("llm: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return ModelAnswer{}, fmt.Errorf("llm: read answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		msg := e.Error.Message
		if msg == "" {
			msg = strings.TrimSpace(string(raw))
		}
		if r := []rune(msg); len(r) > 200 {
			msg = string(r[:200]) + "…"
		}
		return ModelAnswer{}, fmt.Errorf("llm: %s: %s", resp.Status, msg)
	}
	var out struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return ModelAnswer{}, fmt.Errorf("llm: answer is not a chat completion: %w", err)
	}
	if len(out.Choices) == 0 {
		return ModelAnswer{}, errors.New("llm: answer has no choices")
	}
	return parseModelContent(out.Choices[0].Message.Content)
}

// parseModelContent reads {"intent": ..., "symptom": ...}, tolerating a
// Markdown code fence around it (some servers add one even in JSON
// mode) and the intent spellings models commonly use.
func parseModelContent(content string) (ModelAnswer, error) {
	c := strings.TrimSpace(content)
	c = strings.TrimPrefix(c, "```json")
	c = strings.TrimPrefix(c, "```")
	c = strings.TrimSuffix(strings.TrimSpace(c), "```")
	var a struct {
		Intent  string `json:"intent"`
		Symptom string `json:"symptom"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(c)), &a); err != nil {
		return ModelAnswer{}, fmt.Errorf("llm: content is not the JSON object asked for: %w", err)
	}
	var i Intent
	switch strings.ToLower(strings.TrimSpace(strings.NewReplacer("-", "_", " ", "_").Replace(a.Intent))) {
	case "taken":
		i = Taken
	case "missed":
		i = Missed
	case "refill", "ran_out", "ranout":
		i = RanOut
	case "side_effect", "sideeffect":
		i = SideEffect
	case "question":
		i = Question
	case "unknown":
		i = Unknown
	default:
		return ModelAnswer{}, fmt.Errorf("llm: intent %q is not one of taken, missed, refill, side_effect, question, unknown", a.Intent)
	}
	sym := strings.TrimSpace(a.Symptom)
	if r := []rune(sym); len(r) > 100 {
		sym = string(r[:100])
	}
	return ModelAnswer{Intent: i, Symptom: sym}, nil
}

var _ IntentModel = (*OpenAI)(nil)
