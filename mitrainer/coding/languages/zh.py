"""Reading Simplified Chinese for the coder: one form with full- or half-width punctuation.

Trainees type "你觉得呢？" and "你觉得呢?" alike; NFKC folds full-width punctuation, letters
and digits into their half-width forms, so both read the same. The coder is trained on
Simplified Chinese; a line in Traditional characters is mapped character by character
through a small table of common characters (:data:`TRADITIONAL`, 437) — enough for
everyday counselling talk, not a converter (no word-level variants).

:data:`CUES` are the unmistakable signs of a behaviour in Chinese: question particles and
words (吗 呢 吧 什么 怎么 为什么 是不是 有没有 能不能), reflection frames (听起来 你好像 你觉得…
看来), advice (应该 必须 最好 一定要), asking permission (可以…吗 我能不能说说), handing over the
choice (你自己决定 由你决定), naming a strength versus bare praise (真棒).
"""

from __future__ import annotations

import re
import unicodedata

LANGUAGE = "zh"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_UNIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z]+|[0-9]+|[?!.,;:]")
# Chinese punctuation NFKC leaves alone, mapped to the half-width marks the features use.
_PUNCT = str.maketrans({"。": ".", "、": ",", "～": "~", "…": ".", "“": '"', "”": '"', "‘": "'", "’": "'",
                        "「": '"', "」": '"', "『": '"', "』": '"', "《": '"', "》": '"', "—": "-"})

_PAIRS = (
    "們们 說说 這这 個个 麼么 嗎吗 為为 會会 對对 覺觉 聽听 來来 時时 後后 還还 應应 該该 "
    "決决 煙烟 藥药 醫医 讓让 沒没 點点 過过 難难 裡里 樣样 經经 現现 關关 係系 開开 實实 "
    "種种 氣气 錢钱 愛爱 媽妈 兒儿 學学 問问 題题 話话 謝谢 請请 給给 間间 長长 電电 腦脑 "
    "頭头 發发 見见 動动 東东 邊边 與与 無无 幫帮 辦办 變变 讀读 寫写 認认 識识 歡欢 戲戏 "
    "買买 賣卖 車车 機机 場场 飯饭 館馆 慣惯 憂忧 鬱郁 擔担 悶闷 聯联 絡络 護护 紀纪 錄录 "
    "診诊 療疗 斷断 癮瘾 賭赌 傷伤 殺杀 險险 壓压 帶带 婦妇 戀恋 離离 親亲 孫孙 爺爷 遠远 "
    "訴诉 談谈 講讲 議议 論论 許许 試试 誰谁 從从 將将 當当 雖虽 號号 碼码 歲岁 萬万 億亿 "
    "兩两 幾几 總总 結结 歸归 納纳 綜综 準准 備备 習习 單单 雙双 飲饮 處处 顧顾 務务 員员 "
    "區区 衛卫 樂乐 體体 檢检 驗验 報报 銷销 劑剂 燒烧 較较 專专 業业 職职 勞劳 熱热 鬧闹 "
    "煩烦 惱恼 悅悦 傳传 統统 響响 負负 責责 戶户 證证 鄉乡 鎮镇 農农 級级 際际 隨随 陽阳 "
    "陰阴 腎肾 臟脏 膽胆 標标 輕轻 鬆松 緊紧 張张 慮虑 懼惧 憤愤 罵骂 錯错 誤误 確确 態态 "
    "門门 閒闲 聞闻 興兴 願愿 類类 隻只 條条 雜杂 質质 貴贵 費费 資资 賺赚 讚赞 優优 厲厉 "
    "嚴严 獨独 選选 擇择 權权 須须 勵励 勸劝 導导 聲声 語语 詞词 義义 夢梦 夠够 歷历 記记 "
    "憶忆 憐怜 慚惭 羨羡 嘗尝 緣缘 環环 壞坏 爛烂 亂乱 穩稳 靜静 簡简 齡龄 狀状 況况 裝装 "
    "換换 腳脚 臉脸 計计 劃划 畫画 寶宝 貝贝 產产 餵喂 滿满 週周 養养 廳厅 鐘钟 鐵铁 隊队 "
    "輛辆 遷迁 鄰邻 網网 遊游 頻频 視视 線线 績绩 數数 課课 師师 曉晓 補补 爭争 則则 規规 "
    "罰罚 禮礼 顏颜 麵面 湯汤 雞鸡 豬猪 燈灯 書书 筆笔 紙纸 圖图 吶呐 啟启 銀银 貨货 適适 "
    "趕赶 擺摆 麗丽 馬马 魚鱼 鳥鸟 龍龙 紅红 綠绿 藍蓝 黃黄 飛飞 參参 陸陆 華华 國国 廣广 "
    "莊庄 醜丑 兇凶 壯壮 聰聪 團团 圍围 園园 夥伙 奮奋 寧宁 尋寻 屆届 層层 岡冈 島岛 幣币 "
    "幹干 廢废 彎弯 彈弹 徑径 徵征 憑凭 戰战 據据 擁拥 擊击 擠挤 攔拦 敗败 敵敌 暫暂 曆历 "
    "樓楼 橋桥 檔档 歐欧 殘残 淚泪 淨净 減减 測测 溝沟 滅灭 漢汉 潔洁 災灾 煉炼 爐炉 犧牺 "
    "獎奖 瑪玛 異异 盡尽 監监 盤盘 眾众 礙碍 禍祸 積积 築筑 糧粮 約约 純纯 細细 終终 組组 "
    "絕绝 續续 維维 練练 編编 縣县 繼继 罷罢 聖圣 腫肿 膚肤 艱艰 藝艺 蘇苏 虛虚 複复 襯衬 "
    "覽览 觀观 訂订 設设 詳详 誠诚 調调 諒谅 謀谋 謊谎 譽誉 貧贫 販贩 貼贴 賴赖 趨趋 跡迹 "
    "躍跃 軟软 輔辅 輸输 轉转 辭辞 運运 違违 遲迟 鍛锻 鎖锁 閉闭 闖闯 陳陈 隱隐 雲云 靈灵 "
    "韓韩 順顺 預预 領领 顯显 飽饱 騙骗 驚惊 髮发 鬥斗 齊齐 齒齿 ")
