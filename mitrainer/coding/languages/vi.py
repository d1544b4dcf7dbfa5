"""Reading Vietnamese for the coder: one form for text typed with or without diacritics.

Trainees often type on phones without diacritics ("anh co muon bot khong?") or in
shorthand ("ko", "dc", "j", "vs"). Every line is read in its *plain* form — lower case,
tone and vowel marks removed, đ → d, shorthand spelt out — so that "Anh có muốn bớt
không?" and "a co muon bot ko" share their features; the *marked* syllables are kept as
well where the line has them, because some plain forms are ambiguous ("nên" should /
"nến" candle, "à?" asking / "ạ" polite).

:data:`CUES` are the unmistakable signs of a behaviour in Vietnamese, over the plain
form: question particles and words, reflection frames, advice, asking permission,
handing over the choice, naming a strength versus bare praise. The linear heads see them
as features, and :mod:`mitrainer.coding.languages.decode` applies the few that decide a
code outright after the model.
"""

from __future__ import annotations

import re
import unicodedata

LANGUAGE = "vi"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PLAIN_TOKEN = re.compile(r"[a-z0-9]+|[?!.,;:]")
_MARKED_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# Letters only Vietnamese writes (with the shared ones: à á â ã è é ê ì í ò ó ô õ ù ú ý).
MARKED_LETTERS = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]")

# Phone shorthand, spelt out in the plain form ("ko dc" → "khong duoc").
SHORTHAND = {
    "ko": "khong", "k": "khong", "kh": "khong", "khg": "khong", "kg": "khong", "hok": "khong",
    "hong": "khong", "hem": "khong", "dc": "duoc", "dk": "duoc", "duoc": "duoc", "j": "gi",
    "vs": "voi", "r": "roi", "rui": "roi", "ns": "noi", "bt": "biet", "mk": "minh", "mik": "minh",
    "cx": "cung", "cg": "cung", "ntn": "nhu the nao", "bh": "bao gio", "bgio": "bao gio",
    "wa": "qua", "t": "toi", "e": "em", "uh": "u", "uhm": "u", "um": "u", "oki": "ok", "oke": "ok",
    "vk": "vo", "ck": "chong", "ng": "nguoi", "nc": "nuoc", "h": "gio", "tg": "thoi gian",
}

# Pronouns a counsellor uses for the client (and "mình", the shared "we/you"); "cô" is left
# out: its plain form "co" is the far commoner "có".
YOU = r"(anh|chi|em|chu|bac|ong|ba|ban|con|chau|minh)"
# The pronouns of address in plain form ("cô" left out, as above) and the one they share in
# the features that make them one.
ADDRESS = frozenset("anh chi em chu bac ong ba ban chau con minh".split())
PRONOUN = "_ban_"
# Words that carry no content for overlap (a reflection reuses the client's content words).
STOPWORDS = frozenset(
    "toi anh chi em chu co bac ong ba ban con chau minh no ho la thi ma va voi cua cho de "
    "khong chua da dang se van cung rat lam qua roi nua nhe a u vang oi the vay nay do "
    "kia ay nhung neu vi nen duoc bi o tu den ra vao len xuong lai di ve mot cac gi nao "
    "sao hay hon nhat thoi moi luc khi".split())

_SENTENCE = re.compile(r"(?<=[.?!])\s+")


def normalize(text: str, limit: int) -> str:
    """NFC, lower case, quotes straightened, control characters dropped, spaces squeezed."""
    text = unicodedata.normalize("NFC", text[:limit])
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = _CONTROL.sub(" ", text)
    return " ".join(text.lower().split())


