package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Hash is the chain hash of an AuditEvent body: SHA-256 over its canonical
// JSON (object keys sorted, no insignificant whitespace, numbers as
// written) without meta, which the store rewrites. The next event carries
// it in its previousHash extension.
func Hash(body []byte) (string, error) {
	canon, err := canonical(body)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:]), nil
}

func canonical(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode AuditEvent: %w", err)
	}
	delete(m, "meta")
	// encoding/json sorts map keys, which makes the form canonical.
	return json.Marshal(m)
}

// link is the chain position an AuditEvent body declares.
type link struct {
	Seq      int64
	Previous string
	Chained  bool // the body has the chain extension
}

func readLink(body []byte) (link, error) {
	var ae struct {
		Extension []struct {
			URL       string `json:"url"`
			Extension []struct {
				URL          string `json:"url"`
				ValueString  string `json:"valueString"`
				ValueInteger *int64 `json:"valueInteger"`
			} `json:"extension"`
		} `json:"extension"`
	}
	if err := json.Unmarshal(body, &ae); err != nil {
		return link{}, fmt.Errorf("decode AuditEvent: %w", err)
	}
	for _, ext := range ae.Extension {
		if ext.URL != ExtChain {
			continue
		}
		l := link{Chained: true}
		for _, sub := range ext.Extension {
			switch sub.URL {
			case extSequence:
				if sub.ValueInteger != nil {
					l.Seq = *sub.ValueInteger
				}
			case extPrevious:
				l.Previous = sub.ValueString
			}
		}
		return l, nil
	}
	return link{}, nil
}
