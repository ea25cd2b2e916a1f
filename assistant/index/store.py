"""The on-disk index: FAISS vectors for chunks and sentences, BM25 tokens, and a manifest.

A manifest records everything that shaped the index (embedder, dimension, chunker
settings, corpus hash, format version) and a checksum of every file, so a stale or
corrupt index is detected on load instead of being silently used.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import faiss
import numpy as np

from assistant.ingest.chunks import Chunk, chunk_document, join_sentences, section_heading
from assistant.ingest.read import corpus_files, corpus_hash, page_at, read_corpus
from assistant.index import threads
from assistant.index import vectors as vector_index
from assistant.index.disk import IndexFolder
from assistant.index.embedders import Embedder, load_embedder
from assistant.errors import AssistantError, IndexStateError
from assistant.index.lexical import BM25, tokenize
from assistant.settings import Settings
from assistant.ingest.sentences import Sentence

# What to do about an index that cannot be used (the corpus flag too: another corpus's index is
# rebuilt with its own).
REBUILD = "rebuild it with 'python -m assistant index build' (and the same --corpus)"
FORMAT_VERSION = 2
# Bump when sentence splitting, chunking or tokenization changes, so old indexes count as stale.
CHUNKER_VERSION = 14
FILES = ("chunks.jsonl", "documents.json", "chunks.faiss", "sentences.faiss", "lexical.json")
MANIFEST_KEYS = ("embedder", "embedder_id", "dim", "chunker", "corpus_hash", "documents", "counts", "built_at")
BATCH = 32


def _sha256(path: Path) -> str:
    # Read in blocks: a 10^6-chunk index's vector files are gigabytes.
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _chunk_to_json(chunk: Chunk) -> dict:
    d = asdict(chunk)
    d["sentences"] = [[s.start, s.end, s.text, s.lang, s.heading, s.note] for s in chunk.sentences]
    return d


def _chunk_from_json(d: dict) -> Chunk:
    d = dict(d)
    d["sentences"] = tuple(Sentence(*s) for s in d["sentences"])
    return Chunk(**d)


def _embed(embedder: Embedder, texts: list[str], progress: bool, desc: str) -> np.ndarray:
    from tqdm.auto import tqdm

    out = np.zeros((len(texts), embedder.dim), np.float32)
    # Batches of texts of like length: a transformer pads each batch to its longest text.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with tqdm(total=len(texts), desc=desc, unit="text", disable=not progress, leave=False) as bar:
        for i in range(0, len(texts), BATCH):
            rows = order[i:i + BATCH]
            out[rows] = embedder.encode([texts[r] for r in rows])
            bar.update(len(rows))
    return out


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class _Previous:
    """The current version's vectors, found by their text: what a new build of the same
    embedder need not embed again (the index is its own embedding cache, keyed by text hash
    and embedder id)."""

    def __init__(self, manifest: dict, texts: list[list[str]], indexes: list[faiss.Index]):
        self.manifest = manifest
        self._indexes = indexes  # the memory the views below point into
        self._blocks = [vector_index.stored(i) for i in indexes]
        self._rows = {}
        for b, text_list in enumerate(texts):
            for i, text in enumerate(text_list):
                self._rows.setdefault(_text_key(text), (b, i))

    @classmethod
    def read(cls, directory: Path, embedder: Embedder) -> "_Previous | None":
        """The current version of ``directory`` when it is sound and made by ``embedder``, else None."""
        where = IndexFolder(directory).current()
        try:
            manifest = json.loads((where / "manifest.json").read_text(encoding="utf-8"))
            if manifest.get("format_version") != FORMAT_VERSION or manifest.get("embedder_id") != embedder.id \
                    or manifest.get("dim") != embedder.dim:
                return None
            for name in ("chunks.jsonl", "chunks.faiss", "sentences.faiss"):
                if _sha256(where / name) != manifest["files"][name]:
                    return None
            chunk_texts, sentence_texts = [], []
            with open(where / "chunks.jsonl", encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        d = json.loads(line)
                        texts = [s[2] for s in d["sentences"]]
                        chunk_texts.append(join_sentences(texts))  # a chunk's clean text
                        sentence_texts.extend(texts)
            indexes = [faiss.read_index(str(where / name)) for name in ("chunks.faiss", "sentences.faiss")]
        except (OSError, ValueError, KeyError, TypeError, RuntimeError, AttributeError):
            return None  # no usable previous version: embed everything
        if [i.ntotal for i in indexes] != [len(chunk_texts), len(sentence_texts)] or indexes[0].d != embedder.dim:
            return None
        return cls(manifest, [chunk_texts, sentence_texts], indexes)

    def fill(self, texts: list[str], out: np.ndarray) -> list[int]:
        """Put the vectors held of ``texts`` into the rows of ``out``; return the positions
        of those it lacks. Rows are read a block at a time (an IVF index rebuilds each one)."""
        missing, wanted = [], {}
        for i, text in enumerate(texts):
            found = self._rows.get(_text_key(text))
            if found is None:
                missing.append(i)
            else:
                at, rows = wanted.setdefault(found[0], ([], []))
                at.append(i)
                rows.append(found[1])
        for b, (at, rows) in wanted.items():
            out[at] = self._blocks[b][np.array(rows, np.int64)]
        return missing


def _vectors(embedder: Embedder, texts: list[str], previous: _Previous | None, progress: bool,
             desc: str) -> tuple[faiss.Index, int]:
    """A flat index of the vectors of ``texts``, embedding only those ``previous`` lacks;
    returns it with the number embedded."""
    out = np.zeros((len(texts), embedder.dim), np.float32)
    missing = previous.fill(texts, out) if previous is not None else list(range(len(texts)))
    if missing:
        out[missing] = _embed(embedder, [texts[i] for i in missing], progress, desc)
    return _flat_index(out), len(missing)


def _changes(before: dict | None, after: list[dict]) -> dict[str, int]:
    """Documents added, updated, removed and unchanged since the manifest ``before``."""
    old = {d["source"]: d["sha256"] for d in (before or {}).get("documents", [])}
    new = {d["source"]: d["sha256"] for d in after}
    return {"added": sum(s not in old for s in new), "updated": sum(s in old and old[s] != h for s, h in new.items()),
            "removed": sum(s not in new for s in old), "unchanged": sum(old.get(s) == h for s, h in new.items())}


def _chunk_tokens(chunks: list[Chunk], sentence_tokens: list[list[str]]) -> list[list[str]]:
    """Each chunk's tokens: its sentences' in order (no token spans two sentences)."""
    out, row = [], 0
    for c in chunks:
        out.append([t for tokens in sentence_tokens[row:row + len(c.sentences)] for t in tokens])
        row += len(c.sentences)
    return out


def _flat_index(vectors: np.ndarray) -> faiss.Index:
    """The dense index of the vectors: exact (inner product of unit vectors == cosine) up to
    the size ``assistant/data/vectors.json`` names, an approximate one above (index/vectors.py)."""
    return vector_index.build(np.ascontiguousarray(vectors, dtype=np.float32))


@dataclass
class Index:
    """A loaded index. ``sentence_chunk[i]`` is the chunk of flat sentence ``i``."""

    manifest: dict
    chunks: list[Chunk]
    documents: dict[str, str]
    chunk_index: faiss.Index
    sentence_index: faiss.Index
    chunk_tokens: list[list[str]]
    sentence_tokens: list[list[str]]

    def __post_init__(self):
        # Where each page of a paged document begins.
        self.pages = {d["source"]: tuple(d.get("pages") or ()) for d in self.manifest.get("documents", [])}
        # Every sentence with its chunk, in index order (row i of sentence_index).
        self.flat_sentences = [(c, s) for c in self.chunks for s in c.sentences]
        self.sentence_chunk = np.array([i for i, c in enumerate(self.chunks) for _ in c.sentences], dtype=np.int64)
        self.chunk_first_sentence = np.cumsum([0] + [len(c.sentences) for c in self.chunks])[:-1]
        # Read by row, never copied whole: an array over a flat index's memory, or rows an IVF
        # index rebuilds from its lists (index/vectors.py's Rows).
        self.sentence_vectors = vector_index.stored(self.sentence_index)
        self.chunk_vectors = vector_index.stored(self.chunk_index)
        self.chunk_bm25 = BM25(self.chunk_tokens, [c.lang for c in self.chunks])
        # A sentence is read under its heading: '6.加强生态保护' tells what every sentence of
        # that subsection is about, so a question that names the subsection's topic and asks
        # for a detail finds the detail, not the heading that repeats the topic.
        context = {c.section: tokenize(section_heading(c.section)) for c in self.chunks}
        self.sentence_bm25 = BM25([self._searched_tokens(i, context) for i in range(len(self.flat_sentences))],
                                  [s.lang for c in self.chunks for s in c.sentences])

    def page_of(self, source: str, offset: int) -> int | None:
        """The 1-based page of ``offset`` in document ``source``, or None when it has no pages."""
        return page_at(self.pages.get(source, ()), offset)

    def _searched_tokens(self, i: int, context: dict[str, list[str]]) -> list[str]:
        """Sentence ``i``'s tokens as lexical search reads them: with its section heading's words
        (a heading and a note stand alone)."""
        c, s = self.flat_sentences[i]
        tokens = self.sentence_tokens[i]
        return tokens if s.heading or s.note else tokens + context[c.section]

    # ----- build -----
    @classmethod
    def build(cls, settings: Settings, embedder: Embedder | None = None, progress: bool = True,
              log=None, reuse: bool = True) -> "Index":
        """Read the corpus, chunk it, embed chunks and sentences, and return the index.

        With ``reuse``, a text the current index at ``settings.index_dir`` already embedded
        with the same embedder takes its vector from there, so adding, changing or removing one
        document embeds only that document's new text. Nothing is written: call :meth:`save`.
        ``log`` receives a line for each file skipped.
        """
        from tqdm.auto import tqdm

        started = time.perf_counter()
        embedder = embedder or load_embedder(settings.embedder)
        read = read_corpus(settings.corpus_dir, progress)
        for message in read.warnings:
            (log or print)(f"warning: {message}")
        docs = read.documents
        chunks = []
        with tqdm(total=sum(len(d.text) for d in docs), desc="Chunking", unit="char", unit_scale=True,
                  disable=not progress, leave=False) as bar:
            for doc in docs:
                chunks.extend(chunk_document(doc, settings.chunk_size))
                bar.update(len(doc.text))
        if not chunks:
            raise AssistantError(f"the corpus in {settings.corpus_dir} has no text to index")
        sentence_texts = [s.text for c in chunks for s in c.sentences]
        # A chunk is its sentences joined, and no token spans two sentences: tokenize once.
        sentence_tokens = [tokenize(t) for t in tqdm(sentence_texts, desc="Tokenizing", unit="sentence",
                                                       disable=not progress, leave=False, mininterval=0.5)]
        chunk_tokens = _chunk_tokens(chunks, sentence_tokens)
        previous = _Previous.read(settings.index_dir, embedder) if reuse else None
        with threads.for_builds():
            # Each set of vectors goes into FAISS as soon as it is made: one copy at a time.
            chunk_index, chunks_embedded = _vectors(embedder, [c.clean for c in chunks], previous, progress,
                                                    "Embedding chunks")
            sentence_index, sentences_embedded = _vectors(embedder, sentence_texts, previous, progress,
                                                          "Embedding sentences")
        documents = [{"source": d.source, "sha256": d.sha256, "encoding": d.encoding, "chars": len(d.text),
                      **({"pages": list(d.pages)} if d.pages else {})} for d in docs]
        changes = _changes(previous.manifest if previous else None, documents)
        embedded = chunks_embedded + sentences_embedded
        del previous
        manifest = {
            "format_version": FORMAT_VERSION,
            "embedder": settings.embedder,
            "embedder_id": embedder.id,
            "dim": embedder.dim,
            "chunker": {"version": CHUNKER_VERSION, "chunk_size": settings.chunk_size},
            "corpus_dir": str(settings.corpus_dir),
            # The hash of the bytes that were read: a file saved during the build is stale.
            "corpus_hash": read.hash,
            "documents": documents,
            "counts": {"documents": len(docs), "chunks": len(chunks), "sentences": len(sentence_texts)},
            # Against the version this one replaces: documents changed, and texts embedded or
            # whose vectors were reused.
            "changes": changes,
            "embedded": {"texts": embedded, "reused": len(chunks) + len(sentence_texts) - embedded},
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        index = cls(manifest, chunks, {d.source: d.text for d in docs}, chunk_index, sentence_index,
                    chunk_tokens, sentence_tokens)
        manifest["build_seconds"] = round(time.perf_counter() - started, 2)
        return index

    # ----- save / load -----
    def save(self, directory: Path) -> Path:
        """Write a new version of the index folder and make it current in one atomic step
        (see ``index/disk.py``); callers that may race hold the folder's lock
        (:func:`build_index` does).

        Returns:
            the version's folder.

        Raises:
            AssistantError: the files cannot be written (a full disk, say); the previous index
                stays current.
        """
        folder = IndexFolder(directory)
        try:
            tmp = folder.staging()
        except OSError as exc:
            raise AssistantError(f"cannot create the index folder {directory} ({exc.strerror}); check the path "
                                 "and its permissions") from None
        try:
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
                for c in self.chunks:
                    f.write(json.dumps(_chunk_to_json(c), ensure_ascii=False) + "\n")
            with open(tmp / "documents.json", "w", encoding="utf-8") as f:
                json.dump(self.documents, f, ensure_ascii=False)
            faiss.write_index(self.chunk_index, str(tmp / "chunks.faiss"))
            faiss.write_index(self.sentence_index, str(tmp / "sentences.faiss"))
            # Sentences' tokens as numbers into one vocabulary (a chunk's are its sentences'):
            # smaller than the words, and loading shares one string per word.
            vocabulary: dict[str, int] = {}
            rows = [[vocabulary.setdefault(t, len(vocabulary)) for t in tokens] for tokens in self.sentence_tokens]
            with open(tmp / "lexical.json", "w", encoding="utf-8") as f:
                json.dump({"vocabulary": list(vocabulary), "sentences": rows}, f, ensure_ascii=False)
            del rows, vocabulary
            manifest = dict(self.manifest, files={name: _sha256(tmp / name) for name in FILES})
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            version = folder.publish(tmp)
        except BaseException as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, (OSError, RuntimeError)):  # faiss reports a failed write as RuntimeError
                reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
                raise AssistantError(f"cannot write the index at {directory} ({reason}); free some space or fix "
                                     "the folder's permissions: the previous index is untouched") from None
            raise
        self.manifest = manifest
        return version

    @classmethod
    def load(cls, directory: Path) -> "Index":
        """Load the current version and verify every file against the manifest's checksums.

        Raises:
            IndexStateError: the index is missing, from another format, or corrupt.
        """
        directory = Path(directory)
        folder = IndexFolder(directory)
        for _ in range(3):
            where = folder.current()
            try:
                return cls._load_version(directory, where)
            except IndexStateError:
                # A build made another version current while this one was read (and its
                # successor's cleanup removed it): read the new one.
                if folder.current() == where:
                    raise
        return cls._load_version(directory, folder.current())

    @classmethod
    def _load_version(cls, directory: Path, where: Path | None) -> "Index":
        fix = REBUILD
        if where is None or not (where / "manifest.json").exists():
            raise IndexStateError(f"no index at {directory}: {fix}")
        try:
            manifest = json.loads((where / "manifest.json").read_text(encoding="utf-8"))
            if not isinstance(manifest, dict):
                raise IndexStateError(f"index at {directory} has a manifest that is not a JSON object: {fix}")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise IndexStateError(
                    f"index at {directory} has format {manifest.get('format_version')}, this version reads "
                    f"{FORMAT_VERSION}: {fix}")
            lacking = [k for k in MANIFEST_KEYS if k not in manifest]
            if lacking or not isinstance(manifest.get("files"), dict):
                raise IndexStateError(f"index at {directory} has an incomplete manifest (no "
                                      f"{', '.join(lacking) or 'files'}): {fix}")
            for name in FILES:
                path = where / name
                if not path.exists():
                    raise IndexStateError(f"index at {directory} is incomplete ({name} is missing): {fix}")
                if _sha256(path) != manifest["files"].get(name):
                    raise IndexStateError(f"index at {directory} is corrupt ({name} fails its checksum): {fix}")
            chunks = [_chunk_from_json(json.loads(line))
                      for line in (where / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line]
            with open(where / "documents.json", encoding="utf-8") as f:
                documents = json.load(f)
            with open(where / "lexical.json", encoding="utf-8") as f:
                lexical = json.load(f)
            vocabulary = lexical["vocabulary"]
            sentence_tokens = [[vocabulary[i] for i in row] for row in lexical["sentences"]]
            del lexical
            if sum(len(c.sentences) for c in chunks) != len(sentence_tokens):
                raise IndexStateError(f"index at {directory} is inconsistent (sentence and token counts differ): "
                                      f"{fix}")
            index = cls(manifest, chunks, documents, faiss.read_index(str(where / "chunks.faiss")),
                        faiss.read_index(str(where / "sentences.faiss")), _chunk_tokens(chunks, sentence_tokens),
                        sentence_tokens)
        except IndexStateError:
            raise
        except (OSError, ValueError, KeyError, TypeError, RuntimeError, AttributeError) as exc:
            raise IndexStateError(f"index at {directory} cannot be read ({exc.__class__.__name__}: {exc}): {fix}") \
                from None
        if index.chunk_index.ntotal != len(chunks) or len(index.sentence_chunk) != index.sentence_index.ntotal:
            raise IndexStateError(f"index at {directory} is inconsistent (vector and chunk counts differ): {fix}")
        return index

    def stale_reason(self, settings: Settings) -> str | None:
        """Why this index does not match the settings and corpus, or None when it does."""
        m = self.manifest
        if m.get("embedder") != settings.embedder:
            return f"it was built with embedder {m.get('embedder')!r} but settings ask for {settings.embedder!r}"
        if m.get("chunker") != {"version": CHUNKER_VERSION, "chunk_size": settings.chunk_size}:
            return f"it was built with chunker settings {m.get('chunker')}, settings ask for chunk size " \
                   f"{settings.chunk_size} (chunker v{CHUNKER_VERSION})"
        if m.get("corpus_hash") != corpus_hash(settings.corpus_dir):
            return f"the corpus in {settings.corpus_dir} changed since the index was built"
        return None


def _build_and_save(settings: Settings, progress: bool, log) -> Index:
    """Build, save and clean up, holding the folder's lock (the caller takes it)."""
    index = Index.build(settings, progress=progress, log=log)
    index.save(settings.index_dir)
    IndexFolder(settings.index_dir).clean()
    m = index.manifest
    c, d, e = m["counts"], m["changes"], m["embedded"]
    changed = ", ".join(f"{d[k]} {k}" for k in ("added", "updated", "removed", "unchanged") if d[k])
    log(f"Indexed {c['documents']} document(s) ({changed}): {c['chunks']} chunks, {c['sentences']} sentences; "
        f"embedded {e['texts']} texts with {m['embedder_id']}, reused {e['reused']}, in {m['build_seconds']} s "
        f"-> {settings.index_dir}")
    return index


