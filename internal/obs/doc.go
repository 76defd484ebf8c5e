// Package obs is Sen's operational visibility: Prometheus metrics for the
// HTTP API and the store (metrics.go, route.go, store.go) and structured
// request logs carrying a request id (requestlog.go).
//
// It owns the metric names and labels operators build dashboards on, so
// renaming one is a breaking change. Labels never carry resource ids or
// query values: only the interaction (from the method and path shape, as in
// rest/routes.go), the resource type when it is a known one, and the status.
//
// It may import the store contract and net/http; it must not import a
// storage backend, internal/rest or anything under cmd/.
package obs
