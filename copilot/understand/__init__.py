"""Understanding a viewer's message: language, intent, order ids, deixis."""

from copilot.understand.classifier import IntentClassifier
from copilot.understand.features import Understanding, understand

__all__ = ["IntentClassifier", "Understanding", "understand"]
