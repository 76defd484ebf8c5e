package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/chat"
)

// The chat check-in's optional language model (internal/chat): flags
// shared by sen serve and sen chat, and "sen chat eval" / "sen chat
// classify", which let an operator measure a configured endpoint on the
// labelled set before turning it on.

// llmFlags configure the OpenAI-compatible endpoint. With no --llm-url
// the rules classify alone.
type llmFlags struct {
	url, model, key string
	timeout         time.Duration
}

func (f *llmFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.url, "llm-url", "", "OpenAI-compatible API for the chat check-in, e.g. https://api.openai.com/v1 (optional; it only ever sees scrubbed text) / API mô hình ngôn ngữ (tuỳ chọn)")
	fl.StringVar(&f.model, "llm-model", "", "model name for --llm-url / tên mô hình")
	fl.StringVar(&f.key, "llm-key", "", "API key for --llm-url (prefer env SEN_LLM_KEY) / khoá API")
	fl.DurationVar(&f.timeout, "llm-timeout", chat.DefaultModelTimeout, "longest wait for the model before the rules answer alone / thời gian chờ tối đa")
}

// classifier builds the chat classifier and a one-line description for
// the start-up log. Settings given without --llm-url are an error, so a
// half-configured model does not pass silently.
func (f *llmFlags) classifier() (chat.Classifier, string, error) {
	if f.url == "" {
		if f.model != "" || f.key != "" {
			return chat.Classifier{}, "", errors.New("--llm-model/--llm-key need --llm-url / cần --llm-url")
		}
		return chat.Classifier{}, "rules only / chỉ dùng luật", nil
	}
	if f.timeout <= 0 || f.timeout > time.Minute {
		return chat.Classifier{}, "", fmt.Errorf("--llm-timeout: want 1ms..1m, got %v", f.timeout)
	}
	m, err := chat.NewOpenAI(chat.OpenAIConfig{BaseURL: f.url, Model: f.model, APIKey: f.key, Timeout: f.timeout})
	if err != nil {
		return chat.Classifier{}, "", fmt.Errorf("--llm-url/--llm-model: %w", err)
	}
	return chat.Classifier{Model: m, Timeout: f.timeout},
		fmt.Sprintf("rules + model %s at %s, scrubbed text only / luật + mô hình (đã xoá định danh)", f.model, m.Endpoint()), nil
}

// openChatClassifier is what sen serve calls: the classifier the chat
// check-in uses, with its choice logged.
func openChatClassifier(f *llmFlags, log *slog.Logger) (chat.Classifier, error) {
	c, desc, err := f.classifier()
	if err != nil {
		return chat.Classifier{}, err
	}
	log.Info("chat check-in classifier", "using", desc)
	return c, nil
}

func newChatCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "chat",
		Short: "Try the chat check-in classifier / Thử bộ phân loại tin nhắn",
	}
	cmd.AddCommand(newChatEvalCmd(), newChatClassifyCmd())
	return cmd
}

func newChatEvalCmd() *cobra.Command {
	var (
		f       llmFlags
		labels  string
		workers int
	)
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Precision/recall of the rules, the model and both on a labelled set / Đánh giá trên bộ tin nhắn có nhãn",
		Long: `Classify every message of a labelled set (intent<TAB>message per line;
the default is the repository's 323 messages) with the rules and, when
--llm-url is given, with the model through the same scrubbing and merge
as sen serve, and print precision and recall per intent for the rules,
the model alone and the merged result, with how often the model failed,
abstained or was overruled. Run it from the repository root.

Phân loại từng tin nhắn trong bộ có nhãn bằng luật và (nếu có --llm-url)
bằng mô hình, rồi in độ chính xác và độ phủ theo từng ý định.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, desc, err := f.classifier()
			if err != nil {
				return err
			}
			if workers < 1 || workers > 32 {
				return fmt.Errorf("--workers: want 1..32, got %d", workers)
			}
			return runChatEval(cmd.Context(), cmd.OutOrStdout(), c, desc, labels, workers)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&labels, "labels", filepath.Join("internal", "chat", "testdata", "messages.tsv"), "labelled messages: intent<TAB>message per line")
	cmd.Flags().IntVar(&workers, "workers", 4, "model requests in flight at once")
	return cmd
}

// evalMedicines are the medicine names the labelled set's tests use.
var evalMedicines = []string{"Amlodipin 5 mg", "Metformin 500 mg", "Losartan 50 mg"}

func runChatEval(ctx context.Context, out io.Writer, c chat.Classifier, desc, labels string, workers int) error {
	file, err := os.Open(labels)
	if err != nil {
		return fmt.Errorf("--labels: %w", err)
	}
	defer file.Close()
	set, err := chat.ReadLabelled(file)
	if err != nil {
		return fmt.Errorf("--labels %s: %w", labels, err)
	}
	start := time.Now()
	e, err := chat.Evaluate(ctx, c, set, chat.Options{Medicines: evalMedicines}, workers)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d messages, classifier: %s, %.1fs\n\n", labels, len(set), desc, time.Since(start).Seconds())
	fmt.Fprint(out, e.Table())
	if c.Model == nil {
		fmt.Fprintln(out, "\nNo --llm-url: the model columns are empty. / Chưa cấu hình --llm-url.")
	}
	return nil
}

func newChatClassifyCmd() *cobra.Command {
	var (
		f     llmFlags
		names []string
	)
	cmd := &cobra.Command{
		Use:   "classify MESSAGE",
		Short: "Classify one message and show what the model would see / Phân loại một tin nhắn",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, desc, err := f.classifier()
			if err != nil {
				return err
			}
			o := chat.Options{Medicines: evalMedicines, Names: names}
			r := c.Classify(cmd.Context(), args[0], o)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "classifier: %s\n", desc)
			fmt.Fprintf(out, "sent to a model: %s\n", chat.Scrub(args[0], chat.ScrubOptions{Names: names}))
			fmt.Fprintf(out, "intent: %s (by %s)\n", r.Intent, r.By)
			if r.Model != nil {
				fmt.Fprintf(out, "model answered: %s %s\n", r.Model.Intent, r.Model.Symptom)
			}
			if r.Fallback != nil {
				fmt.Fprintf(out, "model not used: %v\n", r.Fallback)
			}
			var ent []string
			for _, kv := range [][2]string{{"time", string(r.TimeOfDay)}, {"medicine", r.Medicine}, {"symptom", r.Symptom}} {
				if kv[1] != "" {
					ent = append(ent, kv[0]+"="+kv[1])
				}
			}
			if r.DayOffset != 0 {
				ent = append(ent, fmt.Sprintf("day=%d", r.DayOffset))
			}
			if len(ent) > 0 {
				fmt.Fprintf(out, "entities: %s\n", strings.Join(ent, " "))
			}
			vi, en := r.Reply()
			fmt.Fprintf(out, "reply: %s / %s\n", vi, en)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringSliceVar(&names, "name", nil, "the patient's name, scrubbed before the model sees the message (repeatable)")
	return cmd
}