TRADITIONAL = {pair[0]: pair[1] for pair in _PAIRS.split()}
_TO_SIMPLIFIED = str.maketrans(TRADITIONAL)

# Characters that carry no content for overlap (a reflection reuses the client's words).
STOPWORDS = frozenset("的了是我你他她它们在有和也都就还很不没这那个吗呢吧啊呀嘛着过得地一么说要会到把被给让对跟")
_SENTENCE = re.compile(r"(?<=[.?!])")


def normalize(text: str, limit: int) -> str:
    """NFKC (full-width punctuation and letters to half-width), Traditional characters mapped to
    Simplified, lower case, control characters dropped, spaces squeezed."""
    text = unicodedata.normalize("NFKC", text[:limit]).translate(_PUNCT).translate(_TO_SIMPLIFIED)
    text = _CONTROL.sub(" ", text)
    return " ".join(text.lower().split())


def tokens(text: str, limit: int = 1500) -> list[str]:
    """Characters (Latin words and numbers whole) and the marks . , ; : ? !"""
    return _UNIT.findall(normalize(text, limit))


def plain(text: str, limit: int = 1500) -> str:
    """The normalised line as one string, without spaces: "你觉得呢?"."""
    return "".join(tokens(text, limit))


def sentences(text: str, limit: int = 1500) -> list[str]:
    """The sentences of a line, split after . ? and ! (full-width ones included)."""
    return [s.strip() for s in _SENTENCE.split(normalize(text, limit)) if s.strip()]


def content(units: list[str]) -> set[str]:
    """Content characters and character pairs (what a reflection reuses from the client)."""
    chars = [u for u in units if u[0].isalnum()]
    singles = {c for c in chars if c not in STOPWORDS}
    pairs = {a + b for a, b in zip(chars, chars[1:], strict=False) if a not in STOPWORDS and b not in STOPWORDS}
    return singles | pairs


