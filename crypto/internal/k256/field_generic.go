package k256

// mul512 and sqr512 are the 512-bit products the field reduces.
func mul512(t *[8]uint64, x, y *fe) { mul512Generic(t, x, y) }
func sqr512(t *[8]uint64, x *fe)    { sqr512Generic(t, x) }
