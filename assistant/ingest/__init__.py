"""Documents in: read files, split sentences, find structure, make chunks."""
