"""What customers say: comments in six languages, tied to their scores (issue 16)."""
from .language import LANGUAGES, LANGUAGE_NAMES, detect_language, detect_languages
from .tokens import normalise, phrases, tokenize, tokenize_many
