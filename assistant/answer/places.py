"""Places a question asks for by kind ('which province', 'which city', 'which country'), and
whether its evidence names one.

A plausible unanswerable question often finds the sentence about the right event and asks
where it happened: '2022年9月习近平在哈萨克斯坦的哪个城市会谈？' over a sentence that names
only the country. Each kind is a pattern for the question and a gazetteer for the evidence;
a place the question names itself does not count as found.
"""

from __future__ import annotations

import re

# 'Which (Kazakh) city', 'what two countries': up to two words between, none a verb that makes
# the place the subject ('what do partner countries gain…' asks no country).
_WHICH = (r"\b(?:which|what) (?!(?:do|does|did|is|are|was|were|can|could|should|will|would|have|has|had|must|may|"
          r"might)\b)(?:[A-Za-z]+ ){0,2}")

# 'Which province…', '位于哪个省份': one of China's provincial-level divisions.
_ASKS_PROVINCE = re.compile(r"\bwhich (?:chinese |inland |coastal )?(?:province|region)s?\b|\bin what province\b|"
                            r"哪(?:个|一个|些|几个)?[\u4e00-\u9fff]{0,2}(?:省|自治区)", re.I)
_PROVINCES = re.compile(r"北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|"
                        r"海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|"
                        r"[\u4e00-\u9fff]{2,3}(?:省|自治区)")

# 'Which city…', '在哪座城市': a city, named as one ('义乌市') or known by name. Countries and
# provinces do not answer: '在访问哈萨克斯坦的会谈时' gives no city.
_ASKS_CITY = re.compile(_WHICH + r"city\b|哪(?:一|个|一个|座|一座)?(?:城市|座城)|什么城市", re.I)
_CITIES = "北京:Beijing 上海:Shanghai 天津 重庆 广州 深圳 杭州 南京 武汉 成都 西安:Xi'an 昆明 南宁 乌鲁木齐 兰州 西宁 银川 \
呼和浩特 哈尔滨 长春 沈阳 大连 青岛 厦门 福州 郑州 长沙 南昌 合肥 济南 石家庄 太原 贵阳 拉萨 海口 义乌:Yiwu 霍尔果斯:Khorgos \
喀什 满洲里 二连浩特 连云港 钦州 香港 澳门 撒马尔罕:Samarkand 撒马尔汉:Samarkand 塔什干:Tashkent 阿斯塔纳:Astana \
阿拉木图:Almaty 比什凯克:Bishkek 杜尚别:Dushanbe 阿什哈巴德:Ashgabat 莫斯科:Moscow 伊斯坦布尔:Istanbul 德黑兰 \
伊斯兰堡:Islamabad 瓜达尔:Gwadar 雅加达:Jakarta 万象:Vientiane 金边 曼谷 河内 新加坡:Singapore 吉隆坡 达卡 科伦坡 \
迪拜:Dubai 开罗:Cairo 内罗毕:Nairobi 蒙巴萨:Mombasa 亚的斯亚贝巴 吉布提:Djibouti 比雷埃夫斯:Piraeus \
贝尔格莱德:Belgrade 布达佩斯:Budapest 华沙 杜伊斯堡:Duisburg 汉堡:Hamburg 鹿特丹:Rotterdam 马德里:Madrid 巴黎:Paris \
伦敦:London 柏林:Berlin 罗马:Rome 东京:Tokyo 首尔:Seoul 纽约 华盛顿"
# A city named as one ('义乌市'), but not the common nouns 市场, 市民, 市值…
_CITY_SUFFIX = r"[\u4e00-\u9fff]{2,4}市(?!场|民|值|区|中心|政)"