def build_index(settings: Settings, progress: bool = True, log=print) -> Index:
    """Build the index for ``settings`` and save it to ``settings.index_dir`` (one builder at a
    time: a second one waits for the first)."""
    corpus_files(settings.corpus_dir)  # a missing or empty folder says so before any index folder is made
    with IndexFolder(settings.index_dir).lock(log):
        return _build_and_save(settings, progress, log)


def open_index(settings: Settings, rebuild: bool = True, progress: bool = True, log=print) -> Index:
    """Load the index for ``settings``; build it when missing, stale or corrupt (if ``rebuild``).

    Two processes that find the index stale at once build it once: the second waits for the
    first's lock and then uses what it built.

    Raises:
        IndexStateError: when the index cannot be used and ``rebuild`` is False.
    """
    try:
        index = Index.load(settings.index_dir)
        reason = index.stale_reason(settings)
    except IndexStateError as exc:
        if not rebuild:
            raise
        corpus_files(settings.corpus_dir)  # nothing to build from: say that, not that a build starts
        log(f"{exc.args[0].removesuffix(': ' + REBUILD)}; building it now.")
    else:
        if reason is None:
            return index
        if not rebuild:
            raise IndexStateError(f"index at {settings.index_dir} is stale: {reason}: {REBUILD}")
        corpus_files(settings.corpus_dir)
        log(f"Index at {settings.index_dir} is stale ({reason}); rebuilding.")
    with IndexFolder(settings.index_dir).lock(log):
        try:  # built by another process while this one waited for the lock?
            index = Index.load(settings.index_dir)
            if index.stale_reason(settings) is None:
                return index
        except IndexStateError:
            pass
        return _build_and_save(settings, progress, log)
