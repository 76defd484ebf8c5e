package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sen.json")
	if err := os.WriteFile(file, []byte(`{"addr":"127.0.0.1:7000","log-format":"json","max-body-bytes":1024,"db":"postgres://sen:filepass@db/sen"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SEN_DATA_DIR", "/srv/sen-env")
	t.Setenv("SEN_ADDR", "127.0.0.1:7001")
	out, err := runCmd(t, "config", "--config", file, "--addr", "127.0.0.1:7002", "--format", "json")
	if err != nil {
		t.Fatalf("sen config: %v\n%s", err, out)
	}
	var got []struct{ Name, Value, Source string }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[string][2]string{
		"addr":             {"127.0.0.1:7002", "flag"},                      // flag beats env and file
		"data-dir":         {"/srv/sen-env", "env SEN_DATA_DIR"},            // env beats default
		"log-format":       {"json", "file " + file},                        // file beats default
		"max-body-bytes":   {"1024", "file " + file},                        // numbers in the file
		"db":               {"postgres://sen:xxxxx@db/sen", "file " + file}, // redacted
		"shutdown-timeout": {"30s", "default"},
	}
	seen := 0
	for _, s := range got {
		if w, ok := want[s.Name]; ok {
			seen++
			if s.Value != w[0] || s.Source != w[1] {
				t.Errorf("%s = %q from %q, want %q from %q", s.Name, s.Value, s.Source, w[0], w[1])
			}
		}
	}
	if seen != len(want) {
		t.Errorf("saw %d of the %d settings: %s", seen, len(want), out)
	}
	if strings.Contains(out, "filepass") {
		t.Error("the password was printed")
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		args []string
		env  [2]string
		want string
	}{
		{"unknown setting", []string{"config", "--config", write("a.json", `{"adress":"x"}`)}, [2]string{}, `unknown setting "adress"`},
		{"not JSON", []string{"config", "--config", write("b.json", `addr: x`)}, [2]string{}, "not a JSON object"},
		{"nested value", []string{"config", "--config", write("c.json", `{"addr":{"host":"x"}}`)}, [2]string{}, "string, number or boolean"},
		{"bad env value", []string{"config"}, [2]string{"SEN_MAX_BODY_BYTES", "lots"}, "SEN_MAX_BODY_BYTES"},
		{"missing file", []string{"config", "--config", filepath.Join(dir, "absent.json")}, [2]string{}, "configuration file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env[0] != "" {
				t.Setenv(tt.env[0], tt.env[1])
			}
			_, err := runCmd(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"db", "postgres://sen:s3cret@db:5432/sen?sslmode=disable", "postgres://sen:xxxxx@db:5432/sen?sslmode=disable"},
		{"db", "postgres://sen@db/sen", "postgres://sen@db/sen"},
		{"db", "host=db user=sen password=s3cret dbname=sen", "host=db user=sen password=xxxxx dbname=sen"},
		{"db", "postgres://db/sen?password=s3cret&sslmode=require", "postgres://db/sen?password=xxxxx&sslmode=require"},
		{"api-token", "abc", "xxxxx"},
		{"addr", "127.0.0.1:8080", "127.0.0.1:8080"},
	}
	for _, tt := range tests {
		if got := redact(tt.name, tt.in); got != tt.want {
			t.Errorf("redact(%s, %q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}
