package search

import (
	"strconv"
	"strings"
)

func nonNegative(key, value string) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 {
		return 0, invalid(key, "%q is not a non-negative integer", value)
	}
	return n, nil
}

func oneOf(key, value string, dst *string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			*dst = value
			return nil
		}
	}
	return invalid(key, "%q is not one of %s", value, strings.Join(allowed, ", "))
}

// types parses _type (system-level search only).
func (p *queryParser) types(values []string) error {
	if p.q.Type != "" {
		return p.unknown("_type", "only on a system-level search")
	}
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "" {
				continue
			}
			if !p.m.IsResource(t) || t == "Resource" || t == "DomainResource" {
				return invalid("_type", "unknown resource type %q", t)
			}
			if !contains(p.q.Types, t) {
				p.q.Types = append(p.q.Types, t)
			}
		}
	}
	return nil
}

// sort parses _sort=a,-b (search.html#sort).
func (p *queryParser) sort(key, value string) error {
	if key != "_sort" {
		return invalid(key, "_sort takes no modifier (use -param for descending)")
	}
	for _, s := range strings.Split(value, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		k := SortKey{}
		if strings.HasPrefix(s, "-") {
			k.Descending, s = true, s[1:]
		}
		k.Param = s
		sp, err := p.lookup(p.q.Type, p.q.Types, s)
		if err != nil {
			return err
		}
		switch {
		case sp != nil:
			k.Type = Type(sp.Type)
			if k.Type == TypeComposite || k.Type == TypeSpecial {
				return invalid("_sort", "cannot sort by %s parameter %s", k.Type, s)
			}
		case s == "_score":
			k.Type = TypeNumber
		default:
			if err := p.unknown("_sort="+s, "no such parameter"); err != nil {
				return err
			}
			continue
		}
		p.q.Sort = append(p.q.Sort, k)
	}
	return nil
}

// include parses _include / _revinclude [ :iterate ] =
// Source:param[:Target] | Source:* | * (search.html#include).
func (p *queryParser) include(key, value string) error {
	name, mod, _ := strings.Cut(key, ":")
	inc := Include{}
	switch mod {
	case "":
	case "iterate", "recurse": // recurse is the R3 name
		inc.Iterate = true
	default:
		return invalid(key, "unknown modifier :%s (only :iterate)", mod)
	}
	parts := strings.Split(value, ":")
	switch {
	case value == "*":
		inc.Source, inc.Param = "*", "*"
	case len(parts) == 2 || len(parts) == 3:
		inc.Source, inc.Param = parts[0], parts[1]
		if len(parts) == 3 {
			inc.Target = parts[2]
			if !p.m.IsResource(inc.Target) {
				return invalid(key, "unknown target type %q", inc.Target)
			}
		}
	default:
		return invalid(key, "%q: expected Source:parameter[:Target]", value)
	}
	if inc.Source != "*" {
		if !p.m.IsResource(inc.Source) {
			return invalid(key, "unknown resource type %q", inc.Source)
		}
		if name == "_include" && p.q.Type != "" && inc.Source != p.q.Type && !inc.Iterate {
			return invalid(key, "%s does not include from %s (searching %s); use :iterate", value, inc.Source, p.q.Type)
		}
		if inc.Param != "*" {
			sp := p.m.SearchParam(inc.Source, inc.Param)
			if sp == nil || sp.Type != string(TypeReference) {
				return invalid(key, "%s is not a reference parameter of %s", inc.Param, inc.Source)
			}
			if inc.Target != "" && len(sp.Targets) > 0 && !contains(sp.Targets, inc.Target) {
				return invalid(key, "%s:%s cannot refer to %s", inc.Source, inc.Param, inc.Target)
			}
		}
	}
	if name == "_include" {
		p.q.Include = append(p.q.Include, inc)
	} else {
		p.q.RevInclude = append(p.q.RevInclude, inc)
	}
	return nil
}
