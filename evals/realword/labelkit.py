"""Small helpers for the label tables (labels_zh.py, labels_en.py)."""


def L(ref, intent, case, action, at=None, viewer=None, facts=(), forbid=(), swaps=(), style=None):
    """One labelled item: its sample ref, our intent and case, the expected action, the moment
    (`at`, seconds or A(anchor)), the viewer, facts the answer must hold, and the light
    adaptations applied to the real text (old substring -> new)."""
    return {"ref": ref, "intent": intent, "case": case, "action": action, "at": at, "viewer": viewer,
            "facts": list(facts), "forbid": list(forbid), "swaps": list(swaps), "style": style}


def A(anchor, delta=3):
    """`delta` seconds after the end of the transcript segment `anchor`."""
    return ("after", anchor, delta)


def P(policy_id, s):
    return ("policy", policy_id, s)


def PR(sku, s):
    return ("product", sku, s)


def T(s):
    return ("transcript", s)


def THIS(s):
    return ("this", s)


def TRK(n):
    """The tracking number of the shop's order number n (must be the viewer's)."""
    return ("trk", n)


def OID(n):
    """The id of the shop's order number n, as a fact or as a swap target."""
    return ("oid", n)