# 'Which country…', '与哪个国家': a country by name. A region ('中亚') or a count ('150多个国家')
# does not answer, nor does '我国', the paper's own 'our country'.
_ASKS_COUNTRY = re.compile(_WHICH + r"(?:country|countries|nations?)\b|哪(?:个|些|一个|几个)?国家|哪国(?!际)", re.I)
_COUNTRIES = "中国:China 美国 日本:Japan 韩国:Korea 朝鲜 蒙古:Mongolia 俄罗斯:Russia 印度:India 巴基斯坦:Pakistan \
孟加拉国:Bangladesh 斯里兰卡:Sri_Lanka 尼泊尔:Nepal 马尔代夫 阿富汗:Afghanistan 伊朗:Iran 伊拉克:Iraq 叙利亚 土耳其:Turkey \
土耳其:Türkiye 沙特阿拉伯:Saudi_Arabia 沙特 阿联酋:UAE 卡塔尔:Qatar 科威特 阿曼 也门 约旦 以色列 巴勒斯坦 黎巴嫩 埃及:Egypt \
哈萨克斯坦:Kazakhstan 乌兹别克斯坦:Uzbekistan 吉尔吉斯斯坦:Kyrgyzstan 塔吉克斯坦:Tajikistan 土库曼斯坦:Turkmenistan 阿塞拜疆 \
格鲁吉亚 亚美尼亚 越南:Vietnam 老挝:Laos 柬埔寨:Cambodia 泰国:Thailand 缅甸:Myanmar 马来西亚:Malaysia 新加坡:Singapore \
印度尼西亚:Indonesia 印尼:Indonesia 菲律宾:Philippines 文莱 东帝汶 澳大利亚:Australia 新西兰:New_Zealand 斐济 \
巴布亚新几内亚 英国:United_Kingdom 英国:Britain 法国:France 德国:Germany 意大利:Italy 西班牙:Spain 葡萄牙:Portugal \
希腊:Greece 荷兰:Netherlands 比利时 瑞士 奥地利 波兰:Poland 捷克 斯洛伐克 匈牙利:Hungary 罗马尼亚 保加利亚 \
塞尔维亚:Serbia 克罗地亚 黑山 阿尔巴尼亚 北马其顿 白俄罗斯:Belarus 乌克兰:Ukraine 立陶宛 拉脱维亚 爱沙尼亚 芬兰 瑞典 挪威 \
丹麦 冰岛 爱尔兰 卢森堡 马耳他 塞浦路斯 加拿大:Canada 墨西哥:Mexico 古巴 巴西:Brazil 阿根廷:Argentina 智利:Chile 秘鲁:Peru \
哥伦比亚 委内瑞拉 厄瓜多尔 玻利维亚 乌拉圭 巴拉圭 巴拿马 哥斯达黎加 尼加拉瓜 南非:South_Africa 尼日利亚:Nigeria \
埃塞俄比亚:Ethiopia 肯尼亚:Kenya 坦桑尼亚:Tanzania 乌干达 卢旺达 赞比亚:Zambia 津巴布韦 安哥拉:Angola 莫桑比克 马达加斯加 \
刚果 加纳 科特迪瓦 塞内加尔 喀麦隆 苏丹 南苏丹 阿尔及利亚:Algeria 摩洛哥:Morocco 突尼斯 利比亚 吉布提:Djibouti 索马里 \
纳米比亚 博茨瓦纳 马里 尼日尔 乍得 几内亚 加蓬 美国:United_States"

# A question that names China asks of its partners: 'which country did China…' is not
# answered by '中国'.
_CHINA = re.compile(r"\bChina\b|\bChinese\b|中国")


def _gazetteer(entries: str, *patterns: str) -> tuple[re.Pattern, dict[str, str]]:
    """A pattern for every name in ``entries`` ('中文:English', '_' for a space) and the
    patterns given, and each English name's Chinese form, so that 'Kazakhstan' in a question
    and '哈萨克斯坦' in the evidence are the same place."""
    chinese = {}
    for entry in entries.split():
        zh, _, en = entry.partition(":")
        chinese.setdefault(zh, zh)
        if en:
            chinese.setdefault(en.replace("_", " "), zh)
    names = sorted(chinese, key=len, reverse=True)
    alternatives = [re.escape(n) if re.search(r"[\u4e00-\u9fff]", n) else rf"\b{re.escape(n)}\b" for n in names]
    return re.compile("|".join([*alternatives, *patterns])), chinese


_KINDS = {"province": (_ASKS_PROVINCE, (_PROVINCES, {})), "city": (_ASKS_CITY, _gazetteer(_CITIES, _CITY_SUFFIX)),
          "country": (_ASKS_COUNTRY, _gazetteer(_COUNTRIES))}


def place_missing(question: str, evidence: list[str]) -> str | None:
    """The kind of place a question asks for ('province', 'city', 'country') when no evidence
    sentence names one beyond those the question names.

    >>> place_missing("平陆运河位于哪个省份？", ["平陆运河建设已经到了最后阶段。"])
    'province'
    >>> place_missing("2022年9月习近平在哈萨克斯坦的哪个城市会谈？", ["2022年9月14日习近平主席在访问哈萨克斯坦的会谈时强调。"])
    'city'
    >>> place_missing("Which country did the author visit in 2024?", ["2013年到2024年，我国与沿线国家双向投资累计将近4000亿美元。"])
    'country'
    >>> place_missing("In which city did Xi attend the symposium?", ["习近平在北京出席第四次座谈会。"]) is None
    True
    >>> place_missing("2022年9月习近平主席访问了哪个国家？", ["2022年9月14日习近平主席在访问哈萨克斯坦的会谈时强调。"]) is None
    True
    """
    for kind, (asks, (names, chinese)) in _KINDS.items():
        if not asks.search(question):
            continue
        named = {chinese.get(m.group(), m.group()) for m in names.finditer(question)}
        if kind == "country" and _CHINA.search(question):
            named.add("中国")
        if not any(chinese.get(m.group(), m.group()) not in named for e in evidence for m in names.finditer(e)):
            return kind
    return None
