// Empty: this package exists only to pin the corpus.
