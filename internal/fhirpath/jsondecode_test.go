package fhirpath

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The hand-written decoder must build the same tree as encoding/json with
// UseNumber.
func TestDecodeJSONMatchesEncodingJSON(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "suite", "*.json"))
	inputs := [][]byte{
		[]byte(`{"a":"\u00e9\ud83d\ude00\n\"x\"","b":[1,-2.5e3,0,true,false,null,{}],"c":[]}`),
		[]byte(` [ "\/", 1E+2 ] `),
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, data)
	}
	for i, in := range inputs {
		got, err := decodeJSONValue(in)
		if err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
		dec := json.NewDecoder(bytes.NewReader(in))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("input %d: trees differ", i)
		}
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a"}`, `{"a":1,}`, `[1 2]`, `"abc`, `01`, `1.`, `-`, `tru`, `{"a":1} x`, `"\x"`, "\"a\tb\""} {
		if _, err := DecodeJSON([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
