"""The Milvus backend: the index's vectors and search tokens in Milvus collections, searched
through ``pymilvus``'s ``MilvusClient`` (dense inner product, and Milvus's BM25 full-text search).

Selected with ``ASSISTANT_BACKEND=milvus``; ``ASSISTANT_MILVUS_URI`` is a local file
(``/path/to/file.db``: Milvus Lite, embedded, creates it; a folder, for one process at a time) or a server (``http://host:19530``,
with ``ASSISTANT_MILVUS_TOKEN`` when it needs one). By default each index gets a Milvus Lite
file beside its folder (``index/use.milvus.db``).

Each index is two collections, its sentences and its chunks, named after the index folder;
a row's id is its position in the index. The text Milvus indexes for BM25 is the row's search
tokens (jieba words for Chinese, stemmed words for English: what the FAISS backend's BM25
reads) joined by spaces, and a jieba analyzer reads them back, so both backends match the same
words. The collections remember which index version they hold (a hash of its files' checksums): when
the index is rebuilt they are filled again, once.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import numpy as np

from assistant.errors import AssistantError
from assistant.index.store import Index
from assistant.ingest.chunks import section_heading
from assistant.index.lexical import tokenize
from assistant.retrieve.candidates import LEVELS, SearchService
from assistant.settings import Settings

BATCH = 1000  # rows per insert
MAX_TEXT_BYTES = 60_000  # a VARCHAR holds at most 65,535 bytes
ANALYZER = {"tokenizer": "jieba", "filter": ["lowercase"]}
VERSION_PROPERTY = "assistant_index_version"  # the collection property naming the index version it holds
BM25 = {"bm25_k1": 1.5, "bm25_b": 0.75}  # the FAISS backend's constants (index/lexical.py)


def milvus_uri(settings: Settings) -> str:
    """Where this settings' Milvus is: ``ASSISTANT_MILVUS_URI``, or a Lite file beside the index."""
    if settings.milvus_uri:
        return settings.milvus_uri
    folder = Path(settings.index_dir)
    return str(folder.parent / f"{folder.name}.milvus.db")


def is_server(uri: str) -> bool:
    return uri.startswith(("http://", "https://", "tcp://", "grpc://"))


def collection_names(settings: Settings) -> dict[str, str]:
    """The two collections of this settings' index: ``a<hash>_sentence`` and ``a<hash>_chunk``."""
    key = hashlib.sha1(str(Path(settings.index_dir).resolve()).encode()).hexdigest()[:12]
    return {level: f"a{key}_{level}" for level in LEVELS}


def version_key(index: Index) -> str:
    """What identifies the index version a collection holds."""
    files = index.manifest.get("files") or {}
    text = "|".join(f"{k}={files[k]}" for k in sorted(files)) + f"|{index.manifest.get('embedder_id')}"
    return hashlib.sha1(text.encode()).hexdigest()


def _text(tokens: list[str]) -> str:
    text = " ".join(tokens)
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        text = text.encode("utf-8")[:MAX_TEXT_BYTES].decode("utf-8", "ignore").rsplit(" ", 1)[0]
    return text


def holds(index: Index, settings: Settings) -> str:
    """A line saying where this settings' Milvus is and whether it holds ``index``."""
    uri = milvus_uri(settings)
    if not is_server(uri) and not Path(uri).exists():
        return f"milvus at {uri} (not created yet: the assistant fills it when it next loads)"
    service = MilvusService.connect(uri, settings, index)
    sizes = {"sentence": len(index.flat_sentences), "chunk": len(index.chunks)}
    if all(service._holds(level, version_key(index), sizes[level]) for level in LEVELS):
        return f"milvus at {uri} (holds this index: {sizes['sentence']} sentences, {sizes['chunk']} chunks)"
    return f"milvus at {uri} (does not hold this index version: the assistant fills it when it next loads)"


