package scoreboard

import "testing"

// FuzzParse: any bytes give a board or an error, and a board's rows and
// summary can always be built.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version":1,"time":"2026-11-23T04:10:00Z","collector":{"host":"m","rejected":{"bad_mac":3}},"servers":[{"host":"h","program":"p","state":"up","load":{"w":40.5},"tasks":[{"Name":"t","Result":"failed","Overdue":true}]}]}`))
	f.Add([]byte(`{"version":1,"servers":[{"last_seen":"0001-01-01T00:00:00Z","load":{"":-1e308}}]}`))
	f.Add([]byte(`{"version":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sb, err := Parse(b, "fuzz")
		if err != nil {
			return
		}
		if rows := sb.Rows(); len(rows) != len(sb.Servers) {
			t.Fatalf("%d rows for %d servers", len(rows), len(sb.Servers))
		}
		_ = sb.Summary()
	})
}
