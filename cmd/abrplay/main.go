// Command abrplay is the desktop demo player (ebiten). It is being built;
// for now it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "abrplay: the desktop demo player has not landed yet; use 'abrkit play URL'")
	os.Exit(1)
}
