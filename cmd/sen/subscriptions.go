package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/subscription"
)

// FHIR Subscriptions (rest-hook) in a serving Sen: the hub wraps the API's
// store so that committed writes queue match jobs, and delivers them in
// the background from --data-dir/subscription-jobs.db, logging each
// attempt in --data-dir/subscription-log.db (docs/careplan.md §7).

// openSubscriptions builds the hub over system (the store beneath the
// access guard: the hub reads every active Subscription).
func openSubscriptions(ctx context.Context, dataDir string, system store.Store, model *r4.Model, ix *search.Indexer, log *slog.Logger) (*subscription.Service, error) {
	return subscription.Open(ctx, dataDir, subscription.Config{
		Store: system,
		Parser: func(typ string, params url.Values) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, true)
		},
		Indexer:   ix,
		KnownType: model.IsResource,
		Logger:    log,
	}, nil)
}

// mountSubscriptionLog serves GET /fhir/Subscription/{id}/$deliveries;
// reader is the guarded store, so only who may read the Subscription sees
// its log.
func mountSubscriptionLog(mux *http.ServeMux, subs *subscription.Service, reader store.Reader) {
	mux.Handle("GET /fhir/Subscription/{id}/$deliveries", subs.LogHandler(reader))
}

// startSubscriptions delivers until ctx ends; stop waits for the running
// delivery to finish.
func startSubscriptions(ctx context.Context, subs *subscription.Service, log *slog.Logger) (stop func()) {
	if subs == nil {
		return func() {}
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := subs.Run(rctx); err != nil {
			log.Warn("subscription delivery stopped", "err", err)
		}
	}()
	return func() { cancel(); <-done }
}
