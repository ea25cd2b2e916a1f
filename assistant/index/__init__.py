"""The on-disk index: embedders, lexical search, and the store that saves and loads both."""
