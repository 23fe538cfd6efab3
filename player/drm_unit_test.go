package player

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/abrkit/abrkit/internal/drmtest"
)

func TestClearKeyRoundTrip(t *testing.T) {
	kid := [16]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	req, err := ClearKeyRequest([][16]byte{kid}, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"kids":["ASNFZ4mrze8BI0VniavN7w"],"type":"temporary"}`; string(req) != want {
		t.Errorf("request %s; want %s", req, want)
	}
	tests := []struct {
		name, body string
		want       string // key hex; "" for an error
	}{
		{"unpadded", `{"keys":[{"kty":"oct","kid":"ASNFZ4mrze8BI0VniavN7w","k":"ABEiM0RVZneImaq7zN3u_w"}],"type":"temporary"}`, "00112233445566778899aabbccddeeff"},
		{"padded", `{"keys":[{"kty":"oct","kid":"ASNFZ4mrze8BI0VniavN7w==","k":"ABEiM0RVZneImaq7zN3u_w=="}]}`, "00112233445566778899aabbccddeeff"},
		{"no keys", `{"keys":[]}`, ""},
		{"wrong kty", `{"keys":[{"kty":"RSA","kid":"ASNFZ4mrze8BI0VniavN7w","k":"ABEiM0RVZneImaq7zN3u_w"}]}`, ""},
		{"short key", `{"keys":[{"kty":"oct","kid":"ASNFZ4mrze8BI0VniavN7w","k":"ABEi"}]}`, ""},
		{"not json", `keys`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseClearKeyResponse([]byte(tt.body))
			if tt.want == "" {
				if !errors.Is(err, ErrLicense) {
					t.Fatalf("err = %v; want ErrLicense", err)
				}
				return
			}
			if err != nil || hex.EncodeToString(keys[kid]) != tt.want {
				t.Fatalf("keys %x, %v; want %s", keys[kid], err, tt.want)
			}
		})
	}
}

func TestAESIV(t *testing.T) {
	tests := []struct {
		attr string
		seq  uint64
		want string // hex; "" for an error
	}{
		{"", 0, "00000000000000000000000000000000"},
		{"", 0x0102, "00000000000000000000000000000102"},
		{"0x0f0e0d0c0b0a09080706050403020100", 7, "0f0e0d0c0b0a09080706050403020100"},
		{"0X1", 7, "00000000000000000000000000000001"},
		{"0x", 0, ""},
		{"12", 0, ""},
		{"0xzz", 0, ""},
		{"0x" + "000000000000000000000000000000001", 0, ""},
	}
	for _, tt := range tests {
		iv, err := aesIV(tt.attr, tt.seq)
		if got := hex.EncodeToString(iv); (tt.want == "") != (err != nil) || got != tt.want {
			t.Errorf("aesIV(%q, %d) = %s, %v; want %q", tt.attr, tt.seq, got, err, tt.want)
		}
	}
}

func TestParseKeys(t *testing.T) {
	k, err := ParseKeys([]byte("# keys\n0123456789abcdef0123456789abcdef:00112233445566778899aabbccddeeff\n\n30313233343536373839616263646566\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := k.RequestLicense(context.Background(), LicenseRequest{KIDs: [][16]byte{{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}}})
	if len(got) != 1 {
		t.Errorf("license gave %d keys; want 1", len(got))
	}
	if aes, _ := k.LoadKey(context.Background(), "x"); !bytes.Equal(aes, []byte("0123456789abcdef")) {
		t.Errorf("AES key %q", aes)
	}
	for _, bad := range []string{"", "# only\n", "xyz", "0123:0011", "0123456789abcdef0123456789abcdef:zz"} {
		if _, err := ParseKeys([]byte(bad)); err == nil {
			t.Errorf("ParseKeys(%q) succeeded", bad)
		}
	}
}

func TestDecryptAES128(t *testing.T) {
	key, iv := []byte("0123456789abcdef"), []byte("fedcba9876543210")
	ts := make([]byte, 188*3)
	ts[0], ts[188], ts[376] = 0x47, 0x47, 0x47
	got, err := decryptAES128(drmtest.EncryptCBC(key, iv, ts), key, iv)
	if err != nil || !bytes.Equal(got, ts) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := decryptAES128(drmtest.EncryptCBC(key, iv, ts), []byte("0123456789abcdeX"), iv); !errors.Is(err, ErrKey) {
		t.Errorf("wrong key: %v; want ErrKey", err)
	}
}

func TestDecryptAES128RejectsWrongKey(t *testing.T) {
	if _, err := decryptAES128(bytes.Repeat([]byte{1}, 32), []byte("0123456789abcdef"), make([]byte, 16)); !errors.Is(err, ErrKey) {
		t.Errorf("err = %v; want ErrKey", err)
	}
	if _, err := decryptAES128(make([]byte, 15), []byte("0123456789abcdef"), make([]byte, 16)); !errors.Is(err, ErrKey) {
		t.Errorf("err = %v; want ErrKey for a partial block", err)
	}
}

// FuzzClearKeyResponse: the license response parser never panics and
// returns only 16-byte keys.
func FuzzClearKeyResponse(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"oct","kid":"ASNFZ4mrze8BI0VniavN7w","k":"ABEiM0RVZneImaq7zN3u_w"}],"type":"temporary"}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","kid":"","k":""}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		keys, err := ParseClearKeyResponse(b)
		if err != nil {
			return
		}
		for kid, k := range keys {
			if len(k) != 16 {
				t.Fatalf("key of %x has %d bytes", kid, len(k))
			}
		}
	})
}

// FuzzKeyTag: IVs of EXT-X-KEY are 16 bytes or an error; key files
// parse or fail without panicking; AES-128 decryption of arbitrary bytes
// fails cleanly.
func FuzzKeyTag(f *testing.F) {
	f.Add("0x0f0e0d0c0b0a09080706050403020100", []byte("0123456789abcdef0123456789abcdef:00112233445566778899aabbccddeeff"))
	f.Add("", []byte("00112233445566778899aabbccddeeff"))
	f.Add("0x1", []byte{})
	f.Fuzz(func(t *testing.T, iv string, b []byte) {
		v, err := aesIV(iv, 3)
		if err == nil && len(v) != 16 {
			t.Fatalf("IV of %d bytes", len(v))
		}
		_, _ = ParseKeys(b)
		if err == nil {
			if out, err := decryptAES128(b, []byte("0123456789abcdef"), v); err == nil && !looksLikeMedia(out) {
				t.Fatal("decrypted noise accepted")
			}
		}
	})
}
