"""Understanding a viewer's message: language, intent, order ids, deixis."""

from copilot.understand.classifier import IntentClassifier
from copilot.understand.features import (
    ANSWERABLE_INTENTS,
    ESCALATING_INTENTS,
    Understanding,
    understand,
)

__all__ = [
    "ANSWERABLE_INTENTS",
    "ESCALATING_INTENTS",
    "IntentClassifier",
    "Understanding",
    "understand",
]
