package transport

import (
	"encoding/json"
	"testing"
)

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{KindManifest, "manifest"},
		{KindInit, "init"},
		{KindMedia, "media"},
		{KindSteering, "steering"},
		{KindProbe, "probe"},
		{KindAPI, "api"},
		{KindKey, "key"},
		{0, "unknown"},
		{KindKey + 1, "unknown"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q; want %q", uint8(tt.k), got, tt.want)
		}
		b, err := json.Marshal(struct{ K Kind }{tt.k})
		if want := `{"K":"` + tt.want + `"}`; err != nil || string(b) != want {
			t.Errorf("json.Marshal(Kind(%d)) = %s, %v; want %s", uint8(tt.k), b, err, want)
		}
	}
}