# Contrast words: a double-sided reflection counts by the side after the last of them.
CONTRAST = re.compile(r"但是|可是|不过|然而|只是|但|却|同时|另一方面|又")


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_YOU = r"(你|您)"
# Cues over the normalised line (no spaces, half-width marks). Names are stable: the model
# file's features are hashed from them.
CUES: dict[str, re.Pattern[str]] = {
    "q_mark": _rx(r"\?"),
    "q_particle_end": _rx(r"[吗么嘛][?.!]?$", r"[吗么][?,]", r"(是吧|对吧|对不对|是不是|好吗|行吗)[?.!]?$"),
    "q_co_khong": _rx(r"是不是|有没有|能不能|会不会|要不要|可不可以|愿不愿意|想不想|是否|还是.{1,12}\?"),
    "q_open_word": _rx(r"什么|怎么|为什么|怎样|如何|哪些|啥|为啥|咋|什么样|怎么样"),
    "q_fact_word": _rx(r"多少|几[次个天年岁点回杯瓶根包]|多久|多长时间|哪里|哪儿|哪个|谁|什么时候|哪天|何时"),
    "q_tell_me": _rx(r"(说说|讲讲|谈谈|聊聊|多说一些|多讲一些|能说一下|描述一下)"),
    "r_frame": _rx(r"^(听起来|听上去|看来|看起来|好像|似乎|感觉上|也就是说|你的意思是|所以你|这么说)",
                   r"听起来|听上去|你好像|你似乎|看得出来你|看来你"),
    "r_you_feel": _rx(r"^" + _YOU + r"(觉得|感到|感觉|担心|害怕|希望|想|很|一直|其实|心里|既|又|还是|已经|挺|有点|不想|不太)"),
    "r_for_you": _rx(r"对" + _YOU + r"来说|在" + _YOU + r"看来|一方面|另一方面|一边.{1,20}一边|既.{1,20}又|"
                     r"一部分的?你|某种程度上|就像|好比"),
    "summary": _rx(r"总结|归纳|梳理|回顾一下|整理一下|听下来|我来理一理|到目前为止|刚才(你)?(说|提|讲)了|"
                   r"你(刚才)?(提到|说到|讲到)了?.{0,40}(还有|也|以及|另外)"),
    "advice": _rx(r"应该|应当|必须|最好|一定要|务必|赶紧|赶快|马上|千万|得(赶|马上|去|把)|" + _YOU + r"要|"
                  r"不要|别再|不能再|听我的|你就(去|把|直接|说)|就得|你得|建议你|"
                  r"(为什么|怎么|干嘛|何不)不(试试|去|找|用|考虑|换)"),
    "permission": _rx(r"(我|咱)(可以|能|能不能|可不可以).{0,20}(说说|谈谈|讲讲|分享|提|给你|补充|建议|介绍).{0,20}(吗|\?)",
                      r"(可以|能)(跟|和|给)你(说说|讲讲|分享|提|介绍).{0,20}(吗|\?)",
                      r"(想不想|愿不愿意|要不要)(听|了解|知道)",
                      r"(讲讲|说说|介绍|分享|聊聊|问你).{0,14}(可以吗|好吗|行吗|可不可以|行不行)",
                      r"你(想|愿意)(听听|听一听|了解一下)", r"我(能|可以)问你",
                      r"介意(我|听)|允许我|同意的话"),
    # Offering a suggestion ("有些人会…", "我建议…", "可以试试"): advice with or without permission.
    "suggest": _rx(r"建议|可以试试|试一试|试着|有些人|很多人|不少人|有人(会|觉得)|有个办法|一个办法|我的看法|"
                   r"我想你可以|你可以(试|考虑|先)|也许可以|不妨|比如"),
    "collaborate": _rx(r"(我们|咱们)(一起|来|先|可以)", r"一起(想|看|商量|讨论|找)", r"(你觉得|你看)(呢|怎么样|如何)\??$",
                       r"你想(从|先)", r"你(希望|想)我们"),
    "autonomy": _rx(r"(你|您)自己(决定|选|做主|拿主意|说了算|来定)|由" + _YOU + r"(来)?(决定|选择)|"
                    r"决定权在" + _YOU + r"|" + _YOU + r"说了算|" + _YOU + r"的选择|选择权|取决于" + _YOU + r"|"
                    r"看" + _YOU + r"自己|" + _YOU + r"(最|比谁都)(了解|清楚)|没有人能替" + _YOU + r"|" + _YOU
                    + r"(有权|可以自己)|这是" + _YOU + r"的(事|决定|生活)|不用马上决定|" + _YOU + r"来决定"),
    "strength": _rx(r"不容易|勇气|勇敢|坚持|用心|努力|了不起|担当|说明你|看得出你|可见你|负责|毅力|决心|"
                    r"在乎|珍惜|韧性|付出|很有办法|真心|认真|难得|很拼|力量|诚实|坦诚|说话算话|会想办法|"
                    r"你是(个|一个)?.{0,8}的人|你(知道|懂得)(怎么|如何)|下了?功夫|站了出来|很少有人"),
    "praise": _rx(r"真棒|太棒|好棒|很棒|太好了|很好|好样的|厉害|优秀|不错|干得好|做得好|加油|赞|很乖|真乖"),
    "confront": _rx(r"借口|狡辩|骗|自欺欺人|你总是|每次都|又来了|怎么可能|难道|你以为|还好意思|明明|别找|活该|"
                    r"推卸|怪别人|不负责任|不就是|有什么用|说了多少次|自找的|谁信|早就|瘾君子|酒鬼|没出息|"
                    r"也太.{0,8}了|还(说|叫|算|想瞒)|你到底|说到底|那还.{0,6}什么|怎么就你|有资格|怎么能有|"
                    r"你就是|还不是你|别老拿|白来|不懂事|自私|娇气|矫情|三分钟热度|不上心|不当回事|挑三拣四"),
    "greeting": _rx(r"^(你好|您好|请坐|再见|谢谢|欢迎|下次见|早上好|下午好|来了啊|坐吧|先喝)",
                    r"^(嗯|好的|好|是的|对|行|没关系|没事|哦|嗯嗯|明白|了解|稍等)[.!,]*$"),
    "info": _rx(r"研究|一般(来说)?|通常|数据|指南|医保|报销|规定|副作用|会导致|可以帮助|剂量|每天|大约|左右|"
                r"的话,?.{0,10}(会|可能)|[0-9]+"),
}