def strip_marks(text: str) -> str:
    """The text without tone and vowel marks, đ → d ("Không được" → "khong duoc")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def has_marks(text: str) -> bool:
    """Whether the text is typed with Vietnamese diacritics."""
    return bool(MARKED_LETTERS.search(text.lower()))


def plain_tokens(text: str, limit: int = 1500) -> list[str]:
    """Syllables of the plain form (shorthand spelt out) and the marks . , ; : ? !"""
    out: list[str] = []
    for tok in _PLAIN_TOKEN.findall(strip_marks(normalize(text, limit))):
        out.extend(SHORTHAND.get(tok, tok).split())
    return out


def marked_tokens(text: str, limit: int = 1500) -> list[str]:
    """Syllables as typed, with their diacritics ([] for a line typed without them)."""
    norm = normalize(text, limit)
    return _MARKED_TOKEN.findall(norm) if has_marks(norm) else []


def plain(text: str, limit: int = 1500) -> str:
    """The plain form as one string, marks spaced: "anh co muon bot khong ?"."""
    return " ".join(plain_tokens(text, limit))


def sentences(text: str, limit: int = 1500) -> list[str]:
    """The sentences of a line, split after . ? and !"""
    return [s for s in _SENTENCE.split(normalize(text, limit)) if s]


def content(tokens: list[str]) -> set[str]:
    """Content syllables and syllable pairs (what a reflection reuses from the client)."""
    words = [t for t in tokens if t[0].isalnum()]
    singles = {t for t in words if t not in STOPWORDS and len(t) > 1}
    pairs = {f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if a not in STOPWORDS or b not in STOPWORDS}
    return singles | pairs


# Contrast words: a double-sided reflection counts by the side after the last of them.
# ("mà" but not "ma túy", the drug; "còn" is left out: its plain form is also "con", child.)
CONTRAST = re.compile(r"\b(nhung|ma(?! tuy)|tuy vay|tuy nhien|vay ma|the ma|mat khac|dong thoi)\b")


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Cues over the plain form (tokens joined by spaces). Names are stable: the model file's
# features are hashed from them.
CUES: dict[str, re.Pattern[str]] = {
    # Questions: a closing particle ("... không?", "... chưa?", "... à?", "có phải ... không")
    # or a question word ("gì", "sao", "thế nào", "bao giờ"...).
    "q_mark": _rx(r"\?"),
    # (The particle may be followed by the pronoun of address: "... không anh?", "... chưa chị?")
    "q_particle_end": _rx(r"\b(khong|chua|ha|phai khong|dung khong|hay khong|co phai khong|nhi|chu)( " + YOU
                          + r")?( a)?( \?| \.)?$",
                          r"\b(khong|chua|ha|phai khong|dung khong|hay khong)( " + YOU + r")?( a)? \?"),
    "q_co_khong": _rx(r"\bco\b(?:(?! [.!] ).){0,80}\b(khong|chua)\b( " + YOU + r")?( a)?( \?)?( [.!]|$)",
                      r"\bco phai\b"),
    "q_open_word": _rx(r"\b(gi|the nao|nhu the nao|ra sao|tai sao|vi sao|lam sao|sao|nhu nao|dieu gi|"
                       r"nhung gi|cach nao|kieu gi|y nghia gi)\b"),
    "q_fact_word": _rx(r"\b(bao gio|khi nao|bao nhieu|bao lau|may (lan|ngay|gio|nam|thang|tuan|nguoi|buoi|lieu|"
                       r"cai|con|lon|chai|ly|coc|vien|dieu)|o dau|tu dau|di dau|(luc|hom|ngay) nao|ai)\b"),
    "q_tell_me": _rx(r"^(ke|noi|chia se|mo ta) (cho|them|voi) (em|chi|toi|minh|co|chu)\b",
                     r"\b(ke|noi) (them|ro hon) (cho|ve)\b"),
    # Reflection frames: "Nghe như", "Có vẻ như", "Anh cảm thấy", "Với anh, ...".
    "r_frame": _rx(r"^(nghe nhu|nghe chung|co ve|hinh nhu|duong nhu|vay la|the la|tuc la|nghia la|y "
                   + YOU + r" la)\b",
                   r"\b(nghe nhu|co ve nhu|co ve|hinh nhu|duong nhu)\b",
                   r"^(vay|the|nhu vay|nhu the),? " + YOU + r"\b"),
    "r_you_feel": _rx(r"^" + YOU + r" (cam thay|thay|dang|van|lo|so|muon|mong|ngai|chan|met|buon|tiec|thuong|"
                      r"biet|hieu|khong muon|chua muon|vua|that su|rat|thuc su|da)\b"),
    "r_for_you": _rx(r"\b(voi|doi voi|trong mat) " + YOU + r" ,", r"\bmot (mat|phan)\b", r"\bvua .{2,40} vua\b",
                     r"\bmat khac\b", r"\bphan nao\b", r"\bgiong nhu\b"),
    "summary": _rx(r"\b(tom lai|tom tat|nhin lai|diem lai|nhac lai|ghep lai|xem lai (nhung|nhe)|tu nay gio)\b",
                   r"\b(nhung gi|nhung dieu) " + YOU + r" (vua|da) (noi|ke|chia se)\b",
                   r"\b" + YOU + r" (da )?(ke|noi) (la|ve) .{0,80}(, va | roi | va ca )"),
    # Advice and orders: "anh nên", "chị phải", "tốt nhất là", "đừng", "hãy".
    "advice": _rx(r"\b" + YOU + r" (nen|phai|can phai|buoc phai|nhat dinh phai|dung|cu viec|hay)\b",
                  r"\b(sao|tai sao) " + YOU + r" khong (thu|di|lam|nghi|tim)\b",
                  r"\b(tot nhat (la|nen|anh|chi|em)|nhat dinh (phai|khong)|khong duoc|phai .{1,30} ngay|"
                  r"cang som cang tot|ngay (lap tuc|tu bay gio|hom nay))\b"),
    # Asking permission: "được không?", "cho phép", "anh có muốn nghe...".
    "permission": _rx(r"\b(chia se|noi|goi y|ke|dua ra|cung cap|bo sung|them) .{0,60}\b(duoc khong|nhe|khong)( " + YOU
                      + r")?( a)?( \?|$)",
                      r"\bcho phep\b",
                      r"\b" + YOU + r" co muon (nghe|biet|em|chi|toi|minh)\b",
                      r"\bco (dong y|phien|ngai) .{0,30} khong\b"),
    # Offering a suggestion ("nhiều người…", "em gợi ý…", "anh có thể thử…").
    "suggest": _rx(r"\b(goi y|de xuat|de nghi|co the thu|thu (xem|nhe)|nhieu (nguoi|anh|chi|gia dinh)|"
                   r"mot so (nguoi|anh|chi|ban)|co (nguoi|ban|anh|chi) (thay|noi|lam)|mot cach (la|nua)|"
                   r"co (mot|vai) cach|em nghi (anh|chi|em|minh) co the|neu (la )?em (thi|la))\b"),
    "collaborate": _rx(r"\b(minh cung|cung nhau|cung (nghi|ban|tim|xem|len)|hai (anh em|chi em|co chau|ba chau|ben) "
                       r"(minh )?cung)\b",
                       r"\b(theo|y) " + YOU + r"\b", r"\b" + YOU + r" (thay|nghi) (sao|the nao)( \?|$)",
                       r"\b" + YOU + r" muon (minh|bat dau|noi|ban)\b"),
    # Handing over the choice: "quyết định là của anh", "tùy anh", "anh là người quyết".
    "autonomy": _rx(r"\b(quyet dinh|lua chon|quyen) (la |van la |o |nam o |thuoc ve )?(cua )?" + YOU + r"\b",
                    r"\btuy (anh|chi|em|chu|co|bac|ong|ba|ban|con|chau)\b",
                    r"\b" + YOU + r" (la nguoi|tu|moi la nguoi) (quyet|chon|quyet dinh|lua chon)\b",
                    r"\b" + YOU + r" (co quyen|quyet dinh|quyet|chon|hieu .{1,30} nhat|biet .{1,30} nhat)\b",
                    r"\bkhong ai (co the )?(quyet|chon|bat|lam) (thay|duoc)\b", r"\bkhong phai quyet ngay\b",
                    r"\bla do " + YOU + r"\b"),
    # An affirmation names a strength or an effort; praise alone ("Giỏi lắm!") grades.
    "strength": _rx(r"\b(can dam|dung cam|kien tri|ben bi|ban linh|quyet tam|no luc|co gang|nghiem tuc|manh me|"
                    r"tan tuy|trach nhiem|thang than|chan thanh|kien nhan|tu te|suc manh|dieu do can|cho thay|"
                    r"chung to|dang quy|tran trong|cong suc|khong de|it ai|khong phai ai cung|biet cach|"
                    r"noi duoc lam duoc|thuong .{1,20} lam|tinh thuong)\b"),
    "praise": _rx(r"\b(gioi (lam|qua|that)|tot (qua|lam|roi)|hay (qua|lam)|tuyet( voi| qua)?|xuat sac|hoan ho|"
                  r"dinh (qua|that)|rat tot|chuc mung|lam tot lam)\b"),
    # Confronting: labels, blame, disbelief, sarcasm.
    "confront": _rx(r"\b(noi doi|bao bien|tu lua|do loi|do tai|do cho|lan nao cung|chang bao gio|ai ma tin|"
                    r"ai chang biet|nguoi nghien|sieu nhan|co gi ma|chinh kien|xem lai minh|tu lam kho|"
                    r"lam nhu|dung co|vo trach nhiem|lai (quen|the|vay)|y nhu|dau oc|bao nhieu lan roi|"
                    r"(ma|con) (" + YOU + r" )?(goi|bao|noi) la|(gi|cai gi) ma\b|chu con gi|co bao gio)\b",
                    r"^(\S+ ){0,3}(gi|cai gi) ,"),
    "greeting": _rx(r"^(chao|xin chao|tam biet|hen gap|cam on|moi " + YOU + r" ngoi|" + YOU + r" ngoi)\b",
                    r"^(u|vang|da|ok|u hu|vang a|da vang|khong sao)( [.!,])*$"),
    "info": _rx(r"\b(theo (khuyen cao|quy dinh|nghien cuu)|nghien cuu|thong thuong|thuong (thi|la|mat|se)|"
                r"co nghia|mien phi|thu tuc|ho so|tac dung phu|bao hiem|khoang \S+)\b",
                r"\b\d+\b"),
}


def cue_names(text: str, limit: int = 1500) -> list[str]:
    """The names of the cues in ``text`` (its plain form)."""
    flat = plain(text, limit)
    return [name for name, rx in CUES.items() if rx.search(flat)]


def tail(tokens: list[str]) -> list[str]:
    """The part of a line after its last contrast word ("..., nhưng anh muốn bớt" → "anh muốn bớt")."""
    flat = " ".join(tokens)
    last = None
    for m in CONTRAST.finditer(flat):
        last = m
    if last is None or last.end() >= len(flat) - 1:
        return []
    return flat[last.end():].split()


# Where a client's line turns from one side to the other: the contrast words, and the
# concessive ones ("dù", "mặc dù", "tuy", "có điều", "chỉ sợ"; not the "túy" of "ma túy").
_TURN = re.compile(r"\b(nhung|ma(?! tuy)|tuy vay|tuy nhien|vay ma|the ma|mat khac|dong thoi|mac du|du|(?<!ma )tuy|"
                   r"chi co dieu|co dieu|chi so)\b")


def clauses(tokens: list[str]) -> list[list[str]]:
    """A line's parts, split at sentence ends and where it turns ("uống thì đỡ, nhưng mệt" → 2)."""
    parts: list[list[str]] = [[]]
    flat = " ".join(tokens)
    turns = {m.start() for m in _TURN.finditer(flat)}
    at = 0
    for token in tokens:
        if at in turns and parts[-1]:
            parts.append([])
        if token in (".", "?", "!", ";"):
            if parts[-1]:
                parts.append([])
        else:
            parts[-1].append(token)
        at += len(token) + 1
    return [p for p in parts if any(t[0].isalnum() for t in p)]
