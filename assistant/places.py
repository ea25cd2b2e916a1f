"""Places a question asks for by kind ('which province', 'which city', 'which country'), and
whether its evidence names one.

A plausible unanswerable question often finds the sentence about the right event and asks
where it happened: '2022年9月习近平在哈萨克斯坦的哪个城市会谈？' over a sentence that names
only the country. Each kind is a pattern for the question and a gazetteer for the evidence;
a place the question names itself does not count as found.
"""

from __future__ import annotations

import re

# 'Which province…', '位于哪个省份': one of China's provincial-level divisions.
_ASKS_PROVINCE = re.compile(r"\bwhich (?:chinese |inland |coastal )?(?:province|region)s?\b|\bin what province\b|"
                            r"哪(?:个|一个|些|几个)?[\u4e00-\u9fff]{0,2}(?:省|自治区)", re.I)
_PROVINCES = re.compile(r"北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|"
                        r"海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|"
                        r"[\u4e00-\u9fff]{2,3}(?:省|自治区)")

# 'Which city…', '在哪座城市': a city, named as one ('义乌市') or known by name. Countries and
# provinces do not answer: '在访问哈萨克斯坦的会谈时' gives no city.
_ASKS_CITY = re.compile(r"\b(?:which|what) (?:[A-Z]\w+ ){0,2}city\b|哪(?:一|个|一个|座|一座)?(?:城市|座城)|什么城市",
                        re.I)
_CITIES = re.compile(
    r"[\u4e00-\u9fff]{2,4}市(?!场|民|值|区|中心|政)|"
    r"北京|上海|天津|重庆|广州|深圳|杭州|南京|武汉|成都|西安|昆明|南宁|乌鲁木齐|兰州|西宁|银川|呼和浩特|哈尔滨|长春|沈阳|大连|"
    r"青岛|厦门|福州|郑州|长沙|南昌|合肥|济南|石家庄|太原|贵阳|拉萨|海口|义乌|霍尔果斯|喀什|满洲里|二连浩特|连云港|钦州|"
    r"香港|澳门|撒马尔[罕汉]|塔什干|阿斯塔纳|阿拉木图|比什凯克|杜尚别|阿什哈巴德|莫斯科|伊斯坦布尔|德黑兰|伊斯兰堡|瓜达尔|"
    r"雅加达|万象|金边|曼谷|河内|新加坡|吉隆坡|达卡|科伦坡|迪拜|开罗|内罗毕|蒙巴萨|亚的斯亚贝巴|吉布提|比雷埃夫斯|"
    r"贝尔格莱德|布达佩斯|华沙|杜伊斯堡|汉堡|鹿特丹|马德里|巴黎|伦敦|柏林|罗马|东京|首尔|纽约|华盛顿|"
    r"\b(?:Beijing|Shanghai|Xi'an|Yiwu|Khorgos|Samarkand|Tashkent|Astana|Almaty|Bishkek|Dushanbe|Ashgabat|Moscow|"
    r"Istanbul|Jakarta|Vientiane|Piraeus|Belgrade|Budapest|Duisburg|Hamburg|Rotterdam|Madrid|Paris|London|Berlin|"
    r"Rome|Tokyo|Seoul|Singapore|Nairobi|Mombasa|Djibouti|Gwadar|Islamabad|Cairo|Dubai)\b")

# 'Which country…', '与哪个国家': a country by name. A region ('中亚') or a count ('150多个国家')
# does not answer, nor does '我国', the paper's own 'our country'.
_ASKS_COUNTRY = re.compile(r"\b(?:which|what) (?:[A-Za-z]+ ){0,2}(?:country|countries|nations?)\b|"
                           r"哪(?:个|些|一个|几个)?国(?:家)?", re.I)
_COUNTRIES = re.compile(
    r"中国|美国|日本|韩国|朝鲜|蒙古|俄罗斯|印度|巴基斯坦|孟加拉国|斯里兰卡|尼泊尔|马尔代夫|阿富汗|伊朗|伊拉克|叙利亚|"
    r"土耳其|沙特阿拉伯|沙特|阿联酋|卡塔尔|科威特|阿曼|也门|约旦|以色列|巴勒斯坦|黎巴嫩|埃及|哈萨克斯坦|乌兹别克斯坦|"
    r"吉尔吉斯斯坦|塔吉克斯坦|土库曼斯坦|阿塞拜疆|格鲁吉亚|亚美尼亚|越南|老挝|柬埔寨|泰国|缅甸|马来西亚|新加坡|印度尼西亚|"
    r"印尼|菲律宾|文莱|东帝汶|澳大利亚|新西兰|斐济|巴布亚新几内亚|英国|法国|德国|意大利|西班牙|葡萄牙|希腊|荷兰|比利时|"
    r"瑞士|奥地利|波兰|捷克|斯洛伐克|匈牙利|罗马尼亚|保加利亚|塞尔维亚|克罗地亚|黑山|阿尔巴尼亚|北马其顿|白俄罗斯|乌克兰|"
    r"立陶宛|拉脱维亚|爱沙尼亚|芬兰|瑞典|挪威|丹麦|冰岛|爱尔兰|卢森堡|马耳他|塞浦路斯|加拿大|墨西哥|古巴|巴西|阿根廷|智利|"
    r"秘鲁|哥伦比亚|委内瑞拉|厄瓜多尔|玻利维亚|乌拉圭|巴拉圭|巴拿马|哥斯达黎加|尼加拉瓜|南非|尼日利亚|埃塞俄比亚|肯尼亚|"
    r"坦桑尼亚|乌干达|卢旺达|赞比亚|津巴布韦|安哥拉|莫桑比克|马达加斯加|刚果|加纳|科特迪瓦|塞内加尔|喀麦隆|苏丹|南苏丹|"
    r"阿尔及利亚|摩洛哥|突尼斯|利比亚|吉布提|索马里|纳米比亚|博茨瓦纳|马里|尼日尔|乍得|几内亚|加蓬|"
    r"\b(?:China|United States|Japan|Korea|Mongolia|Russia|India|Pakistan|Bangladesh|Sri Lanka|Nepal|Afghanistan|Iran|"
    r"Iraq|Turkey|Türkiye|Saudi Arabia|UAE|Qatar|Egypt|Kazakhstan|Uzbekistan|Kyrgyzstan|Tajikistan|Turkmenistan|"
    r"Vietnam|Laos|Cambodia|Thailand|Myanmar|Malaysia|Singapore|Indonesia|Philippines|Australia|New Zealand|"
    r"United Kingdom|Britain|France|Germany|Italy|Spain|Portugal|Greece|Netherlands|Poland|Hungary|Serbia|Belarus|"
    r"Ukraine|Canada|Mexico|Brazil|Argentina|Chile|Peru|South Africa|Nigeria|Ethiopia|Kenya|Tanzania|Zambia|"
    r"Angola|Algeria|Morocco|Djibouti)\b")

# A question that names China asks of its partners: 'which country did China…' is not
# answered by '中国'.
_CHINA = re.compile(r"\bChina\b|\bChinese\b|中国")

_KINDS = {"province": (_ASKS_PROVINCE, _PROVINCES), "city": (_ASKS_CITY, _CITIES),
          "country": (_ASKS_COUNTRY, _COUNTRIES)}


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
    for kind, (asks, names) in _KINDS.items():
        if not asks.search(question):
            continue
        named = {m.group() for m in names.finditer(question)}
        if kind == "country" and _CHINA.search(question):
            named.add("中国")
        if not any(m.group() not in named for e in evidence for m in names.finditer(e)):
            return kind
    return None
