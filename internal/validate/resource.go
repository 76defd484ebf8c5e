package validate

import (
	"strconv"
)

// Resource-level rules: resourceType, contained resources and the dom-*
// invariants of DomainResource (https://hl7.org/fhir/R4/domainresource.html#invs),
// checked natively.

// resCtx is the state of one resource being validated.
type resCtx struct {
	typ       string
	loc       string
	obj       map[string]any
	container *resCtx      // the containing resource, for a contained one
	bundle    *bundleIndex // the enclosing Bundle's entries, if any
	contained []*resCtx    // contained resources (container only)
	// localRefs are the "#id" values referenced anywhere in the resource
	// and its contained resources (kept on the container).
	localRefs map[string]bool
	backRef   bool // a contained resource that references its container ("#")
	refs      []pendingReference
}

// root is the resource whose local references count: the container.
func (c *resCtx) root() *resCtx {
	if c.container != nil {
		return c.container
	}
	return c
}

// resource validates obj as a resource at loc ("" for the top level).
// container is non-nil for a contained resource; bundle indexes the
// enclosing Bundle's entries.
func (w *walker) resource(obj map[string]any, loc string, container *resCtx, bundle *bundleIndex) {
	rt, present := obj["resourceType"]
	if !present {
		w.add(sevError, codeRequired, child(loc, "resourceType"), "the resource has no resourceType")
		return
	}
	typ, ok := rt.(string)
	if !ok {
		w.add(sevError, codeStructure, child(loc, "resourceType"), "resourceType must be a string")
		return
	}
	n := w.v.schema.nodes[typ]
	if n == nil || !n.resource {
		w.add(sevError, codeStructure, child(loc, "resourceType"), "unknown resource type "+strconv.Quote(typ))
		return
	}
	if n.abstract {
		w.add(sevError, codeInvalid, child(loc, "resourceType"), typ+" is an abstract type and cannot be instantiated")
		return
	}
	if loc == "" {
		loc = typ
	}
	ctx := &resCtx{typ: typ, loc: loc, obj: obj, container: container, bundle: bundle}
	if container == nil {
		ctx.localRefs = make(map[string]bool)
	} else {
		container.contained = append(container.contained, ctx)
	}
	if typ == "Bundle" {
		ctx.bundle = indexBundle(obj)
	}
	w.object(obj, n, loc, ctx)
	if container != nil {
		w.containedRules(ctx)
	} else {
		w.containerRules(ctx, n)
	}
	w.resolveReferences(ctx)
	if w.v.invariants && len(n.rootConstraints) > 0 {
		w.jobs = append(w.jobs, invariantJob{value: obj, typ: typ, loc: loc, ctx: ctx, constraints: n.rootConstraints})
	}
}

// containedRules are dom-2, dom-4 and dom-5 for a contained resource.
func (w *walker) containedRules(ctx *resCtx) {
	if _, ok := ctx.obj["contained"]; ok {
		w.add(sevError, codeInvariant, child(ctx.loc, "contained"),
			"dom-2: if the resource is contained in another resource, it SHALL NOT contain nested Resources")
	}
	meta, _ := ctx.obj["meta"].(map[string]any)
	if meta == nil {
		return
	}
	_, hasVersion := meta["versionId"]
	_, hasUpdated := meta["lastUpdated"]
	if hasVersion || hasUpdated {
		w.add(sevError, codeInvariant, child(ctx.loc, "meta"),
			"dom-4: if a resource is contained in another resource, it SHALL NOT have a meta.versionId or a meta.lastUpdated")
	}
	if _, ok := meta["security"]; ok {
		w.add(sevError, codeInvariant, child(ctx.loc, "meta.security"),
			"dom-5: if a resource is contained in another resource, it SHALL NOT have a security label")
	}
}

// containerRules are dom-3 (every contained resource is referenced) and
// dom-6 (narrative, a warning) for a resource that is not contained.
func (w *walker) containerRules(ctx *resCtx, n *node) {
	for _, c := range ctx.contained {
		id, _ := c.obj["id"].(string)
		if c.backRef || id != "" && ctx.localRefs["#"+id] {
			continue
		}
		w.add(sevError, codeInvariant, c.loc,
			"dom-3: a contained resource SHALL be referenced from elsewhere in the resource or SHALL refer to the containing resource")
	}
	if n.domain {
		text, _ := ctx.obj["text"].(map[string]any)
		if _, ok := text["div"]; !ok {
			w.add(sevWarning, codeInvariant, ctx.loc, "dom-6: a resource should have narrative for robust management")
		}
	}
}

// primitiveString records local references ("#id") in uri, url, canonical and
// Reference.reference values, which dom-3 counts.
func (w *walker) primitiveString(f *field, s string, at string, ctx *resCtx) {
	if len(s) == 0 || s[0] != '#' {
		return
	}
	switch f.prim.name {
	case "uri", "url", "canonical":
	case "string":
		if f.el.Path != "Reference.reference" {
			return
		}
	default:
		return
	}
	if s == "#" {
		ctx.backRef = true
		return
	}
	ctx.root().localRefs[s] = true
}
