// Package webtest provides test doubles for the web apps' handler and
// browser tests: an in-memory store.Store whose search understands the
// parameter types the apps use (token, string, reference, date, _id), and
// a loader for a small synthetic population. It keeps the apps' tests
// independent of any storage backend.
//
// Not for production: search scans every resource of the type. It must not
// import a storage backend.
package webtest
