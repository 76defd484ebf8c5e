package ingest

// FromSlice is a Load source that yields bodies in order, then the end.
func FromSlice(bodies [][]byte) func() ([]byte, error) {
	i := 0
	return func() ([]byte, error) {
		if i == len(bodies) {
			return nil, nil
		}
		i++
		return bodies[i-1], nil
	}
}

// FromChan is a Load source that yields what ch carries until it is
// closed: the bridge from a producer that pushes (the synthetic population
// generator) to the loader, which pulls.
func FromChan(ch <-chan []byte) func() ([]byte, error) {
	return func() ([]byte, error) {
		b, ok := <-ch
		if !ok {
			return nil, nil
		}
		return b, nil
	}
}
