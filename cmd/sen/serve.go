package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/chat"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/i18n"
	"github.com/sen-emr/sen/internal/obs"
	"github.com/sen-emr/sen/internal/operation"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/subscription"
	"github.com/sen-emr/sen/internal/validate"
	"github.com/sen-emr/sen/internal/web"
	"github.com/sen-emr/sen/internal/web/webauth"
)

// serverFlags are the flags sen serve and sen demo share. Operators' scripts
// depend on these names: keep them.
type serverFlags struct {
	addr         string
	dataDir      string
	db           string
	maxBodyBytes int64
	logFormat    string
	shutdownWait time.Duration
	// appClock is the apps' clock (nil: the wall clock). sen demo runs it
	// inside the synthetic period so that "today" has doses.
	appClock func() time.Time
	// noAuth serves without authentication, access control or audit
	// (loopback addresses only; security.go).
	noAuth bool
	// sign chooses the signing key and trust list (signing.go).
	sign signingFlags
	// oidc is the optional external OpenID Connect sign-in (oidc.go).
	oidc oidcFlags
	// rules are the record rules of Vietnamese law: access windows (recordrules.go).
	rules recordRuleFlags
	// channels are the reminders' SMS, Zalo and Web Push (channels.go).
	channels channelFlags
	// llm is the chat check-in's optional language model (chat.go).
	llm llmFlags
	// tls is HTTPS and the plain-HTTP policy (tls.go).
	tls tlsFlags
	// national are the e-prescription system and the health book (national.go).
	national nationalFlags
	// inbound are the check-in webhooks and the alerts they raise (inbound.go).
	inbound inboundFlags
	// pprof is the profiler's loopback address ("": off; pprof.go).
	pprof string
}

func (f *serverFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port)")
	cmd.Flags().StringVar(&f.dataDir, "data-dir", "./sen-data", "data directory (holds the SQLite database)")
	cmd.Flags().StringVar(&f.db, "db", "sqlite", `database: "sqlite" (a file in --data-dir) or a postgres:// URL`)
	cmd.Flags().Int64Var(&f.maxBodyBytes, "max-body-bytes", 16<<20, "largest accepted request body in bytes")
	cmd.Flags().StringVar(&f.logFormat, "log-format", "text", `log format: "text" or "json"`)
	cmd.Flags().DurationVar(&f.shutdownWait, "shutdown-timeout", 30*time.Second, "how long to drain requests on SIGINT/SIGTERM")
	cmd.Flags().StringVar(&f.pprof, "pprof", "", "serve Go's profiler (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:6060 (off when empty)")
	cmd.Flags().BoolVar(&f.noAuth, "no-auth", false, "serve without sign-in, access control or audit (refused unless --addr is loopback)")
	f.sign.register(cmd)
	f.oidc.register(cmd)
	f.rules.register(cmd)
	f.channels.register(cmd)
	f.llm.register(cmd)
	f.tls.register(cmd)
	f.national.register(cmd)
	f.inbound.register(cmd)
}

func newServeCmd() *cobra.Command {
	var f serverFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the FHIR API at /fhir and the apps / Chạy máy chủ FHIR và ứng dụng",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(f.logFormat)
			if err != nil {
				return err
			}
			app, err := openApp(cmd.Context(), &f, log)
			if err != nil {
				return err
			}
			defer app.close()
			return app.serve(cmd.Context(), cmd.OutOrStdout(), nil)
		},
	}
	f.register(cmd)
	return cmd
}

func newLogger(format string) (*slog.Logger, error) {
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(os.Stderr, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, nil)), nil
	}
	return nil, fmt.Errorf("--log-format: want text or json, got %q", format)
}

// app is a running Sen: its store and the handler serving it.
type app struct {
	flags   *serverFlags
	log     *slog.Logger
	store   store.Store
	handler http.Handler
	indexer *search.Indexer
	exports *operation.Exporter   // Bulk Data $export jobs under --data-dir/export
	sec     *security             // SMART authorization, access control, audit (security.go)
	jobs    medLoop               // reminders and care-team alerts in the background (medloop.go)
	subs    *subscription.Service // FHIR rest-hook Subscriptions (subscriptions.go)
	bhyt    *bhytSending          // BHYT claims sent when encounters finish (bhytsend.go)
	chans   *channels             // reminder channels (channels.go)
	// national submits e-prescriptions and pushes the health book (national.go).
	national *nationalSending
	// chat reads patients' free-text check-ins: the rules, plus the
	// optional model of --llm-url (chat.go); inbound is where they arrive
	// (/me/chat, /hooks/sms, /hooks/zalo: inbound.go).
	chat    chat.Classifier
	inbound *checkins
}

