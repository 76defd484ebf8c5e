package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Configuration comes, for every flag of every subcommand, from (highest
// first) the command line, the environment variable SEN_<FLAG> (upper
// case, "-" as "_": SEN_ADDR, SEN_DATA_DIR, SEN_DB, SEN_MAX_BODY_BYTES ...),
// the JSON file named by --config or SEN_CONFIG (an object keyed by flag
// name), and the flag's default. `sen config` prints the result.

// configSources records where each flag's value came from, for sen config.
type configSources map[string]string

// addConfig gives root the persistent --config flag and the hook that
// fills unset flags from the environment and the file before any
// subcommand runs.
func addConfig(root *cobra.Command) {
	root.PersistentFlags().String("config", "", "JSON configuration file: an object of flag names to values (env SEN_CONFIG)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		_, err := applyConfig(cmd, os.LookupEnv)
		return err
	}
}

// envName is the environment variable of a flag.
func envName(flag string) string {
	return "SEN_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyConfig sets every flag of cmd not given on the command line from the
// environment or the configuration file, and reports each flag's source.
func applyConfig(cmd *cobra.Command, env func(string) (string, bool)) (configSources, error) {
	src := configSources{}
	flags := cmd.Flags()
	path, _ := flags.GetString("config")
	if !flags.Changed("config") {
		if v, ok := env("SEN_CONFIG"); ok {
			path = v
		}
	}
	file, err := readConfigFile(path, knownFlags(cmd.Root()))
	if err != nil {
		return nil, err
	}
	var errs []string
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" || f.Name == "config" {
			return
		}
		if f.Changed {
			src[f.Name] = "flag"
			return
		}
		if v, ok := env(envName(f.Name)); ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: %v", envName(f.Name), v, err))
			}
			src[f.Name] = "env " + envName(f.Name)
			return
		}
		if v, ok := file[f.Name]; ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q: %v", path, f.Name, err))
			}
			src[f.Name] = "file " + path
			return
		}
		src[f.Name] = "default"
	})
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return src, nil
}

// readConfigFile reads a JSON object of flag names to values (strings,
// numbers or booleans). A key no subcommand knows is an error, so that a
// misspelt setting does not pass silently.
func readConfigFile(path string, known map[string]bool) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("configuration file: %w", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("configuration file %s: not a JSON object of settings: %w", path, err)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if !known[k] {
			return nil, fmt.Errorf("configuration file %s: unknown setting %q", path, k)
		}
		switch v := v.(type) {
		case string:
			out[k] = v
		case bool, float64:
			out[k] = fmt.Sprint(v)
		default:
			return nil, fmt.Errorf("configuration file %s: setting %q must be a string, number or boolean", path, k)
		}
	}
	return out, nil
}

// knownFlags is every flag name of every command under root.
func knownFlags(root *cobra.Command) map[string]bool {
	known := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { known[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { known[f.Name] = true })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return known
}

func newConfigCmd() *cobra.Command {
	var f serverFlags
	var format string
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective server configuration, secrets redacted / In cấu hình đang dùng (che mật khẩu)",
		Long: `Print the configuration sen serve would run with, and where each value
comes from: a flag, an environment variable SEN_<FLAG>, the --config file or
the default. Passwords in database URLs are replaced by "xxxxx".

In cấu hình mà sen serve sẽ dùng và nguồn của từng giá trị (cờ dòng lệnh,
biến môi trường SEN_<CỜ>, tệp --config hoặc mặc định). Mật khẩu được che.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			src, err := applyConfig(cmd, os.LookupEnv)
			if err != nil {
				return err
			}
			return printConfig(cmd.OutOrStdout(), cmd.Flags(), src, format)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", `output: "text" or "json"`)
	return cmd
}

func printConfig(w io.Writer, flags *pflag.FlagSet, src configSources, format string) error {
	type setting struct {
		Name   string `json:"name"`
		Value  string `json:"value"`
		Source string `json:"source"`
	}
	var all []setting
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" || f.Name == "config" || f.Name == "format" {
			return
		}
		all = append(all, setting{f.Name, redact(f.Name, f.Value.String()), src[f.Name]})
	})
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	case "text", "":
		for _, s := range all {
			fmt.Fprintf(w, "%-18s %-40s # %s\n", s.Name, s.Value, s.Source)
		}
		return nil
	}
	return fmt.Errorf("--format: want text or json, got %q", format)
}

var secretParam = regexp.MustCompile(`(?i)\b(password|passwd|pwd|secret|token|access_token|sslpassword|key|apikey|api_key)=([^&\s]+)`)

// redact hides secrets: the password of a URL, password=…, key=…, token=…
// parameters of a DSN or gateway URL, and the whole value of a flag named
// like a secret (…password…, …secret…, …token…, …private-key…, sms-key,
// llm-key, …api-key).
func redact(name, v string) string {
	ln := strings.ToLower(name)
	if v != "" && (strings.Contains(ln, "password") || strings.Contains(ln, "secret") || strings.Contains(ln, "token") ||
		strings.Contains(ln, "private-key") || ln == "sms-key" || ln == "llm-key" || strings.HasSuffix(ln, "api-key")) {
		return "xxxxx"
	}
	if u, err := url.Parse(v); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			v = u.Redacted()
		}
	}
	return secretParam.ReplaceAllString(v, "${1}=xxxxx")
}
