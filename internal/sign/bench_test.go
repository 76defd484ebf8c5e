package sign

import (
	"context"
	"testing"
)

func BenchmarkCanonical(b *testing.B) {
	for b.Loop() {
		if _, err := Canonical([]byte(note)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignVerifyRS256(b *testing.B) {
	k := pkcs12Key(b, newTestCA(b, "CA"))
	v := &Verifier{}
	for b.Loop() {
		prov, err := Sign(context.Background(), k, Request{Target: "Composition/c1/_history/2", Resource: []byte(note),
			Who: "Practitioner/d1", Role: RoleAuthor, Now: signedAt})
		if err != nil {
			b.Fatal(err)
		}
		if r := v.Verify(prov, []byte(note)); !r.Valid() {
			b.Fatal(r.Summary())
		}
	}
}
