package validate

import (
	"sort"
	"strconv"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
)

// Issue severities and codes (http://hl7.org/fhir/R4/valueset-issue-type.html).
const (
	sevFatal   = "fatal"
	sevError   = "error"
	sevWarning = "warning"

	codeStructure   = "structure"    // JSON shape: unknown element, wrong JSON type, array rules
	codeRequired    = "required"     // a required element is missing
	codeValue       = "value"        // a primitive value has the wrong format
	codeCodeInvalid = "code-invalid" // a code is not in a required value set
	codeInvariant   = "invariant"    // a constraint (ele-1, dom-3, obs-6 ...) fails
	codeInvalid     = "invalid"      // anything else: bad reference, abstract type ...
)

// walker collects the issues of one Validate call.
type walker struct {
	v      *Validator
	issues []fhir.Issue
	jobs   []invariantJob
}

func (w *walker) add(sev, code, loc, msg string) {
	is := fhir.Issue{Severity: sev, Code: code, Diagnostics: msg}
	if loc != "" {
		is.Expression = []string{loc}
	}
	w.issues = append(w.issues, is)
}

func child(loc, step string) string {
	if loc == "" {
		return step
	}
	return loc + "." + step
}

func index(loc string, i int) string { return loc + "[" + strconv.Itoa(i) + "]" }

