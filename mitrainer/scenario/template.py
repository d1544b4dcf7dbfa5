"""The starting point that ``mitrainer new ID`` writes: small, valid and commented."""

from __future__ import annotations

import re

from mitrainer.errors import InputError

# The JSON Schema file a new scenario's first line points editors at (``mitrainer schema scenario``).
SCENARIO_SCHEMA_FILE = "scenario.schema.json"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

TEMPLATE = """\
# yaml-language-server: $schema={schema}
# A mitrainer scenario. The format is described in docs/scenario-format.md.
# Check it with:  mitrainer validate {id}.yaml
# Try it with:    mitrainer play {id}.yaml --responses answers.txt
schema_version: 1
id: {id}
title: "{title}"
language: en
topic: "What the conversation is about"
setting: "Where it happens and who the counsellor is"
difficulty: beginner          # beginner | intermediate | advanced
minutes: 5
learning_goals:
  - Reflect the client's own reasons for change
author: "Your name"
version: "1"

persona:
  name: Sam
  age: 34
  background: "A few sentences the trainee reads before starting."
  stage: contemplation        # precontemplation | contemplation | preparation | action | maintenance | relapse
  values: [family]
  fears: [being judged]
  avoids: [talking about the past]

variables:
  rapport: {{type: int, default: 1, min: 0, max: 5, label: Rapport, meter: true}}

start: opening

nodes:
  opening:
    client: "I'm not sure why I'm here, to be honest. My sister made the appointment."
    cue: "arms folded"
    talk: sustain
    subtype: reasons
    responses:
      - when: {{skills: [complex_reflection, simple_reflection]}}
        effects: {{add: {{rapport: 1}}}}
        goto: opens_up
        note: "A reflection shows you heard them; the client relaxes."
      - when: {{skills: [persuade, confront]}}
        effects: {{add: {{rapport: -1}}}}
        goto: pushes_back
        note: "Arguing for change invites the client to argue against it."
      - goto: opens_up            # the fallback: a branch without 'when'
    exemplars:
      - text: "Coming here wasn't your idea."
        codes: [simple_reflection]
        why: "Stays close to what the client said, without judgement."
      - text: "You're here for your sister, and part of you wonders what this is all for."
        codes: [complex_reflection]
        why: "Adds the unspoken part: doubt about the point of coming."
      - text: "What made you decide to come anyway?"
        codes: [open_question]
        why: "Invites the client's own reasons for being here."
        direction: change  # it asks about the side that brought them here

  pushes_back:
    client: "See, this is what everyone does. Lecturing me."
    talk: discord
    responses:
      - when: {{skills: [complex_reflection, simple_reflection, emphasizing_autonomy]}}
        effects: {{add: {{rapport: 1}}}}
        goto: opens_up
      - goto: walks_out
    exemplars:
      - text: "You're tired of being told what to do."
        codes: [complex_reflection]
        why: "Reflecting the discord instead of defending yourself lowers it."
      - text: "What would you like to get out of today, if anything?"
        codes: [seeking_collaboration, open_question]
        why: "Hands the agenda back to the client."
      - text: "It's really up to you what happens next."
        codes: [emphasizing_autonomy]
        why: "Autonomy defuses the feeling of being pushed."

  opens_up:
    client: "I guess I do want things to be calmer at home."
    talk: change
    subtype: desire
    ending:
      outcome: engaged
      title: "The client opens up"
      debrief: "Listening first let the client name a reason for change in their own words."

  walks_out:
    client: "I think I'm done for today."
    talk: discord
    ending:
      outcome: disengaged
      title: "The client leaves"
      debrief: "Discord grew when the response argued or missed the client's feelings. Try reflecting instead."
"""


def render(scenario_id: str, title: str | None = None) -> str:
    """The template for a new scenario, its first line pointing editors at the schema beside it."""
    if not ID_PATTERN.match(scenario_id):
        raise InputError(f"'{scenario_id}' is not a valid scenario id: use lower-case letters, digits, '-' and '_'")
    return TEMPLATE.format(id=scenario_id, title=title or scenario_id.replace("-", " ").replace("_", " ").capitalize(),
                           schema=SCENARIO_SCHEMA_FILE)
