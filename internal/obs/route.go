package obs

import "strings"

// Route names the FHIR interaction a request asks for and its resource type
// from the method and the path's shape alone, mirroring the route table in
// internal/rest/routes.go (https://hl7.org/fhir/R4/http.html#summary). It
// never returns an id, so its values are safe as metric labels. Paths
// outside /fhir are named by their first segment when known ("healthz",
// "readyz", "metrics"), else "other"; typ is then "".
func Route(method, path string) (interaction, typ string) {
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return path[1:], ""
	}
	rest, ok := strings.CutPrefix(path, "/fhir")
	if !ok || (rest != "" && rest[0] != '/') {
		return "other", ""
	}
	rest = strings.Trim(rest, "/")
	var segs []string
	if rest != "" {
		segs = strings.Split(rest, "/")
	}
	switch len(segs) {
	case 0:
		switch method {
		case "POST":
			return "transaction", ""
		case "GET", "HEAD":
			return "search-system", ""
		}
	case 1:
		switch {
		case segs[0] == "metadata" && method == "GET":
			return "capabilities", ""
		case segs[0] == "_history" && method == "GET":
			return "history-system", ""
		case segs[0] == "_search" && method == "POST":
			return "search-system", ""
		case strings.HasPrefix(segs[0], "$"):
			return "operation", ""
		}
		switch method {
		case "GET", "HEAD":
			return "search-type", segs[0]
		case "POST":
			return "create", segs[0]
		case "PUT":
			return "update", segs[0]
		case "PATCH":
			return "patch", segs[0]
		case "DELETE":
			return "delete", segs[0]
		}
	case 2:
		switch {
		case segs[1] == "_history" && method == "GET":
			return "history-type", segs[0]
		case segs[1] == "_search" && method == "POST":
			return "search-type", segs[0]
		case strings.HasPrefix(segs[1], "$"):
			return "operation", segs[0]
		}
		switch method {
		case "GET", "HEAD":
			return "read", segs[0]
		case "PUT":
			return "update", segs[0]
		case "PATCH":
			return "patch", segs[0]
		case "DELETE":
			return "delete", segs[0]
		}
	case 3:
		switch {
		case segs[2] == "_history" && method == "GET":
			return "history-instance", segs[0]
		case strings.HasPrefix(segs[2], "$"):
			return "operation", segs[0]
		case method == "GET":
			return "search-compartment", segs[2]
		}
	case 4:
		if segs[2] == "_history" && method == "GET" {
			return "vread", segs[0]
		}
	}
	return "other", ""
}
