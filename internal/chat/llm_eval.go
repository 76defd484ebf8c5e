package chat

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Evaluating a classifier on a labelled set (testdata/messages.tsv): the
// rules alone, the model's own answers, and the merged result, with
// precision and recall per intent. `sen chat eval` prints it for the
// configured endpoint; the tests run it against a fake.

// Labelled is one message of a labelled set with its gold intent.
type Labelled struct {
	Line   int
	Intent Intent
	Text   string
}

// ReadLabelled reads a labelled set: one message per line as
// intent<TAB>message[<TAB>…], "#" comments and blank lines skipped.
func ReadLabelled(r io.Reader) ([]Labelled, error) {
	var out []Labelled
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 {
			return nil, fmt.Errorf("line %d: want intent<TAB>message", n)
		}
		i := Intent(cols[0])
		switch i {
		case Taken, Missed, RanOut, SideEffect, Question, Help, Stop, Unknown:
		default:
			return nil, fmt.Errorf("line %d: unknown intent %q", n, cols[0])
		}
		out = append(out, Labelled{Line: n, Intent: i, Text: cols[1]})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no labelled messages")
	}
	return out, nil
}

// Scores counts one classifier's answers against the gold intents.
type Scores struct {
	N, Right   int
	TP, FP, FN map[Intent]int
}

func newScores() Scores {
	return Scores{TP: map[Intent]int{}, FP: map[Intent]int{}, FN: map[Intent]int{}}
}

func (s *Scores) add(gold, got Intent) {
	s.N++
	if gold == got {
		s.Right++
		s.TP[gold]++
		return
	}
	s.FN[gold]++
	s.FP[got]++
}

// Accuracy is the share of messages classified as labelled.
func (s Scores) Accuracy() float64 {
	if s.N == 0 {
		return 0
	}
	return float64(s.Right) / float64(s.N)
}

// PrecisionRecall of one intent (1 when there is nothing to be wrong about).
func (s Scores) PrecisionRecall(i Intent) (p, r float64) {
	p, r = 1, 1
	if d := s.TP[i] + s.FP[i]; d > 0 {
		p = float64(s.TP[i]) / float64(d)
	}
	if d := s.TP[i] + s.FN[i]; d > 0 {
		r = float64(s.TP[i]) / float64(d)
	}
	return p, r
}

// Evaluation is the result of Evaluate.
type Evaluation struct {
	Rules  Scores // Parse alone, every message
	Merged Scores // the Classifier, every message
	// Model scores the model's own answers on the messages it was asked
	// about and answered (help/stop gold labels count as unknown: they
	// are outside its vocabulary).
	Model Scores
	// Asked: messages sent to the model; Failed: errors, timeouts and
	// unparseable answers; Abstained: unknown; Overruled: answers that
	// would have dropped a rules escalation; Used: answers taken.
	Asked, Failed, Abstained, Overruled, Used int
	// Errors holds up to five distinct failure messages, for the operator.
	Errors []string
}

// Evaluate classifies every message with c (up to workers at a time;
// 1 when workers < 1) and scores the rules, the model and the merge.
// Only ctx ends it early (its error is returned).
func Evaluate(ctx context.Context, c Classifier, set []Labelled, o Options, workers int) (Evaluation, error) {
	results := make([]Classified, len(set))
	workers = max(workers, 1)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				results[i] = c.Classify(ctx, set[i].Text, o)
			}
		})
	}
feed:
	for i := range set {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Evaluation{}, err
	}
	e := Evaluation{Rules: newScores(), Merged: newScores(), Model: newScores()}
	seen := map[string]bool{}
	for i, l := range set {
		r := results[i]
		e.Rules.add(l.Intent, Parse(l.Text, o).Intent)
		e.Merged.add(l.Intent, r.Intent)
		if r.By == ByRules {
			continue
		}
		e.Asked++
		switch {
		case r.Model == nil:
			e.Failed++
			if msg := r.Fallback.Error(); !seen[msg] && len(e.Errors) < 5 {
				seen[msg] = true
				e.Errors = append(e.Errors, msg)
			}
		case errors.Is(r.Fallback, ErrModelAbstained):
			e.Abstained++
		case errors.Is(r.Fallback, ErrModelOverruled):
			e.Overruled++
		default:
			e.Used++
		}
		if r.Model != nil {
			gold := l.Intent
			if !modelIntent(gold) {
				gold = Unknown
			}
			e.Model.add(gold, r.Model.Intent)
		}
	}
	return e, nil
}

// Table renders the evaluation as Markdown: per intent, the number of
// messages and precision/recall of the rules, the model (on what it
// answered) and the merge; then accuracy and the model's call counts.
func (e Evaluation) Table() string {
	var intents []string
	for _, s := range []Scores{e.Rules, e.Merged, e.Model} {
		for _, m := range []map[Intent]int{s.TP, s.FP, s.FN} {
			for i := range m {
				intents = append(intents, string(i))
			}
		}
	}
	sort.Strings(intents)
	var b strings.Builder
	fmt.Fprintf(&b, "| intent | n | rules P / R | model P / R | merged P / R |\n|---|---|---|---|---|\n")
	for k, i := range intents {
		if k > 0 && intents[k-1] == i {
			continue
		}
		in := Intent(i)
		n := e.Rules.TP[in] + e.Rules.FN[in]
		rp, rr := e.Rules.PrecisionRecall(in)
		mp, mr := e.Model.PrecisionRecall(in)
		gp, gr := e.Merged.PrecisionRecall(in)
		model := fmt.Sprintf("%.2f / %.2f", mp, mr)
		if !modelIntent(in) || e.Model.N == 0 {
			model = "–"
		}
		fmt.Fprintf(&b, "| %s | %d | %.2f / %.2f | %s | %.2f / %.2f |\n", i, n, rp, rr, model, gp, gr)
	}
	fmt.Fprintf(&b, "\nAccuracy: rules %.3f, merged %.3f (%d messages)", e.Rules.Accuracy(), e.Merged.Accuracy(), e.Rules.N)
	if e.Model.N > 0 {
		fmt.Fprintf(&b, "; model alone %.3f on the %d it answered", e.Model.Accuracy(), e.Model.N)
	}
	b.WriteString(".\n")
	fmt.Fprintf(&b, "Model calls: %d asked, %d used, %d unknown, %d overruled (escalation kept), %d failed.\n",
		e.Asked, e.Used, e.Abstained, e.Overruled, e.Failed)
	for _, m := range e.Errors {
		fmt.Fprintf(&b, "  failure: %s\n", m)
	}
	return b.String()
}
