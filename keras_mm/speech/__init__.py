"""Speech recognition: characters, CTC decoding, error rates, long clips."""
