package steering

import (
	"flag"
	"strconv"
)

var update = flag.Bool("update", false, "rewrite golden files and fuzz seeds")

func quote(s string) string { return strconv.Quote(s) }
