package view

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDocDecode: any bytes either fail to decode as a stat document or
// decode to one that encodes and decodes again to the same bytes.
func FuzzDocDecode(f *testing.F) {
	f.Add([]byte(`{"version":1,"segment":"s","metrics":[{"name":"c","kind":"counter","value":18446744073709551615,"rate":2.5}]}`))
	f.Add([]byte(`{"metrics":[{"name":"g","kind":"gauge","value":-3},{"name":"i","kind":"info","value":"x"},{"name":"f","kind":"flag","value":2}]}`))
	f.Add([]byte(`{"metrics":[{"name":"t","kind":"task","task":{"every_seconds":1,"result":"ok","runs":3}},{"kind":"kind(77)","value":[1]}]}`))
	f.Add([]byte(`{"processes":[{"slot":0,"flags":[],"probes":[{"name":"p","raw":"0x0","location":"-"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Doc
		if json.Unmarshal(b, &d) != nil {
			return
		}
		enc, err := json.Marshal(&d)
		if err != nil {
			t.Fatalf("decoded document does not encode: %v", err)
		}
		var d2 Doc
		if err := json.Unmarshal(enc, &d2); err != nil {
			t.Fatalf("encoded document does not decode: %v\n%s", err, enc)
		}
		enc2, err := json.Marshal(&d2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("not stable: %v\n%s\n%s", err, enc, enc2)
		}
	})
}
