"""What customers say: comments in six languages, tied to their scores (issue 16).

The pipeline: :func:`comment_frame` (personal data masked, language, tokens, the tone from
the respondent's own score), then :func:`distinguishing_terms` (weighted log-odds of
unhappy against happy comments), :func:`find_themes` (TF-IDF and NMF), the topics of a
dictionary (:func:`load_topics`, :func:`tag_topics`, :func:`topic_summary`,
:func:`topic_trend`), :func:`keyword_in_context`, and :func:`topic_flags` for the key
drivers.
"""
from .frame import TONES, CommentFrame, comment_frame, language_table, tone_of, topic_flags
from .kwic import UNSPACED, fold, fold_with_positions, keyword_in_context
from .language import LANGUAGES, LANGUAGE_NAMES, detect_language, detect_languages, language_name
from .logodds import Z_SIDE, DistinguishingTerms, distinguishing_terms, weighted_log_odds
from .themes import NO_THEME, Themes, find_themes
from .tokens import normalise, phrases, tokenize, tokenize_many
from .topics import (Topic, TopicDictionary, TopicSummary, choose_period, load_topics,
                     tag_topics, topic_summary, topic_trend)

__all__ = ["TONES", "CommentFrame", "comment_frame", "language_table", "tone_of",
           "topic_flags", "UNSPACED", "fold", "fold_with_positions", "keyword_in_context",
           "LANGUAGES", "LANGUAGE_NAMES", "language_name", "detect_language", "detect_languages", "Z_SIDE",
           "DistinguishingTerms", "distinguishing_terms", "weighted_log_odds", "NO_THEME", "Themes",
           "find_themes", "normalise", "phrases", "tokenize", "tokenize_many", "Topic",
           "TopicDictionary", "TopicSummary", "choose_period", "load_topics", "tag_topics",
           "topic_summary", "topic_trend"]
