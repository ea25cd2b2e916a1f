"""Hybrid retrieval: dense and lexical scores fused per chunk and per sentence."""