// object checks a JSON object against the shape n. ctx is the resource the
// object belongs to.
func (w *walker) object(obj map[string]any, n *node, loc string, ctx *resCtx) {
	if len(obj) == 0 {
		w.add(sevError, codeInvariant, loc, "ele-1: an element must have a value or children; empty objects are not allowed")
		return
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var choiceSeen []*elemInfo
	for _, k := range keys {
		val := obj[k]
		if k == "resourceType" && n.resource {
			continue
		}
		if base, ok := strings.CutPrefix(k, "_"); ok {
			f := n.fields[base]
			if f == nil || f.prim == nil || f.noTwin {
				w.add(sevError, codeStructure, child(loc, k), "unknown element "+strconv.Quote(k)+" in "+n.name)
				continue
			}
			if _, hasBase := obj[base]; !hasBase {
				w.twin(f, nil, val, loc, ctx)
			}
			continue
		}
		f := n.fields[k]
		if f == nil {
			w.unknown(k, n, loc)
			continue
		}
		if f.el.Choice {
			for _, c := range choiceSeen {
				if c == f.info {
					w.add(sevError, codeStructure, child(loc, f.el.Name), "only one of "+strings.Join(f.info.names, ", ")+" may be present")
				}
			}
			choiceSeen = append(choiceSeen, f.info)
		}
		twin, hasTwin := obj["_"+k]
		if f.prim != nil && hasTwin && !f.noTwin {
			w.twin(f, val, twin, loc, ctx)
		}
		w.value(f, val, twin, loc, ctx)
	}
	w.cardinality(obj, n, loc)
	if n.name == "Extension" {
		hasValue := false
		for _, k := range keys {
			if strings.HasPrefix(k, "value") || strings.HasPrefix(k, "_value") {
				hasValue = true
			}
		}
		if _, hasExt := obj["extension"]; hasValue == hasExt {
			w.add(sevError, codeInvariant, loc, "ext-1: an extension must have either extensions or a value[x], not both")
		}
	}
}

// unknown reports a property the shape does not define, naming the choice
// element when the name only has a wrong type suffix (valueFoo).
func (w *walker) unknown(k string, n *node, loc string) {
	for name, info := range n.choices {
		if strings.HasPrefix(k, name) && len(k) > len(name) && k[len(name)] >= 'A' && k[len(name)] <= 'Z' {
			w.add(sevError, codeStructure, child(loc, k), "unknown element "+strconv.Quote(k)+": "+
				info.el.Path+" allows only "+strings.Join(info.names, ", "))
			return
		}
	}
	w.add(sevError, codeStructure, child(loc, k), "unknown element "+strconv.Quote(k)+" in "+n.name)
}

// cardinality checks min and max of every element of n against obj.
func (w *walker) cardinality(obj map[string]any, n *node, loc string) {
	for _, info := range n.elems {
		el := info.el
		if el.Min == 0 && (el.Max < 0 || el.Max == 1) {
			continue
		}
		count := 0
		for _, name := range info.names {
			v, ok := obj[name]
			if !ok {
				v, ok = obj["_"+name]
			}
			if !ok {
				continue
			}
			if a, isArr := v.([]any); isArr {
				count += len(a)
			} else {
				count++
			}
		}
		if count < el.Min {
			step := el.Name
			if len(info.names) == 1 {
				step = info.names[0]
			}
			w.add(sevError, codeRequired, child(loc, step), el.Path+": minimum required = "+strconv.Itoa(el.Min)+", but only found "+strconv.Itoa(count))
		}
		if el.Max > 1 && count > el.Max {
			w.add(sevError, codeStructure, child(loc, el.Name), el.Path+": maximum allowed = "+strconv.Itoa(el.Max)+", but found "+strconv.Itoa(count))
		}
	}
}

// value checks the JSON value of field f (twin is its _x partner, if any).
func (w *walker) value(f *field, val, twin any, loc string, ctx *resCtx) {
	at := child(loc, f.loc)
	arr, isArr := val.([]any)
	if !f.array {
		if isArr {
			w.add(sevError, codeStructure, at, f.el.Path+" has max cardinality 1 and must not be an array")
			return
		}
		if val == nil {
			w.add(sevError, codeStructure, at, "null is not allowed here (only inside arrays of primitives, paired with "+strconv.Quote("_"+f.json)+")")
			return
		}
		w.item(f, val, at, ctx)
		return
	}
	if !isArr {
		w.add(sevError, codeStructure, at, f.el.Path+" has max cardinality "+maxText(f.el.Max)+" and must be an array")
		return
	}
	if len(arr) == 0 {
		w.add(sevError, codeStructure, at, "arrays must not be empty")
		return
	}
	twins, _ := twin.([]any)
	for i, item := range arr {
		iat := index(at, i)
		if item == nil {
			if f.prim == nil || i >= len(twins) || twins[i] == nil {
				w.add(sevError, codeStructure, iat, "null is only allowed in an array of primitives when "+strconv.Quote("_"+f.json)+" has an object at the same index")
			}
			continue
		}
		w.item(f, item, iat, ctx)
	}
}

func maxText(n int) string {
	if n < 0 {
		return "*"
	}
	return strconv.Itoa(n)
}

// item checks one value (not an array) of field f at location at.
func (w *walker) item(f *field, val any, at string, ctx *resCtx) {
	switch {
	case f.prim != nil:
		if why := f.prim.checkValue(val); why != "" {
			code := codeValue
			if _, isObj := val.(map[string]any); isObj {
				code = codeStructure
			} else if _, isArr := val.([]any); isArr {
				code = codeStructure
			}
			w.add(sevError, code, at, f.el.Path+" "+why)
			return
		}
		if s, ok := val.(string); ok {
			w.primitiveString(f, s, at, ctx)
		}
	case f.resource:
		obj, ok := val.(map[string]any)
		if !ok {
			w.add(sevError, codeStructure, at, f.el.Path+" must be a JSON object holding a resource")
			return
		}
		if f.json == "contained" {
			w.resource(obj, at, ctx, ctx.bundle)
		} else {
			w.resource(obj, at, nil, ctx.bundle)
		}
		return
	case f.node != nil:
		obj, ok := val.(map[string]any)
		if !ok {
			w.add(sevError, codeStructure, at, f.el.Path+" must be a JSON object ("+f.typ+"), not "+jsonTypeName(val))
			return
		}
		w.object(obj, f.node, at, ctx)
		if f.typ == "Reference" {
			w.reference(obj, f, at, ctx)
		}
	default:
		return // an element the model cannot resolve; nothing to check
	}
	if f.binding != nil {
		w.bound(f, val, at)
	}
	if len(f.constraints) > 0 && w.v.invariants {
		w.jobs = append(w.jobs, invariantJob{value: val, typ: f.typ, loc: at, ctx: ctx, constraints: f.constraints})
	}
}

// twin checks the _x partner of primitive field f; base is the primitive
// value itself (nil when absent).
func (w *walker) twin(f *field, base, twin any, loc string, ctx *resCtx) {
	at := child(loc, f.loc)
	if !f.array {
		obj, ok := twin.(map[string]any)
		if !ok {
			w.add(sevError, codeStructure, at, strconv.Quote("_"+f.json)+" must be a JSON object with id and/or extension")
			return
		}
		w.object(obj, f.twin, at, ctx)
		return
	}
	arr, ok := twin.([]any)
	if !ok {
		w.add(sevError, codeStructure, at, strconv.Quote("_"+f.json)+" must be an array because "+f.json+" is")
		return
	}
	if baseArr, isArr := base.([]any); isArr && len(baseArr) != len(arr) {
		w.add(sevError, codeStructure, at, strconv.Quote("_"+f.json)+" must have as many items as "+strconv.Quote(f.json)+
			" ("+strconv.Itoa(len(arr))+" vs "+strconv.Itoa(len(baseArr))+")")
	}
	if len(arr) == 0 {
		w.add(sevError, codeStructure, at, "arrays must not be empty")
	}
	for i, item := range arr {
		if item == nil {
			continue
		}
		obj, ok := item.(map[string]any)
		if !ok {
			w.add(sevError, codeStructure, index(at, i), strconv.Quote("_"+f.json)+" items must be null or objects")
			continue
		}
		w.object(obj, f.twin, index(at, i), ctx)
	}
}

func jsonTypeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a number"
}
