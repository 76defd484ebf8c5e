// Package rawjson finds the members of a JSON object in its bytes without
// decoding it: a transaction Bundle is split into its entries and a
// resource into its top-level properties by byte offsets, so that the
// parts can be stored, rewritten or decoded later as they are. It does not
// validate: callers that need valid JSON check it once (json.Valid) on the
// whole body.
package rawjson
