package rest

import (
	"io"
	"strconv"
	"sync"

	"github.com/sen-emr/sen/internal/fhir"
)

// searchset is a searchset Bundle written straight to the response
// (https://hl7.org/fhir/R4/search.html#bundle): its entries are the
// resources' bodies as the store returned them, copied through one pooled
// chunk, never assembled into one body. A $everything of 1,000 resources
// is 1.6 MB: marshalling it whole allocated and cleared that much per
// request, plus an entry struct and a fullUrl string per resource, and
// the garbage collector's share of the request rose with it (25 % of the
// server's CPU in the profile of docs/benchmarks.md §3b).
type searchset struct {
	base        string // the FHIR base URL the fullUrls start with
	lastUpdated string // meta.lastUpdated
	total       int    // Bundle.total; negative: not stated
	links       []bundleLink
	entries     []searchEntry
}

// searchEntry is one Bundle.entry: fullUrl base/typ/id (none when typ is
// empty), the resource body (valid JSON, copied as is) and search.mode.
type searchEntry struct {
	typ, id string
	body    []byte
	mode    string
}

// add appends the resources as entries of the given search mode.
func (b *searchset) add(rs []*fhir.Resource, mode string) {
	for _, r := range rs {
		b.entries = append(b.entries, searchEntry{typ: r.Type, id: r.ID, body: r.JSON, mode: mode})
	}
}

// chunkSize is the size of the pooled buffer a searchset is written
// through: large enough that a write to the connection is rarely small,
// small enough to stay in the pool between requests.
const chunkSize = 64 << 10

// chunks pools the output buffers of searchsets.
type chunks struct{ p sync.Pool }

func (c *chunks) get() *[]byte {
	if b, ok := c.p.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, chunkSize)
	return &b
}

func (c *chunks) put(b *[]byte) {
	if cap(*b) <= 4*chunkSize { // a huge resource grew it: let it go
		*b = (*b)[:0]
		c.p.Put(b)
	}
}

// writeTo writes the Bundle to w in chunks of about chunkSize. The output
// is what marshalBundle writes for the same bundle.
func (b *searchset) writeTo(w io.Writer, pool *chunks) error {
	bp := pool.get()
	defer pool.put(bp)
	out := (*bp)[:0]
	var err error
	flush := func(force bool) {
		if err == nil && (force || len(out) >= chunkSize-512) {
			_, err = w.Write(out)
			out = out[:0]
		}
	}
	out = append(out, `{"resourceType":"Bundle","meta":{`...)
	if b.lastUpdated != "" {
		out = appendString(append(out, `"lastUpdated":`...), b.lastUpdated)
	}
	out = append(out, `},"type":"searchset"`...)
	if b.total >= 0 {
		out = strconv.AppendInt(append(out, `,"total":`...), int64(b.total), 10)
	}
	if len(b.links) > 0 {
		out = append(out, `,"link":[`...)
		for i, l := range b.links {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendString(append(out, `{"relation":`...), l.Relation)
			out = appendString(append(out, `,"url":`...), l.URL)
			out = append(out, '}')
		}
		out = append(out, ']')
	}
	if len(b.entries) > 0 {
		out = append(out, `,"entry":[`...)
		for i := range b.entries {
			e := &b.entries[i]
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, '{')
			if e.typ != "" {
				out = appendEscaped(append(out, `"fullUrl":"`...), b.base)
				out = append(appendEscaped(append(out, '/'), e.typ), '/')
				out = append(appendEscaped(out, e.id), `",`...)
			}
			if len(e.body) > 0 {
				out = append(out, `"resource":`...)
				if len(e.body) > chunkSize {
					flush(true)
					if err == nil {
						_, err = w.Write(e.body)
					}
				} else {
					out = append(out, e.body...)
				}
				out = append(out, ',')
			}
			out = append(out, `"search":{`...)
			if e.mode != "" {
				out = appendString(append(out, `"mode":`...), e.mode)
			}
			out = append(out, "}}"...)
			flush(false)
		}
		out = append(out, ']')
	}
	out = append(out, '}')
	flush(true)
	*bp = out
	return err
}
