"""Text messages (SMS) through Twilio: formatting for a phone, carrier keywords, and the SMS tables.

The Rasa input channel lives in :mod:`bot.channels.twilio_sms`; this package holds the parts it
uses that can be tested without Rasa or Twilio.
"""
