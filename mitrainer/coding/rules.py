"""A rule-based coder: keyword and first-word rules, no model file.

It is the fallback when the trained model cannot be loaded and the fixed, deterministic
coder the engine tests use. It codes the obvious cases sensibly (open vs closed
questions by their first words, "it sounds like / so you…" reflections, asking
permission, "you should" persuasion, "it's up to you" autonomy, "you're just making
excuses" confrontation, "you've worked hard" affirmation) and marks everything else
uncertain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mitrainer.codes import SkillCode, Speaker, Subtype, TalkType
from mitrainer.coding.base import ClientCoding, ClientSides, CodeScore, ResponseCoding, Utterance
from mitrainer.coding.features import content_words, normalize, tokens
from mitrainer.coding.reasons import Unreadable, reason_text


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


OPEN_START = _rx(r"^(what|how|why|where|when|who|which|tell me|describe|help me understand|"
                 r"walk me through|in what way|what's|how's)\b")
CLOSED_START = _rx(r"^(do|does|did|is|are|was|were|have|has|had|can|could|will|would|should|shall|"
                   r"may|might|am|isn't|aren't|don't|didn't|won't|wouldn't|haven't)\b")
PERMISSION = _rx(r"\b(would it be (ok|okay|alright|all right) if i|may i (share|tell|offer|suggest)|"
                 r"can i (share|tell you|offer|suggest|give you)|would you like (me to|some information|to hear)|"
                 r"is it (ok|okay|alright) if i|do you mind if i)\b")
ADVICE_AFTER_PERMISSION = _rx(r"\b(some people (find|have found)|one thing that (has )?help|"
                              r"you (might|could) (consider|try|think about)|other people in your situation)\b")
COLLABORATION = _rx(r"\b(what do you think|how does that sound|what would you like to (talk|focus)|"
                    r"where would you like to start|together|we could (look|talk|work)|"
                    r"what ideas do you have|how can i help)\b")
AUTONOMY = _rx(r"\b(it'?s (your|entirely your|really your) (choice|decision|call)|up to you|"
               r"you (get to|can) decide|you'?re the (one|expert|best judge)|only you can|"
               r"whatever you (decide|choose)|you know yourself best|your decision)\b")
# "You must" urges ("you must stop") unless it guesses at the client's experience ("you
# must feel exhausted", "you must have been scared"): that is a reflection. "Why don't you
# tell me about it" invites talk; "why don't you just stop" urges.
_EPISTEMIC = r"(be|feel|have|like|love|know|think|wonder|miss|hate|get|really|sometimes|often|find|worry|wish)\b"
PERSUADE = _rx(r"\b(you (should|need to|have to|ought to|'d better|had better)|"
               rf"you must(?! {_EPISTEMIC})|you (mustn'?t|must not)|you must be (careful|honest|sensible|responsible|strict)|"
               r"you really (should|need|have to)|why don'?t you(?! (tell|talk|say|share|describe|start by|walk me|"
               r"fill me in|give me))|if i were you|"
               r"you'?ve got to|the best thing (for you )?(is|would be)|i (strongly )?(recommend|advise))\b")
# "You must tell him", "you mustn't stop": an order no reflection contains (no AnnoMI
# counsellor line has one), so the coder shows it as persuade whatever the model reads.
COMMAND = _rx(rf"^((so|and|but|look|well|honestly|now),? )?you (must(?! {_EPISTEMIC})|mustn'?t\b|must not\b)")
# A sentence that restates the client's experience ("part of you feels like you have to
# answer to it", "you have to go every day, and it wears you out") is a reflection even
# when it contains "you have to": the obligation is the client's, not the counsellor's advice.
REFLECTIVE_FRAME = _rx(r"\b(feels? like|felt like|feeling like|part of you|(it )?sounds like|it seems|seems like|"
                       r"you'?re saying|you said|you told me|you feel|you'?re feeling|wears? you (out|down)|"
                       r"wore you (out|down)|you'?re (tired|sick|fed up) of|as if you|the way you see it|"
                       r"for you it'?s|you find)\b")
# A guess at the feeling under what the client said ("you must be exhausted", "it must be
# hard", "I wonder if you're tired of it", "I'm guessing you…") is a complex reflection:
# the words look like an order or a musing, the act is a reflection.
GUESSED_FEELING = _rx(r"^(you must (be|feel|have been|have felt)|(it|that|this) must (be|have been|feel)|"
                      r"i wonder if you('?re| are| feel| might be| have (been|felt))|i'?m guessing( that)? (you|it|this|that))\b")
# Confronting (MITI): labelling, disbelief and sarcasm, blaming, shaming, moralising,
# arguing the client out of what they just said.
CONFRONT = _rx(r"\b(making excuses|you'?re (just |clearly |obviously |simply )?(in denial|lying|kidding yourself|"
               r"fooling (yourself|nobody|no one))|fooling (nobody|no one) but yourself|whatever you tell yourself|"
               r"you (obviously|clearly) (don'?t|can'?t|aren'?t)|that'?s (ridiculous|nonsense|not true|no excuse|"
               r"not an excuse|disgraceful|(just |plain )?wrong)|"
               r"you (always|never) (listen|follow|try)|you'?re an (addict|alcoholic)|what were you thinking|"
               r"you don'?t (really )?care|you'?re not (even )?trying|"
               r"you'?re being (so |really |very )?(irresponsible|selfish|childish|ridiculous)|"
               r"(a |an )?(pretty |very |really |so |totally )?(irresponsible|selfish|reckless) (attitude|thing|way|idea)|"
               r"stop blaming|(it'?s|that'?s) your own fault|you only have yourself to blame|"
               r"it'?s not (that|so) hard|listen to yourself|nobody'?s (picking on|out to get|against) you|"
               r"(you )?expect me to believe|why should i believe|i'?m sure this time (will|is going to) be|"
               r"how many times (have|do) i|"
               r"(that'?s|that was) (just |so |really |pretty )?(careless|reckless|irresponsible|selfish|lazy|addict (logic|thinking|talk))|"
               r"you'?re (a |an )(compulsive|junkie|drunk|liar)|until you admit|what kind of (a )?(parent|mother|father|person) (does that|thinks|lets|leaves)|"
               r"(is|was) (this|that) how you repay|(this|that) is how you repay|after all (the time|we'?ve|i'?ve)|you said (exactly )?the same (thing )?"
               r"(last|before)|once is (once )?too many|how could you (do|say|let|be so)|shame on you|you (should|ought to) be ashamed|"
               r"(^|[.!?] )grow up\b|what did you expect|are you (seriously|really|honestly) (telling|saying|expecting)|"
               r"and you'?re telling me|you honestly (think|believe|expect)|did you really (think|expect|come)|"
               r"i don'?t believe you|come off it|tell that to|(^|[.!?] )come on[.!?,]|[.!?,] come on[.!?]?$|"
               r"if you know( [a-z' ]{0,40})?,? (then )?why (are|do|did|would) you|why would you (miss|skip|do|drink|use|go)|"
               r"you should have (done|stopped|quit|told|come|gone|listened|known|thought)|"
               r"(you should have|should'?ve) [a-z ]{0,25} (years|months|weeks) ago|don'?t say i didn'?t warn you|"
               r"you were doing so well|(is|was) what got you (here|into)|heading the same way as|^see,|"
               r"there'?s no need to get (upset|angry|defensive|worked up)|you just need (more )?willpower|"
               r"you did let (her|him|them|us|me) down|i'?m only trying to help|if you (just |only )?(listened|tried)|"
               r"have you given (her|him|them) (a|any) reason)")
AFFIRM = _rx(r"\b(you'?ve (worked|tried) (really |so )?hard|(it|that) took (a lot of )?(courage|strength|guts)|"
             r"you'?re (really )?(determined|committed|resourceful|strong|brave)|"
             r"\bshows (how|your|real)|says (a lot|something|so much) about (you|the)|says (this|it) matters to you|"
             r"(that|it) takes (a kind of|real|a lot of) |that'?s (an|a real) achievement|"
             r"you'?re (someone|the kind of person) who|i (really )?(appreciate|admire)|you should be proud|"
             r"you (managed|did it|made it)|well done (for|on) [a-z]+ing|that'?s (a )?(great|real) (step|effort|achievement)|"
             r"you care (a lot|deeply) about|you'?ve (already )?(done|come|achieved) (so much|a lot)|"
             r"you'?ve kept (coming|going|at it|trying|showing up|turning up)|"
             r"you (kept|have kept) (coming|going|at it|trying|showing up|turning up)|"
             r"you'?ve (stuck with|kept up|held on|hung in|never missed|not missed|stayed))\b")
# Praise grades the client from above ("Well done! Keep it up.", "Good for you!"); an
# affirmation names the person's strength or effort, in "you" language (MI-REFERENCE: about
# the person, not praise of compliance; the drill-affirm-without-praising scenario). Praise
# is a weak affirmation cue beside "you" language, and on its own no affirmation at all
# (see is_bare_praise).
PRAISE = _rx(r"(?:^|[.!,;:]\s*)good for you\b|\b(well done|(good|great|nice) (job|work|one)|(i'?m|we'?re|i am) (so |really |very )?"
             r"proud of you|that'?s (so )?(great|brilliant|fantastic|wonderful|awesome|amazing|excellent)|"
             r"excellent|bravo|keep it up|keep up the good work)\b")
_YOU = _rx(r"\b(you|your|yours|yourself|you'?re|you'?ve|you'?d|you'?ll)\b")


def is_bare_praise(text: str) -> bool:
    """Whether ``text`` praises without naming anything of the person ("Only two? Well done!").

    "You followed that through all the way. Well done." names the effort, and "well done
    for coming in" names what was done: those are affirmations.
    """
    norm = normalize(text)
    return bool(PRAISE.search(norm)) and not AFFIRM.search(norm) and not _YOU.search(PRAISE.sub(" ", norm))


REFLECT_START = _rx(r"^(it sounds like|sounds like|it seems like|it seems|so you|you feel|you're feeling|"
                    r"you are feeling|you're saying|you're|you've been|you sound|so it's|so for you|"
                    r"what i'?m hearing|i'?m hearing|i hear|you really|part of you|on the one hand|"
                    r"you (don'?t|can'?t|want|wish|worry|wonder|find|think|believe|know|'d like))\b")
# Housekeeping carries no MITI behaviour (it is "other"): greetings and goodbyes, seating,
# the door, the phone, the clock, forms, booking, and agreement tokens on their own. A line
# is housekeeping only when every sentence is ("Hi. How has the week been?" is a question).
HOUSEKEEPING = _rx(r"^(hello|hi|hey|good (morning|afternoon|evening)|morning|bye|bye-bye|goodbye|see you|take care|"
                   r"thanks for (coming|having me|waiting)|thank you for (coming|waiting)|nice to (see|meet) you|"
                   r"no problem|no worries|sorry about (that|the wait)|(please )?(have|take|grab) a seat|"
                   r"come (on )?(in|through)|here you (are|go))\b",
                   r"^((of course|sure|okay|ok|right|alright|all right|mm-?hmm|uh-huh|yeah|yes|great|good|fine|"
                   r"(it'?s )?my pleasure|not at all|thanks|thank you)[ ,.!-]*)+$",
                   r"\b(i'?ll (just )?(grab|get|fetch|close|open|turn|switch|ring|call|put|find|check|be right back)|"
                   r"let me (just )?(grab|get|fetch|close|open|turn|switch|find|check (the time|my diary|the diary))|"
                   r"(we'?ve|we have) (only )?got (about )?(\w+ )?minutes left|book (you in|your next)|"
                   r"sign (here|at the bottom)|give me (a|one) (sec|second|minute|moment)|just a (sec|second|minute|moment)|"
                   r"(i'?ll|i will) wait|go ahead|for (the|your|our|my) (form|forms|record|records|file|paperwork))")


_INVITATION = _rx(r"\b(tell me|talk (to me )?about|describe|walk me through|fill me in|say more)\b")


def is_housekeeping(text: str) -> bool:
    """Whether every sentence of ``text`` is housekeeping (none a question or an invitation to talk)."""
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", normalize(text)) if s]
    return bool(sentences) and all(HOUSEKEEPING.search(s) and not s.endswith("?") and not _INVITATION.search(s)
                                   for s in sentences)


SUMMARY = _rx(r"\b(let me (see if i|summari[sz]e|pull|make sure)|to sum up|so far you'?ve (said|told|mentioned)|"
               r"you'?ve (told|mentioned|said) (me )?(a few|several|some) things|let me check i'?ve got|"
               r"so, to recap|if i put together)\b")
INFO = _rx(r"\b(methadone|research|studies|the clinic|the programme|the program|doctors|the dose|"
           r"side effects|most people|usually|the law|insurance|meetings are|the guideline|"
           r"it (is|can be) (common|normal)|we (offer|have|open))\b")
FILLER = _rx(r"^(mm+(-?hmm)?|uh-?huh|okay|ok|right|yeah|yes|i see|sure|hello|hi|good (morning|afternoon)|"
             r"thanks|thank you|alright|all right)[.!,]*$")

CHANGE = {
    Subtype.DESIRE: _rx(r"\bi (really )?(want|wish|'d like|would like|hope) to (stop|quit|cut|get|be|go|start|change|try)"),
    Subtype.ABILITY: _rx(r"\bi (could|can|am able to|'m able to|think i can|managed)\b(?! ?not)"),
    Subtype.REASONS: _rx(r"\b(if i (stopped|quit|cut down)|i'?d (have|be|feel) (more|better)|"
                         r"for my (kids|children|daughter|son|family|wife|husband|health))\b"),
    Subtype.NEED: _rx(r"\bi (have to|need to|must|'ve got to|got to) (stop|quit|cut|change|do something|get)"),
    Subtype.COMMITMENT: _rx(r"\bi (will|'ll|am going to|'m going to|promise)\b"),
    Subtype.ACTIVATION: _rx(r"\bi'?m (ready|willing|prepared) to\b"),
    Subtype.TAKING_STEPS: _rx(r"\bi (went|started|stopped|called|threw|cut down|signed up|haven'?t (used|had|drunk|smoked))\b"),
}
SUSTAIN = {
    Subtype.DESIRE: _rx(r"\bi (like|love|enjoy) (it|how|the|drinking|smoking|using)|i don'?t want to (stop|quit|change|go)"),
    Subtype.ABILITY: _rx(r"\bi (can'?t|couldn'?t|won'?t be able)\b"),
    Subtype.REASONS: _rx(r"\b(it helps me|it'?s just another drug|it'?s not (that )?bad|everyone (does|drinks)|"
                         r"it relaxes me|it'?s (not|no) (a )?(problem|big deal))\b"),
    Subtype.NEED: _rx(r"\bi need (it|to drink|to use|a drink|my)\b"),
    Subtype.COMMITMENT: _rx(r"\bi'?m not (going|gonna) (to )?(stop|quit|go|change)|i won'?t\b"),
    Subtype.ACTIVATION: _rx(r"\bi'?m not ready|i'?m not willing\b"),
    Subtype.TAKING_STEPS: _rx(r"\bi (skipped|missed|used again|relapsed|drank again|started again)\b"),
}
# Change talk in plain first-person words: a change the client commits to, is ready for,
# must make or has already begun ("I'll call the doctor tomorrow", "I have to stop; my liver
# results were bad", "I'm ready to try", "I haven't had a drink since Sunday"), and a plain
# wish ("I want to be awake for my son", "I don't want to end up like my dad"). AnnoMI's
# clients rarely say it so plainly, so the trained coder reads such lines as neutral; see
# change_talk_cue. A step back ("I'm going to start drinking again", "I stopped taking my
# tablets") is not a cue.
_CHANGE_ACT = (r"(stop|quit|cut (it |that |this )?(down|back|out)|reduce|give (it |them |that )?up|stay (off|away from|clean|sober)|"
               r"keep off|call|ring|phone|book|make (an|the) appointment|see (the|a|my) (doctor|gp|nurse|counsellor|"
               r"counselor|worker|dentist|specialist)|go (back )?to (the |a |my )?(meeting|meetings|group|clinic|doctor|gp|"
               r"appointment|session|aa|na|rehab|detox|treatment)|come back|tell(?! you)|talk to|ask|try|start (taking|going|"
               r"coming|using (the )?(patch|patches|gum)|walking|exercising|looking|the (patch|programme|program|treatment))|"
               r"take (my|the|them|it) (pills|tablets|medication|meds|dose|every)|take (them|it) (every|each|properly|on time)|"
               r"throw|bin|get rid of|sign up|join|look into|find (a|out)|switch|swap|change|set (a|the) (date|quit date)|"
               r"pour|delete|put (it|them|the \w+) away|do (it|something|this|that)|give it a (go|try|shot)|make (a|the) change)")
_STEP_BACK = r"(?! (drinking|using|smoking|gambling|betting|injecting|taking (my|the) (pills|tablets|meds|medication|methadone)|going to (the )?(meetings|clinic|group)|coming))"
CHANGE_TALK_CUES = {
    Subtype.COMMITMENT: _rx(rf"\bi(?:'ll| will| am going to|'m going to|'m gonna| promise to| plan to|'m planning to|"
                            rf" intend to|'ve decided to| have decided to)(?: definitely| really| actually| honestly| "
                            rf"first thing| just)? {_CHANGE_ACT}\b{_STEP_BACK}"),
    Subtype.ACTIVATION: _rx(r"\bi(?:'m| am) (?:really |finally |definitely )?(?:ready|willing|prepared|determined) "
                            r"(?:to (?!keep|carry on|go on)|for (?:a |the )?change)"),
    Subtype.NEED: _rx(rf"\bi (?:really |just |honestly )?(?:have to|need to|must|'ve got to|have got to|gotta) {_CHANGE_ACT}\b"
                      rf"{_STEP_BACK}"),
    Subtype.TAKING_STEPS: _rx(r"\bi(?:'ve| have)? (?:already |finally |just )?(?:started (?:taking|going|walking|using the (?:patch|gum))|"
                              r"cut (?:down|back)|called|rang|phoned|booked|made (?:an|the) appointment|signed up|joined|"
                              r"(?:threw|thrown) (?:away|out)|got(?:ten)? rid of|poured|deleted|went to (?:my|a|the) "
                              r"(?:first )?(?:meeting|group|session|appointment|doctor|gp|clinic))\b",
                              r"\bi (?:haven'?t|have not|didn'?t) (?:had a (?:drink|smoke|cigarette|bet|pint)|drunk|smoked|used|"
                              r"touched (?:it|a drop|the stuff)|gambled|placed a bet|missed a dose) (?:for|since|in|all|this)\b",
                              r"\bi'?ve been (?:clean|sober|off (?:it|the \w+)|dry|smoke-free) (?:for|since)\b"),
    Subtype.DESIRE: _rx(r"\bi (?:really |just |so |do )?(?:want|wish|'d like|would like|'d love|would love|hope) to "
                        r"(?:be|stop|quit|cut|get|go back|start|change|try|feel|see|take|spend|come off|give up|have|do|"
                        r"sleep|love|talk|ask)\b",
                        r"\bi (?:don'?t|do not|never) want to (?:end up|be (?:the|like|a|that)|lose|go back to|die|"
                        r"keep (?:doing|drinking|using|smoking)|miss)\b"),
}


def change_talk_cue(text: str) -> Subtype | None:
    """The change-talk subtype a client line states plainly (mobilising first), or None.

    A clause that negates itself ("I'm not going to stop", "I won't call") gives no cue.
    """
    norm = normalize(text)
    for subtype, rx in CHANGE_TALK_CUES.items():
        for match in rx.finditer(norm):
            before = norm[max(0, match.start() - 12):match.start()]
            if not re.search(r"(not|n't|never|no way)\W*$", before):
                return subtype
    return None


DISCORD = _rx(r"\b(you don'?t understand|you don'?t know (anything|me)|stop (telling|lecturing|nagging)|"
              r"leave me alone|who are you to|none of your business|you'?re just like)\b")


def urges(sentences: Sequence[str]) -> bool:
    """Whether a sentence (normalised) urges the client ("you need to stop"), outside a reflection.

    The rule-based coder codes such a sentence as persuasion; the trained coder's decode
    rules keep a line that urges from being read as a reflection.
    """
    return any((PERSUADE.search(s) and not REFLECTIVE_FRAME.search(s)) or COMMAND.search(s) for s in sentences)


class RuleBasedCoder:
    """Deterministic keyword rules: the fallback coder and the engine tests' coder."""

    name = "rule-based"
    languages = ("en",)

    @staticmethod
    def unreadable(text: str) -> Unreadable | None:
        """Empty text, or text without a letter: nothing for the rules to read."""
        norm = normalize(text)
        if not any(ch.isalpha() for ch in norm):
            return Unreadable.SYMBOLS if norm else Unreadable.EMPTY
        return None

    def code_response(self, text: str, context: Sequence[Utterance] = (),
                      sides: ClientSides | None = None) -> ResponseCoding:
        reason = self.unreadable(text)
        if reason:
            return ResponseCoding(primary=None, coder=self.name, uncoded_reason=reason_text(reason, self.languages))
        norm = normalize(text)
        sentences = [s.strip() for s in re.split(r"(?<=[.?!])\s+", norm) if s.strip()]
        codes: dict[SkillCode, float] = {}

        def add(code: SkillCode, conf: float) -> None:
            codes[code] = max(conf, codes.get(code, 0.0))

        if CONFRONT.search(norm):
            add(SkillCode.CONFRONT, 0.8)
        if PERMISSION.search(norm):
            add(SkillCode.SEEKING_COLLABORATION, 0.75)
            if ADVICE_AFTER_PERMISSION.search(norm) or urges(sentences):
                add(SkillCode.PERSUADE_WITH_PERMISSION, 0.7)
        elif urges(sentences):
            if AUTONOMY.search(norm):
                add(SkillCode.PERSUADE_WITH_PERMISSION, 0.65)
            else:
                add(SkillCode.PERSUADE, 0.85 if any(COMMAND.search(x) for x in sentences) else 0.75)
        if AUTONOMY.search(norm):
            add(SkillCode.EMPHASIZING_AUTONOMY, 0.8)
        if AFFIRM.search(norm) and SkillCode.CONFRONT not in codes:
            add(SkillCode.AFFIRMATION, 0.75)
        elif PRAISE.search(norm) and not is_bare_praise(norm) and SkillCode.CONFRONT not in codes:
            # "You went to the meeting. Good for you!": likely, but too weak a cue to overrule
            # a model ("Great job! I knew you could do it." is praise).
            add(SkillCode.AFFIRMATION, 0.6)
        if COLLABORATION.search(norm) and SkillCode.SEEKING_COLLABORATION not in codes:
            add(SkillCode.SEEKING_COLLABORATION, 0.6)
        client_lines = [u for u in context if u.speaker is Speaker.CLIENT]
        if SUMMARY.search(norm) or (len(sentences) >= 3 and len(client_lines) >= 3 and self._gathers(norm, client_lines)):
            add(SkillCode.SUMMARY, 0.7)
        last_client = client_lines[-1].text if client_lines else ""
        for sentence in sentences:
            asks = sentence.endswith("?")
            if asks and PERMISSION.search(sentence):
                continue  # asking permission is seeking collaboration, not a question to code
            if asks and OPEN_START.search(sentence):
                add(SkillCode.OPEN_QUESTION, 0.85)
            elif asks and CLOSED_START.search(sentence):
                add(SkillCode.CLOSED_QUESTION, 0.8)
            elif asks:
                add(SkillCode.CLOSED_QUESTION if len(tokens(sentence)) < 4 else SkillCode.OPEN_QUESTION, 0.55)
            elif OPEN_START.search(sentence) and sentence.startswith(("tell me", "describe", "help me")):
                add(SkillCode.OPEN_QUESTION, 0.75)
            elif urges([sentence]) or CONFRONT.search(sentence):
                continue
            elif GUESSED_FEELING.search(sentence):
                add(SkillCode.COMPLEX_REFLECTION, 0.7)
            elif REFLECT_START.search(sentence):
                complex_ = bool(re.search(r"\b(part of you|on the one hand|feel|worr|afraid|scared|wonder|"
                                          r"really|sounds like|seems|important|matters|even though)\b", sentence))
                add(SkillCode.COMPLEX_REFLECTION if complex_ else SkillCode.SIMPLE_REFLECTION, 0.7)
            elif sentence.startswith("so ") and last_client and self._overlap(sentence, last_client) >= 0.3:
                add(SkillCode.SIMPLE_REFLECTION, 0.65)
        if not codes and INFO.search(norm):
            add(SkillCode.GIVING_INFORMATION, 0.55)
        if not codes and client_lines and self._overlap(norm, client_lines[-1].text) >= 0.4:
            add(SkillCode.SIMPLE_REFLECTION, 0.55)
        if not codes:
            add(SkillCode.OTHER, 0.6 if FILLER.search(norm) else 0.4)
        if SkillCode.SUMMARY in codes:
            codes.pop(SkillCode.SIMPLE_REFLECTION, None)
            codes.pop(SkillCode.COMPLEX_REFLECTION, None)
        if SkillCode.COMPLEX_REFLECTION in codes:  # one reflection code per volley, complex wins
            codes.pop(SkillCode.SIMPLE_REFLECTION, None)
        primary = max(codes, key=lambda c: (_PRIORITY.index(c) * -1, codes[c]))
        ordered = sorted(codes.items(), key=lambda kv: (kv[0] is not primary, -kv[1], kv[0].value))
        return ResponseCoding(primary=primary, codes=tuple(CodeScore(code=c, confidence=p) for c, p in ordered),
                              uncertain=codes[primary] < 0.6, coder=self.name)

    @staticmethod
    def _overlap(text: str, other: str) -> float:
        mine = content_words(tokens(text))
        return len(mine & content_words(tokens(normalize(other)))) / len(mine) if mine else 0.0

    def _gathers(self, norm: str, client_lines: Sequence[Utterance]) -> bool:
        touched = sum(1 for u in client_lines[-6:] if self._overlap(norm, u.text) > 0.1)
        return touched >= 3

    def code_client(self, text: str, context: Sequence[Utterance] = ()) -> ClientCoding:
        reason = self.unreadable(text)
        if reason:
            return ClientCoding(talk=None, coder=self.name, uncoded_reason=reason_text(reason, self.languages))
        norm = normalize(text)
        if DISCORD.search(norm):
            return ClientCoding(talk=TalkType.DISCORD, confidence=0.7, scores={"discord": 0.7}, coder=self.name)
        cue = change_talk_cue(norm)
        if cue is not None:
            return ClientCoding(talk=TalkType.CHANGE, subtype=cue, confidence=0.7, scores={"change": 0.7},
                                coder=self.name)
        for talk, table in ((TalkType.SUSTAIN, SUSTAIN), (TalkType.CHANGE, CHANGE)):
            for subtype, rx in table.items():
                if rx.search(norm):
                    return ClientCoding(talk=talk, subtype=subtype, confidence=0.65,
                                        scores={talk.value: 0.65}, coder=self.name)
        return ClientCoding(talk=TalkType.NEUTRAL, confidence=0.5, scores={"neutral": 0.5},
                            uncertain=True, coder=self.name)


# Which code is primary when several fire: non-adherent behaviour first (it is what a
# trainer must see), then reflections (MITI: a reflection wins over a question).
_PRIORITY = [
    SkillCode.CONFRONT,
    SkillCode.PERSUADE,
    SkillCode.SUMMARY,
    SkillCode.COMPLEX_REFLECTION,
    SkillCode.SIMPLE_REFLECTION,
    SkillCode.PERSUADE_WITH_PERMISSION,
    SkillCode.EMPHASIZING_AUTONOMY,
    SkillCode.AFFIRMATION,
    SkillCode.SEEKING_COLLABORATION,
    SkillCode.OPEN_QUESTION,
    SkillCode.CLOSED_QUESTION,
    SkillCode.GIVING_INFORMATION,
    SkillCode.OTHER,
]
