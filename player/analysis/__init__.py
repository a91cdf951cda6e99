"""Audio analysis: pitch, note spectra, segment classes and content vectors (seed paper §2.3.3, §3.2)."""
