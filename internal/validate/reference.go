package validate

import (
	"regexp"
	"strings"
)

// Reference syntax and target types: https://hl7.org/fhir/R4/references.html
// and, inside Bundles, https://hl7.org/fhir/R4/bundle.html#references.

var (
	reID   = regexp.MustCompile(`^[A-Za-z0-9\-\.]{1,64}$`)
	reUUID = regexp.MustCompile(`^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reOID  = regexp.MustCompile(`^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$`)
	// reScheme matches the start of an absolute URI (RFC 3986 scheme).
	reScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:`)
)

// bundleIndex lists the entries of a Bundle by fullUrl, so that references
// between entries can be checked against the target's type.
type bundleIndex struct {
	kind  string            // Bundle.type
	types map[string]string // fullUrl → resourceType
}

func indexBundle(obj map[string]any) *bundleIndex {
	b := &bundleIndex{types: make(map[string]string)}
	b.kind, _ = obj["type"].(string)
	entries, _ := obj["entry"].([]any)
	for _, e := range entries {
		entry, _ := e.(map[string]any)
		url, _ := entry["fullUrl"].(string)
		res, _ := entry["resource"].(map[string]any)
		typ, _ := res["resourceType"].(string)
		if url != "" && typ != "" {
			b.types[url] = typ
		}
	}
	return b
}

// pendingReference is a local reference ("#id") resolved once the
// container's contained resources are all known.
type pendingReference struct {
	ref     string
	loc     string
	targets []string
}

// reference checks Reference.reference of obj, a Reference held by field f.
func (w *walker) reference(obj map[string]any, f *field, at string, ctx *resCtx) {
	ref, ok := obj["reference"].(string)
	if !ok || ref == "" {
		return // identifier- or display-only references; type errors are reported by the walk
	}
	at = child(at, "reference")
	targets := f.el.TargetProfiles
	switch {
	case ref == "#":
		w.target(ctx.root().typ, targets, at, ref)
	case ref[0] == '#':
		root := ctx.root()
		root.refs = append(root.refs, pendingReference{ref: ref, loc: at, targets: targets})
	case strings.HasPrefix(ref, "urn:uuid:"):
		if !reUUID.MatchString(ref) {
			w.add(sevError, codeInvalid, at, "invalid urn:uuid reference "+quote(ref))
			return
		}
		w.bundleTarget(ref, targets, at, ctx)
	case strings.HasPrefix(ref, "urn:oid:"):
		if !reOID.MatchString(ref) {
			w.add(sevError, codeInvalid, at, "invalid urn:oid reference "+quote(ref))
			return
		}
		w.bundleTarget(ref, targets, at, ctx)
	case reScheme.MatchString(ref):
		if strings.ContainsAny(ref, " \t\r\n") {
			w.add(sevError, codeInvalid, at, "invalid absolute reference "+quote(ref))
			return
		}
		if typ := w.bundleTypeOf(ref, ctx); typ != "" {
			w.target(typ, targets, at, ref)
		} else if typ, _, ok := w.urlTail(ref); ok {
			w.target(typ, targets, at, ref)
		}
	default:
		w.relative(ref, targets, at, ctx)
	}
}

// relative checks a reference of the form Type/id[/_history/vid] or a
// conditional reference Type?query inside a transaction.
func (w *walker) relative(ref string, targets []string, at string, ctx *resCtx) {
	if typ, query, cond := strings.Cut(ref, "?"); cond {
		if !w.isResourceType(typ) {
			w.add(sevError, codeInvalid, at, "invalid conditional reference "+quote(ref)+": unknown resource type "+quote(typ))
			return
		}
		if query == "" {
			w.add(sevError, codeInvalid, at, "invalid conditional reference "+quote(ref)+": no search criteria")
			return
		}
		if ctx.bundle == nil || ctx.bundle.kind != "transaction" && ctx.bundle.kind != "batch" {
			w.add(sevWarning, codeInvalid, at, "conditional reference "+quote(ref)+" is only resolved inside a transaction or batch Bundle")
		}
		w.target(typ, targets, at, ref)
		return
	}
	parts := strings.Split(ref, "/")
	ok := len(parts) == 2 || len(parts) == 4 && parts[2] == "_history" && reID.MatchString(parts[3])
	if !ok {
		w.add(sevError, codeInvalid, at, "invalid reference "+quote(ref)+": expected Type/id, an absolute URL, urn:uuid:, urn:oid: or #id")
		return
	}
	if !w.isResourceType(parts[0]) {
		w.add(sevError, codeInvalid, at, "invalid reference "+quote(ref)+": unknown resource type "+quote(parts[0]))
		return
	}
	if !reID.MatchString(parts[1]) {
		w.add(sevError, codeInvalid, at, "invalid reference "+quote(ref)+": "+quote(parts[1])+" is not a valid id")
		return
	}
	w.target(parts[0], targets, at, ref)
}

// urlTail finds Type/id (optionally followed by /_history/vid) at the end of
// an absolute URL.
func (w *walker) urlTail(ref string) (typ, id string, ok bool) {
	parts := strings.Split(ref, "/")
	if n := len(parts); n >= 4 && parts[n-2] == "_history" {
		parts = parts[:n-2]
	}
	n := len(parts)
	if n < 2 || !w.isResourceType(parts[n-2]) || !reID.MatchString(parts[n-1]) {
		return "", "", false
	}
	return parts[n-2], parts[n-1], true
}

func (w *walker) isResourceType(typ string) bool {
	n := w.v.schema.nodes[typ]
	return n != nil && n.resource && !n.abstract
}

func (w *walker) bundleTypeOf(ref string, ctx *resCtx) string {
	if ctx.bundle == nil {
		return ""
	}
	return ctx.bundle.types[ref]
}

func (w *walker) bundleTarget(ref string, targets []string, at string, ctx *resCtx) {
	if typ := w.bundleTypeOf(ref, ctx); typ != "" {
		w.target(typ, targets, at, ref)
	}
}

// target checks that a reference to a resource of type typ is allowed by
// the element's target profiles. Targets that are not base resource types
// (profiles) disable the check rather than risk a false error.
func (w *walker) target(typ string, targets []string, at, ref string) {
	if len(targets) == 0 {
		return
	}
	for _, t := range targets {
		if t == typ || t == "Resource" || !w.isResourceType(t) {
			return
		}
	}
	w.add(sevError, codeInvalid, at, "reference "+quote(ref)+" points to a "+typ+", but only "+
		strings.Join(targets, ", ")+" may be referenced here")
}

// resolveReferences checks the local references collected on ctx against
// its contained resources.
func (w *walker) resolveReferences(ctx *resCtx) {
	if len(ctx.refs) == 0 {
		return
	}
	byID := make(map[string]string, len(ctx.contained))
	for _, c := range ctx.contained {
		if id, ok := c.obj["id"].(string); ok {
			byID[id] = c.typ
		}
	}
	for _, r := range ctx.refs {
		typ, ok := byID[r.ref[1:]]
		if !ok {
			w.add(sevError, codeInvalid, r.loc, "local reference "+quote(r.ref)+" does not match the id of any contained resource")
			continue
		}
		w.target(typ, r.targets, r.loc, r.ref)
	}
	ctx.refs = nil
}
