from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from assistant import Assistant


def test_retriever_inside_a_runnable_chain(fake_settings):
    bot = Assistant.load(fake_settings, progress=False, log=lambda *_: None)
    retriever = bot.as_langchain_retriever(k=2)
    assert isinstance(retriever, BaseRetriever)

    def format_docs(docs: list[Document]) -> str:
        return "\n".join(f"[{d.metadata['rank']}] {d.page_content}" for d in docs)

    chain = {"context": retriever | RunnableLambda(format_docs), "question": RunnablePassthrough()} | RunnableLambda(
        lambda x: f"Q: {x['question']}\n{x['context']}")
    out = chain.invoke("2025年中欧（亚）班列发车数达到多少列？")
    assert out.startswith("Q: 2025年") and "[1]" in out and "12000" in out

    docs = retriever.invoke("平陆运河")
    assert len(docs) == 2
    meta = docs[0].metadata
    assert {"chunk_id", "source", "section", "lang", "start", "end", "score", "rank", "page"} <= set(meta)
    assert meta["page"] is None  # a Markdown file has no pages; a PDF's chunk carries the one it starts on
    source = (fake_settings.corpus_dir / meta["source"]).read_text(encoding="utf-8")
    assert source[meta["start"]:meta["end"]] == docs[0].page_content
    assert docs[0].id == meta["chunk_id"]
    batch = retriever.batch(["平陆运河", "投资"])
    assert len(batch) == 2 and all(isinstance(d, Document) for docs in batch for d in docs)
