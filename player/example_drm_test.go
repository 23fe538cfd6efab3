package player_test

import (
	"context"
	"fmt"

	"github.com/abrkit/abrkit/player"
)

// A ClearKey license exchange: the request body the player POSTs for a
// key ID, and the keys it reads from the answer.
func ExampleClearKeyRequest() {
	kid := [16]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	body, _ := player.ClearKeyRequest([][16]byte{kid}, "")
	fmt.Println(string(body))
	keys, _ := player.ParseClearKeyResponse([]byte(`{"keys":[{"kty":"oct","kid":"ASNFZ4mrze8BI0VniavN7w","k":"ABEiM0RVZneImaq7zN3u_w"}],"type":"temporary"}`))
	fmt.Printf("%x\n", keys[kid])
	// Output:
	// {"kids":["ASNFZ4mrze8BI0VniavN7w"],"type":"temporary"}
	// 00112233445566778899aabbccddeeff
}

// An app's key loader: AES-128 keys from its own store, with its own
// authentication, instead of a GET of the key URI.
func ExampleWithKeyLoader() {
	store := map[string][]byte{"https://keys.example/k1": []byte("0123456789abcdef")}
	loader := player.KeyLoaderFunc(func(_ context.Context, uri string) ([]byte, error) {
		if k, ok := store[uri]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("no key for %s", uri)
	})
	p, err := player.New(player.WithKeyLoader(loader), player.WithLicenseURL("https://license.example/clearkey"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	fmt.Println("ready")
	// Output: ready
}
