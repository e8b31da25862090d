"""Text messages (SMS) through Twilio: the Rasa input channel and what it needs.

:mod:`bot.sms.channel` is the channel Rasa loads (``credentials.yml``): it checks Twilio's
signature, answers carrier keywords, records opt-outs and sends replies. The rest can be tested
without Rasa or Twilio: :mod:`.formatting` (replies fitted to a phone), :mod:`.keywords` (STOP,
START, HELP), :mod:`.store` and :mod:`.models` (the SMS tables), :mod:`.settings`.
"""
