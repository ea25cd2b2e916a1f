"""The edges: command line, chat, rendering, LangChain adapter, benchmarks."""