def cue_names(text: str, limit: int = 1500) -> list[str]:
    """The names of the cues in ``text`` (its normalised form)."""
    flat = plain(text, limit)
    return [name for name, rx in CUES.items() if rx.search(flat)]


def tail(units: list[str]) -> list[str]:
    """The part of a line after its last contrast word ("…，但是你想戒" → "你想戒")."""
    flat = "".join(units)
    last = None
    for m in CONTRAST.finditer(flat):
        last = m
    if last is None or last.end() >= len(flat) - 1:
        return []
    return _UNIT.findall(flat[last.end():])


# Where a client's line turns from one side to the other: the contrast words, and the
# concessive ones (虽然, 就是怕); "可" but not 可以 / 可能.
_TURN = re.compile(r"但是|可是|不过|然而|只是|但|却|另一方面|虽然|尽管|就是|就怕|可(?![以能])")


def clauses(units: list[str]) -> list[list[str]]:
    """A line's parts, split at sentence ends and where it turns ("喝了睡得着，可是手抖" → 2)."""
    parts: list[list[str]] = [[]]
    flat = "".join(units)
    turns = {m.start() for m in _TURN.finditer(flat)}
    at = 0
    for unit in units:
        if at in turns and parts[-1]:
            parts.append([])
        if unit in (".", "?", "!", ";"):
            if parts[-1]:
                parts.append([])
        else:
            parts[-1].append(unit)
        at += len(unit)
    return [p for p in parts if any(u[0].isalnum() for u in p)]
