package signing_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/signing"
)

func ExampleSigner_Verify() {
	s := signing.New("secret")
	now := time.Unix(1_800_000_000, 0)
	p := s.Path("t1", "master.m3u8", now.Add(time.Hour))
	fmt.Println(p)
	// A segment URL resolved relative to the manifest keeps the token.
	seg := strings.TrimSuffix(p, "master.m3u8") + "v400/seg_1.m4s"
	r, err := s.Verify(seg, now)
	fmt.Println(r.Title, r.File, err)
	_, err = s.Verify(p, now.Add(2*time.Hour))
	fmt.Println(err)
	// Output:
	// /s/1800003600/nGSIWuc1Cmtn-gwCB-yK0Q/t1/master.m3u8
	// t1 v400/seg_1.m4s <nil>
	// signature expired at 2027-01-15T09:00:00Z
}
