// Command ingest measures Sen's REST transaction path: it POSTs the Synthea
// bundles to a running Sen with C concurrent clients and reports
// resources/s, the way an EMR or an integration engine would send them one
// patient per request:
//
//	go run ./bench/ingest -url http://127.0.0.1:18310/fhir -dir ../shared/fhir/synthea -c 4
//
// The bundles are decompressed before the clock starts. The batch bundles
// of organisations and practitioners (file names starting "0-") go first,
// one at a time, since the patients' conditional references point to them;
// then the patient transactions are shared among the clients. Every entry
// must come back 2xx; any other answer stops the run with an error.
package main

import (
	"bytes"
	"compress/bzip2"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

type config struct {
	base     string
	dir      string
	clients  int
	patients int
}

func main() {
	var cfg config
	flag.StringVar(&cfg.base, "url", "http://127.0.0.1:8080/fhir", "FHIR base URL of the server under test")
	flag.StringVar(&cfg.dir, "dir", "../shared/fhir/synthea", "folder of Synthea *.json.bz2 bundles")
	flag.IntVar(&cfg.clients, "c", 1, "concurrent clients")
	flag.IntVar(&cfg.patients, "patients", 0, "post only the first N patient bundles (0: all)")
	flag.Parse()
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ingest:", err)
		os.Exit(1)
	}
}

// bundle is one file ready to send.
type bundle struct {
	name    string
	body    []byte
	entries int
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.clients < 1 {
		return fmt.Errorf("-c: want at least 1 client, got %d", cfg.clients)
	}
	shared, patients, err := readBundles(cfg.dir)
	if err != nil {
		return err
	}
	if cfg.patients > 0 && cfg.patients < len(patients) {
		patients = patients[:cfg.patients]
	}
	c := &http.Client{Timeout: 10 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.clients}}
	url := strings.TrimSuffix(cfg.base, "/")
	start := time.Now()
	for _, b := range shared {
		if _, err := post(ctx, c, url, b); err != nil {
			return err
		}
	}
	sharedTime := time.Since(start)
	work := make(chan bundle)
	var (
		mu    sync.Mutex
		lat   []time.Duration
		first error
		wg    sync.WaitGroup
	)
	pstart := time.Now()
	for range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				d, err := post(ctx, c, url, b)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	for _, b := range patients {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		work <- b
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	ptime := time.Since(pstart)
	total := time.Since(start)
	count := func(bs []bundle) (n int) {
		for _, b := range bs {
			n += b.entries
		}
		return n
	}
	ns, np := count(shared), count(patients)
	slices.Sort(lat)
	med := time.Duration(0)
	if len(lat) > 0 {
		med = lat[len(lat)/2]
	}
	_, err = fmt.Fprintf(out, "clients=%d bundles=%d resources=%d seconds=%.2f resources_per_s=%.0f "+
		"patient_resources_per_s=%.0f shared_resources_per_s=%.0f median_bundle_ms=%.1f\n",
		cfg.clients, len(shared)+len(patients), ns+np, total.Seconds(), float64(ns+np)/total.Seconds(),
		float64(np)/ptime.Seconds(), float64(ns)/sharedTime.Seconds(), float64(med.Microseconds())/1000)
	return err
}

// readBundles decompresses every bundle of dir, the shared batches apart.
func readBundles(dir string) (shared, patients []bundle, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json.bz2"))
	if err != nil {
		return nil, nil, fmt.Errorf("list bundles: %w", err)
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("no *.json.bz2 bundles in %s", dir)
	}
	slices.Sort(files)
	for _, f := range files {
		b, err := readBundle(f)
		if err != nil {
			return nil, nil, err
		}
		if strings.HasPrefix(b.name, "0-") {
			shared = append(shared, b)
		} else {
			patients = append(patients, b)
		}
	}
	return shared, patients, nil
}

func readBundle(path string) (bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return bundle{}, fmt.Errorf("open bundle: %w", err)
	}
	defer f.Close()
	body, err := io.ReadAll(bzip2.NewReader(f))
	if err != nil {
		return bundle{}, fmt.Errorf("decompress %s: %w", filepath.Base(path), err)
	}
	var head struct {
		ResourceType string            `json:"resourceType"`
		Entry        []json.RawMessage `json:"entry"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return bundle{}, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if head.ResourceType != "Bundle" {
		return bundle{}, fmt.Errorf("%s: resourceType %q, want Bundle", filepath.Base(path), head.ResourceType)
	}
	return bundle{name: filepath.Base(path), body: body, entries: len(head.Entry)}, nil
}

// post sends one bundle and checks that every entry succeeded.
func post(ctx context.Context, c *http.Client, base string, b bundle) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base, bytes.NewReader(b.body))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", b.name, err)
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	t := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post %s: %w", b.name, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(t)
	if err != nil {
		return d, fmt.Errorf("post %s: read answer: %w", b.name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return d, fmt.Errorf("post %s: HTTP %d: %.300s", b.name, resp.StatusCode, body)
	}
	var ans struct {
		Entry []struct {
			Response struct{ Status string } `json:"response"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return d, fmt.Errorf("post %s: answer is not a Bundle: %w", b.name, err)
	}
	if len(ans.Entry) != b.entries {
		return d, fmt.Errorf("post %s: %d entries answered, %d sent", b.name, len(ans.Entry), b.entries)
	}
	for i, e := range ans.Entry {
		if !strings.HasPrefix(e.Response.Status, "2") {
			return d, fmt.Errorf("post %s: entry %d answered %q", b.name, i, e.Response.Status)
		}
	}
	return d, nil
}
