package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestLLMFlags(t *testing.T) {
	tests := []struct {
		name      string
		f         llmFlags
		wantModel bool
		wantErr   string
	}{
		{"nothing: rules only", llmFlags{}, false, ""},
		{"https endpoint", llmFlags{url: "https://api.openai.com/v1", model: "gpt-4o-mini", key: "sk-x", timeout: 5e9}, true, ""},
		{"local server without key", llmFlags{url: "http://127.0.0.1:11434/v1", model: "llama3", timeout: 5e9}, true, ""},
		{"model without url", llmFlags{model: "gpt-4o-mini"}, false, "need --llm-url"},
		{"key without url", llmFlags{key: "sk-x"}, false, "need --llm-url"},
		{"url without model", llmFlags{url: "https://api.openai.com/v1", timeout: 5e9}, false, "model name is required"},
		{"plain http to another host", llmFlags{url: "http://llm.example.vn/v1", model: "m", timeout: 5e9}, false, "use https"},
		{"zero timeout", llmFlags{url: "https://api.openai.com/v1", model: "m"}, false, "--llm-timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, desc, err := tt.f.classifier()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (c.Model != nil) != tt.wantModel {
				t.Errorf("model %v, want one: %v", c.Model, tt.wantModel)
			}
			if strings.Contains(desc, "sk-x") {
				t.Errorf("description shows the key: %s", desc)
			}
		})
	}
}

func TestConfigRedactsLLMKey(t *testing.T) {
	out, err := runCmd(t, "config", "--llm-url", "https://api.openai.com/v1", "--llm-model", "gpt-4o-mini", "--llm-key", "sk-very-secret")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "sk-very-secret") || !strings.Contains(out, "llm-key") || !strings.Contains(out, "xxxxx") {
		t.Errorf("sen config did not redact --llm-key:\n%s", out)
	}
	if !strings.Contains(out, "https://api.openai.com/v1") {
		t.Errorf("sen config does not show --llm-url:\n%s", out)
	}
}

func TestServeRefusesBadLLMSettings(t *testing.T) {
	dir := t.TempDir()
	_, err := runCmd(t, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0", "--llm-url", "http://llm.example.vn/v1", "--llm-model", "m")
	if err == nil || !strings.Contains(err.Error(), "--llm-url") {
		t.Fatalf("error %v, want one naming --llm-url", err)
	}
}

// TestChatEvalCommand runs sen chat eval on the labelled set against a
// fake endpoint that answers "taken" to everything: the merged result
// keeps the rules' escalations and commands, the table shows the model's
// column, and the key is sent only as the bearer token.
func TestChatEvalCommand(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer sk-eval" || strings.Contains(string(b), "sk-eval") {
			t.Errorf("key not sent as a bearer token only: %s / %s", r.Header.Get("Authorization"), b)
		}
		content, _ := json.Marshal(map[string]string{"intent": "taken"})
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": string(content)}}}})
	}))
	defer srv.Close()
	labels := filepath.Join("..", "..", "internal", "chat", "testdata", "messages.tsv")
	tests := []struct {
		name  string
		args  []string
		want  []string
		calls bool
	}{
		{"rules only", nil, []string{"rules only", "| taken |", "No --llm-url"}, false},
		{"with a model", []string{"--llm-url", srv.URL + "/v1", "--llm-model", "test", "--llm-key", "sk-eval"},
			[]string{"rules + model test", "| side-effect |", "overruled (escalation kept)", "model alone"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := calls.Load()
			out, err := runCmd(t, append([]string{"chat", "eval", "--labels", labels}, tt.args...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if got := calls.Load() > before; got != tt.calls {
				t.Errorf("endpoint called: %v, want %v", got, tt.calls)
			}
			t.Logf("%s", out)
		})
	}
	if _, err := runCmd(t, "chat", "eval", "--labels", filepath.Join(t.TempDir(), "missing.tsv")); err == nil || !strings.Contains(err.Error(), "--labels") {
		t.Errorf("missing labels file: error %v", err)
	}
}

func TestChatClassifyCommand(t *testing.T) {
	out, err := runCmd(t, "chat", "classify", "--name", "Nguyễn Văn An", "bác An quên uống tối qua, số 0912345678")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"intent: missed (by rules)", "sent to a model: bác [NAME] quên uống tối qua, số [PHONE]", "time=evening", "day=-1"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
