"""Mend Assistant: the patient-education chatbot of Mend Physical Therapy.

Where a patient's message goes: a channel in ``bot.channels`` receives it, Rasa's NLU pipeline
(``config.yml``, with the spaCy pipeline built by ``bot.nlp``) reads it, and the actions in
``actions/`` answer from the knowledge base in ``bot.knowledge`` with citations from
``bot.citations``.
"""

PROJECT_ROOT_MARKER = "domain.yml"
