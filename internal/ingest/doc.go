// Package ingest is the bulk write path: it indexes resources on every core
// and writes them to a store.Store in large transactions, far faster than
// one HTTP transaction per bundle. sen demo and sen import use it.
//
// Resources must already carry their final ids and relative references
// (as the synthetic population and NDJSON exports do); Bundles with
// urn:uuid references go through the REST transaction path instead.
// It imports the store contract and search, never a backend or HTTP.
package ingest