func openApp(ctx context.Context, f *serverFlags, log *slog.Logger) (*app, error) {
	if err := f.tls.prepare(f.addr, f.dataDir, log); err != nil { // tls.go
		return nil, err
	}
	chatc, err := openChatClassifier(&f.llm, log)
	if err != nil {
		return nil, err
	}
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		return nil, fmt.Errorf("search indexer: %w", err)
	}
	st, err := openStore(ctx, f.db, f.dataDir)
	if err != nil {
		return nil, err
	}
	sec, err := openSecurity(ctx, f, log, st, model, ix)
	if err != nil {
		st.Close()
		return nil, err
	}
	// Metrics and request logs wrap the API; the store keeps its own type
	// in app.store for the optional interfaces (bulk load, check, backup).
	exports, err := operation.NewExporter(st, model, filepath.Join(f.dataDir, "export"), log)
	if err != nil {
		st.Close()
		return nil, err
	}
	signing, err := openSigning(&f.sign, f.dataDir, log, time.Now)
	if err != nil {
		exports.Close()
		st.Close()
		return nil, err
	}
	reg := prometheus.NewRegistry()
	metrics := obs.NewMetrics(reg)
	metrics.KnownType = model.IsResource
	subs, err := openSubscriptions(ctx, f.dataDir, metrics.Store(st), model, ix, log)
	if err != nil {
		exports.Close()
		st.Close()
		return nil, err
	}
	bhytq, err := openBHYTSending(ctx, f, log, reg, model)
	if err != nil {
		subs.Close()
		exports.Close()
		st.Close()
		return nil, err
	}
	natl, err := openNational(ctx, &f.national, f.dataDir, log, signing, model)
	if err != nil {
		bhytq.close()
		subs.Close()
		exports.Close()
		st.Close()
		return nil, err
	}
	api := rest.New(rest.Config{
		Store:   subs.Wrap(bhytq.wrap(natl.wrap(sec.store(metrics.Store(st))))),
		Indexer: ix,
		Parser: rest.QueryParserFunc(func(typ string, params url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, strict)
		}),
		Validator:    validate.New(model),
		Model:        model,
		Exports:      exports,
		MaxBodyBytes: f.maxBodyBytes,
		Logger:       log,
		Security:     sec.securityExtension,
		Signing:      signing,
	})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler())
	mountSubscriptionLog(mux, subs, sec.store(metrics.Store(st)))
	if err := mountRecordForms(mux, sec.store(metrics.Store(st)), model); err != nil { // recordforms.go
		st.Close()
		return nil, err
	}
	mux.Handle("/", api)
	// The clinician (/app) and patient (/me) apps read through the same
	// store and write through the API handler, so their writes are
	// validated and indexed like any other.
	msgs, err := i18n.New()
	if err != nil {
		st.Close()
		return nil, err
	}
	chans, err := openChannels(ctx, &f.channels, f.dataDir, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	// Patients' check-ins: the app's chat and the SMS and Zalo webhooks.
	inbound, err := openInbound(&f.inbound, chans, chatc, f.channels.zaloToken, sec.trusted(api), f.appClock, log)
	if err != nil {
		chans.close()
		st.Close()
		return nil, err
	}
	inbound.mount(mux)
	webCfg := web.Config{
		Store: sec.store(metrics.Store(st)),
		Queries: web.QueryParserFunc(func(typ string, params url.Values) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, false)
		}),
		FHIR:    api,
		Catalog: msgs,
		Now:     f.appClock,
		Logger:  log,
		Push:    chans.web,
		Chat:    webChat{inbound},
	}
	// The population dashboard at /app/population (aggregates only).
	if webCfg.Population, err = newPopulationPage(metrics.Store(st), model, f.appClock); err != nil {
		chans.close()
		st.Close()
		return nil, err
	}
	if !sec.off {
		// The apps sign users in with auth's accounts; each request then
		// carries the user's Principal, so the guard decides what they see
		// and write. With --no-auth they show the demo picker instead.
		webCfg.Auth = webauth.Authenticator{Accounts: sec.acc}
	}
	ui, err := web.New(webCfg)
	if err != nil {
		chans.close()
		st.Close()
		return nil, err
	}
	ui.Mount(mux)
	h := obs.RequestLog(log, metrics.Middleware(sec.middleware(sec.populationGate(mux))))
	jobs := medLoop{dataDir: f.dataDir, fhir: sec.trusted(api), metrics: newMedLoopMetrics(reg), now: f.appClock, channel: chans.channel, push: chans.push,
		missedInARow: inbound.scanner.MissedInARow, lookback: inbound.scanner.Lookback}
	bhytq.setAPI(sec.trusted(api), metrics.Store(st))
	natl.setup(metrics.Store(st), chans.channel)
	return &app{flags: f, log: log, store: st, handler: h, indexer: ix, exports: exports, sec: sec, jobs: jobs, subs: subs, chans: chans, bhyt: bhytq, national: natl, chat: chatc, inbound: inbound}, nil
}

func (a *app) close() {
	a.exports.Close()
	if a.subs != nil {
		a.subs.Close()
	}
	a.sec.close()
	a.bhyt.close()
	a.national.close()
	a.chans.close()
	if err := a.store.Close(); err != nil {
		a.log.Error("close store", "err", err)
	}
}

// serve listens on the configured address until ctx is cancelled (SIGINT or
// SIGTERM), then drains in-flight requests. banner, when set, is printed
// after the URL.
func (a *app) serve(ctx context.Context, out io.Writer, banner func(base string) string) error {
	ln, err := net.Listen("tcp", a.flags.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.flags.addr, err)
	}
	stopJobs, err := a.jobs.start(ctx, a.log)
	if err != nil {
		ln.Close()
		return fmt.Errorf("background jobs: %w", err)
	}
	defer stopJobs()
	if a.flags.pprof != "" {
		stop, err := startPprof(a.flags.pprof, a.log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	defer startSubscriptions(ctx, a.subs, a.log)()
	defer a.bhyt.start(ctx)()
	defer a.national.start(ctx)()
	srv := &http.Server{
		Handler:           a.flags.tls.hsts(a.handler),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // large transaction bundles upload slowly
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	base := a.flags.tls.scheme() + "://" + ln.Addr().String()
	fmt.Fprintf(out, "Sen đang chạy / Sen is serving the FHIR API at %s/fhir\n", base)
	fmt.Fprint(out, a.chans.banner())
	if a.inbound != nil {
		fmt.Fprint(out, a.inbound.banner())
	}
	if banner != nil {
		fmt.Fprint(out, banner(base))
	}
	a.log.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- a.flags.tls.serve(srv, ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down: draining requests", "timeout", a.flags.shutdownWait)
	sctx, cancel := context.WithTimeout(context.Background(), a.flags.shutdownWait)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
