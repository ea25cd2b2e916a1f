"""The chat's labels and error messages in the interface language: 'zh', 'en' or 'both' (no gradio here)."""

from __future__ import annotations

import re

# The chat's title and subtitle come from the corpus profile (ingest/profile.py).
LABELS = {
    "sources": ("来源", "Sources"),
    "not_found": ("未找到答案", "No answer found"),
    "closest": ("最接近的段落", "Closest passages"),
    "why": ("原因", "Why"),
    "understood": ("理解为", "Understood as"),
    "copy": ("复制", "Copy"),
    "copied": ("已复制", "Copied"),
    "cannot": ("无法回答这个问题", "Cannot take this question"),
    "internal": ("出错了，请重试", "Something went wrong; please try again"),
    "panel": ("原文", "Source text"),
    "panel_hint": ("点击答案中的 [1]、[2] 标记，在此查看原文全文及高亮的引用句。",
                   "Click a marker such as [1] in an answer to read its document here, the cited sentence "
                   "highlighted."),
    "close": ("关闭", "Close"),
    "placeholder": ("用中文或英文提问……", "Ask a question in Chinese or English…"),
    "send": ("发送", "Send"),
    "new": ("新对话", "New conversation"),
    "examples": ("示例问题", "Example questions"),
    "try": ("也可以点下面的示例问题", "Or try one of the examples below"),
    "question": ("问题", "Question"),
    "limit": ("字", "characters"),  # after 'typed / most'
    "too_long": ("超出上限，请缩短后再发送", "over the limit: shorten it before sending"),
    "info": ("索引信息", "About the index"),
    "language": ("界面语言", "Interface language"),
    "chat": ("对话", "Chat"),
    "thinking": ("正在查找…", "Searching the documents…"),
    "upload": ("上传文档", "Upload documents"),
    "stop": ("停止", "Stop"),
    # Gradio's own words on the page (it words them by the browser's language, not this choice):
    # the page's script puts these in their place.
    "api": ("通过 API 使用", "Use via API"),
    "clear": ("清空对话", "Clear the conversation"),
    "scroll": ("滚动到最新", "Scroll down"),
    "welcome": ("用中文或英文提问（最多 2000 字），回答只引用文档中的原句，每句带 [1] 这样的标记："
                "点击标记即可阅读原文全文。文档没有答案时，会直说没有找到。",
                "Ask in Chinese or English (up to 2,000 characters). Answers quote the documents' own sentences, "
                "each with a marker such as [1]: click it to read the passage in its document. When the documents "
                "do not answer, the reply says so."),
    "indexing": ("正在建立索引…", "Indexing…"),
    "starting": ("正在建立索引", "Building the index"),
    "starting_help": ("正在为文档建立索引（首次启动或文档有变化时），完成后本页会自动打开对话。",
                      "The documents are being indexed (on the first start, or after they changed); this page "
                      "opens the chat when it is done."),
}


def label(key: str, ui: str = "both") -> str:
    """A label in the interface language: 'zh', 'en' or 'both' ('来源 · Sources')."""
    zh, en = LABELS[key]
    return zh if ui == "zh" else en if ui == "en" else f"{zh} · {en}"


# Chinese for the QuestionError messages (assistant/answer.py words them in English).
_ZH_ERRORS = [
    (r"^the question is empty", "问题是空的：请用中文或英文提一个关于文档的问题。"),
    (r"^the question is (\d+) characters long; the limit is (\d+)", "问题太长（{0} 个字符，上限 {1}）：请缩短后再问。"),
    (r"control character", "问题里有控制字符，请删除后再问。"),
    (r"^only Chinese and English", "目前只支持用中文或英文提问。"),
    (r"no words in it", "问题里没有文字：请用中文或英文提问。"),
]


def friendly(message: str, ui: str = "both") -> str:
    """An error message in the interface language (both languages by default)."""
    zh = next((text.format(*m.groups()) for pattern, text in _ZH_ERRORS if (m := re.search(pattern, message))),
              None)
    if zh is None or ui == "en":
        return message
    return zh if ui == "zh" else f"{zh}\n{message}"

