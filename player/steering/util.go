package steering

import (
	"encoding/json"
	"errors"
)

func asTypeError(err error, te **json.UnmarshalTypeError) bool { return errors.As(err, te) }
