"""Sound output: a decoder thread fills a ring buffer that the PortAudio callback copies from."""
