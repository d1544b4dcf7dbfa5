"""The rule-based coder: the fallback and the engine tests' coder."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitrainer.codes import SkillCode, Speaker, TalkType
from mitrainer.coding.base import Coder, Utterance
from mitrainer.coding.rules import RuleBasedCoder, is_bare_praise, is_housekeeping

RULES = RuleBasedCoder()


@pytest.mark.parametrize(("text", "expected"), [
    ("What brings you here today?", SkillCode.OPEN_QUESTION),
    ("Do you go every day?", SkillCode.CLOSED_QUESTION),
    ("It sounds like the trips wear you out.", SkillCode.COMPLEX_REFLECTION),
    ("Would it be OK if I shared something about methadone?", SkillCode.SEEKING_COLLABORATION),
    ("You need to stop drinking.", SkillCode.PERSUADE),
    ("It's your choice, it's up to you.", SkillCode.EMPHASIZING_AUTONOMY),
    ("You're just making excuses.", SkillCode.CONFRONT),
    ("You've worked hard to get here. It took courage.", SkillCode.AFFIRMATION),
    ("Mm-hmm.", SkillCode.OTHER),
    ("You went to the meeting. Good for you!", SkillCode.AFFIRMATION),
    ("Walking in here after the night you've had says a lot about you.", SkillCode.AFFIRMATION),
    ("Six weeks on your own like that takes real determination.", SkillCode.AFFIRMATION),
])
def test_obvious_cases(text, expected):
    assert RULES.code_response(text, [Utterance(Speaker.CLIENT, "The trips wear me out.")]).primary is expected


def test_good_for_you_as_persuasion_is_no_affirmation():
    """ "Good for you!" praises; "it will be good for you" pushes (seen in the trainer)."""
    result = RULES.code_response("You just need to go, it will be good for you.",
                                 [Utterance(Speaker.CLIENT, "Those meetings are for proper addicts.")])
    assert not result.has(SkillCode.AFFIRMATION)


def test_reflection_and_question():
    result = RULES.code_response("So the trips wear you out. What would make them easier?",
                                 [Utterance(Speaker.CLIENT, "The trips wear me out.")])
    assert result.primary is SkillCode.SIMPLE_REFLECTION
    assert result.has(SkillCode.OPEN_QUESTION)


def test_client_rules():
    assert RULES.code_client("I want to stop using heroin.").talk is TalkType.CHANGE
    assert RULES.code_client("I can't get there every day.").talk is TalkType.SUSTAIN
    assert RULES.code_client("It was a Tuesday.").talk is TalkType.NEUTRAL


def test_protocol_and_determinism():
    assert isinstance(RULES, Coder) and "rule" in RULES.name
    a = RULES.code_response("How are things at home?")
    assert a == RULES.code_response("How are things at home?")


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=200))
def test_any_text(text):
    assert RULES.code_response(text).coded or RULES.code_response(text).uncoded_reason
    RULES.code_client(text)


@pytest.mark.parametrize("text", [
    "Part of you feels like methadone has become a new master you have to answer to every morning.",
    "You have to go every day, and it wears you out.",
    "It sounds like you need to be sure before you commit.",
])
def test_obligation_inside_a_reflection_is_not_persuade(text):
    result = RULES.code_response(text, [Utterance(Speaker.CLIENT, "I feel like I've swapped one master for another.")])
    assert not result.has(SkillCode.PERSUADE), result


def test_persistence_is_affirmed():
    result = RULES.code_response("You've kept coming for fourteen months, even with the long ride.")
    assert result.primary is SkillCode.AFFIRMATION


@pytest.mark.parametrize(("text", "expected"), [
    # "must" guessing at the client's experience is a reflection, not an order
    ("You must feel exhausted.", SkillCode.COMPLEX_REFLECTION),
    ("It must be hard to keep going like this.", SkillCode.COMPLEX_REFLECTION),
    ("You must have been scared when they found out.", SkillCode.COMPLEX_REFLECTION),
    ("I wonder if you're tired of the arguments too.", SkillCode.COMPLEX_REFLECTION),
    # "must" as an order stays persuasion, in every form
    ("You must stop drinking before bed.", SkillCode.PERSUADE),
    ("You mustn't miss a dose.", SkillCode.PERSUADE),
    ("You must not share needles.", SkillCode.PERSUADE),
    ("You must be careful with the dose.", SkillCode.PERSUADE),
    # "why don't you tell me" invites talk; "why don't you just stop" urges
    ("Why don't you tell me more about that?", SkillCode.OPEN_QUESTION),
    ("Why don't you start by telling me about a typical night?", SkillCode.OPEN_QUESTION),
    ("Why don't you just stop?", SkillCode.PERSUADE),
])
def test_must_and_why_dont_you(text, expected):
    result = RULES.code_response(text, [Utterance(Speaker.CLIENT, "I drink to get to sleep after my shift.")])
    assert result.primary is expected
    if expected is not SkillCode.PERSUADE:
        assert not result.has(SkillCode.PERSUADE)


@pytest.mark.parametrize("text", [
    "You're obviously kidding yourself about the dose.",
    "That was reckless. You could have died.",
    "Oh, come on. You honestly think nobody noticed?",
    "How many times have I told you not to mix them?",
    "You're a junkie, and until you admit it nothing changes.",
    "After all we've done for you, you skip the appointment?",
    "Stop blaming your brother for your own choices.",
    "Shame on you, with a baby in the house.",
    "If you know it's bad for you, why do you keep going back?",
    "You should have told the nurse weeks ago.",
    "Don't say I didn't warn you when the results come back.",
    "There's no need to get defensive about it.",
])
def test_confrontations_are_confront(text):
    assert RuleBasedCoder().code_response(text).primary is SkillCode.CONFRONT


@pytest.mark.parametrize("text", [
    "What kind of parent would you like to be for her?",
    "You want your son to grow up somewhere safe.",
    "How could you fit a walk into the afternoon?",
    "You're worried you'll come across as selfish.",
])
def test_words_of_confrontation_inside_other_acts_are_not(text):
    assert RuleBasedCoder().code_response(text).primary is not SkillCode.CONFRONT


@pytest.mark.parametrize(("text", "expected"), [
    ("Hi Lan, come in. Have a seat.", True),
    ("Sorry about the wait. I'll just close the door.", True),
    ("Mm-hmm. Okay.", True),
    ("We've only got ten minutes left, so let me book your next one.", True),
    ("We've only got ten minutes left. What would you like to focus on?", False),
    ("We've got about five minutes left. Let me find the diary.", True),
    ("Hi. How has the week been?", False),
    ("Okay, so the mornings are the hardest.", False),
    ("Have a seat and tell me what brings you here.", False),
    ("Sorry, I just need your date of birth for the form.", True),
])
def test_housekeeping_is_every_sentence(text, expected):
    assert is_housekeeping(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Well done! Keep it up.", True),
    ("Only two? Well done!", True),
    ("Good for you! There's nothing to be ashamed of.", True),
    ("I'm so proud of you.", True),
    ("You followed that through all the way. Well done.", False),  # names the effort
    ("Well done for coming in today.", False),                      # names what was done
    ("It took courage to tell her. Good for you.", False),
    ("You went to the clinic.", False),                             # no praise at all
])
def test_bare_praise_names_nothing_of_the_person(text, expected):
    assert is_bare_praise(text) is expected
    if expected:
        assert RuleBasedCoder().code_response(text).primary is not SkillCode.AFFIRMATION