class MilvusService(SearchService):
    """An index's searches served by Milvus.

    Args:
        client: a ``pymilvus.MilvusClient``.
        names: level -> collection name.
    """

    name = "milvus"

    def __init__(self, client, names: dict[str, str], uri: str, index: Index):
        self.client = client
        self.names = names
        self.uri = uri
        # Milvus judges a word's rarity among all rows; the index's BM25 among the rows of the
        # word's language (index/lexical.py). The same counts give both.
        self._idf = {}
        for level, bm25 in (("sentence", index.sentence_bm25), ("chunk", index.chunk_bm25)):
            n = bm25.n
            self._idf[level] = ({t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in bm25.postings.df().items()},
                                bm25.idf)

    def scale(self, level, terms):
        milvus, own = self._idf[level]
        ours = sum(w * own[t] for t, w in terms.items() if t in own)
        return sum(w * milvus[t] for t, w in terms.items() if t in milvus) / ours if ours > 0 else 1.0

    # ----- open / fill -----
    @classmethod
    def open(cls, index: Index, settings: Settings, progress: bool = True, log=print) -> "MilvusService":
        """Connect, and fill the collections when they do not hold this index version.

        Raises:
            AssistantError: pymilvus is missing, or Milvus cannot be reached or written.
        """
        service = cls.connect(milvus_uri(settings), settings, index)
        uri = service.uri
        key = version_key(index)
        try:
            sizes = {"sentence": len(index.flat_sentences), "chunk": len(index.chunks)}
            if not all(service._holds(level, key, sizes[level]) for level in LEVELS):
                log(f"Filling Milvus at {uri} with the index ({len(index.flat_sentences)} sentences, "
                    f"{len(index.chunks)} chunks).")
                service._fill(index, key, progress)
            for level in LEVELS:  # a reopened collection starts released
                service.client.load_collection(service.names[level])
        except AssistantError:
            raise
        except Exception as exc:
            raise AssistantError(f"Milvus at {uri} failed while loading the index ({str(exc).splitlines()[0]})"
                                 ) from None
        return service

    @classmethod
    def connect(cls, uri: str, settings: Settings, index: Index) -> "MilvusService":
        """A client for ``uri``; nothing is filled.

        Raises:
            AssistantError: pymilvus is missing, the URI is not usable, or Milvus cannot be reached.
        """
        try:
            from pymilvus import MilvusClient
        except ImportError:
            raise AssistantError("the Milvus backend needs pymilvus and milvus-lite: pip install -e '.[milvus]' "
                                 "(or set ASSISTANT_BACKEND=faiss)") from None
        if not is_server(uri):
            if not uri.endswith(".db"):
                raise AssistantError(f"ASSISTANT_MILVUS_URI={uri!r}: a Milvus Lite file must end in .db "
                                     "(or give a server: http://host:19530)")
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        try:
            client = MilvusClient(uri, token=os.environ.get("ASSISTANT_MILVUS_TOKEN", ""))
        except Exception as exc:  # pymilvus raises its own errors and grpc's
            if is_server(uri):
                hint = "check that the server is up and ASSISTANT_MILVUS_URI"
            elif Path(uri).is_file():
                hint = "that path is a file, and Milvus Lite keeps its data in a folder there: move it or choose another"
            else:
                hint = ("Milvus Lite serves one process at a time: if another assistant (a chat, an eval) uses it, "
                        "give each its own ASSISTANT_MILVUS_URI or run a Milvus server")
            raise AssistantError(f"cannot open Milvus at {uri} ({str(exc).splitlines()[0]}); {hint}, or set "
                                 "ASSISTANT_BACKEND=faiss") from None
        return cls(client, collection_names(settings), uri, index)

    def _holds(self, level: str, key: str, rows: int) -> bool:
        """Whether the level's collection holds all ``rows`` of the index version ``key``
        (a fill cut short holds fewer)."""
        name = self.names[level]
        if not self.client.has_collection(name):
            return False
        if (self.client.describe_collection(name).get("properties") or {}).get(VERSION_PROPERTY) != key:
            return False
        return int(self.client.get_collection_stats(name).get("row_count", -1)) == rows

    def _fill(self, index: Index, key: str, progress: bool) -> None:
        from pymilvus import DataType, Function, FunctionType
        from tqdm.auto import tqdm

        context = {c.section: tokenize(section_heading(c.section)) for c in index.chunks}
        rows = {"sentence": (index.sentence_vectors,
                             lambda i: index._searched_tokens(i, context)),
                "chunk": (index.chunk_vectors, lambda i: index.chunk_tokens[i])}
        for level in LEVELS:
            name = self.names[level]
            vectors, tokens_of = rows[level]
            if self.client.has_collection(name):
                self.client.drop_collection(name)
            schema = self.client.create_schema(auto_id=False)
            schema.add_field("id", DataType.INT64, is_primary=True)
            schema.add_field("vector", DataType.FLOAT_VECTOR, dim=int(vectors.shape[1]))
            schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                             analyzer_params=ANALYZER)
            schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
            schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                         output_field_names=["sparse"]))
            params = self.client.prepare_index_params()
            params.add_index("vector", index_type="FLAT" if not is_server(self.uri) else "HNSW", metric_type="IP",
                             **({} if not is_server(self.uri) else {"params": {"M": 32, "efConstruction": 200}}))
            params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25)
            self.client.create_collection(name, schema=schema, index_params=params, consistency_level="Strong")
            with tqdm(total=len(vectors), desc=f"Milvus {level}s", unit="row", disable=not progress,
                      leave=False) as bar:
                for start in range(0, len(vectors), BATCH):
                    stop = min(start + BATCH, len(vectors))
                    block = np.asarray(vectors[start:stop], np.float32)
                    self.client.insert(name, [{"id": i, "vector": block[i - start].tolist(),
                                               "text": _text(tokens_of(i))} for i in range(start, stop)])
                    bar.update(stop - start)
            if hasattr(self.client, "flush"):
                self.client.flush(name)
            # Marked only once whole: a fill cut short is filled again.
            self.client.alter_collection_properties(name, properties={VERSION_PROPERTY: key})

    # ----- searches -----
    def dense(self, level, vector, top):
        hits = self.client.search(self.names[level], data=[np.asarray(vector, np.float32).tolist()],
                                  anns_field="vector", limit=top, output_fields=["id"],
                                  search_params={"metric_type": "IP", "params": {"ef": max(top, 64)}})[0]
        ids = np.array([h["id"] for h in hits], np.int64)
        sims = np.array([h["distance"] for h in hits], np.float32)
        order = np.argsort(-sims, kind="stable")
        return ids[order], sims[order]

    def lexical(self, level, queries, top):
        if not queries:
            return []
        out = []
        for hits in self.client.search(self.names[level], data=[" ".join(terms) for terms in queries],
                                       anns_field="sparse", limit=top, output_fields=["id"],
                                       search_params={"metric_type": "BM25"}):
            ids = np.array([h["id"] for h in hits], np.int64)
            # Milvus Lite reports a BM25 score as a negative distance, a server as the score.
            scores = np.abs(np.array([h["distance"] for h in hits], np.float32))
            order = np.argsort(-scores, kind="stable")
            keep = order[scores[order] > 0]
            out.append((ids[keep], scores[keep]))
        return out
