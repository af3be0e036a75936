package push

// OpError is the error of one store operation: what was done (Op: "put",
// "get", "stat", "delete", "mkcol"), to which key, and why.
type OpError struct {
	Op  string
	Key string
	Err error
}

func (e *OpError) Error() string {
	if e.Key == "" {
		return e.Op + ": " + e.Err.Error()
	}
	return e.Op + " " + e.Key + ": " + e.Err.Error()
}

func (e *OpError) Unwrap() error { return e.Err }

func opErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return &OpError{Op: op, Key: key, Err: err}
}
