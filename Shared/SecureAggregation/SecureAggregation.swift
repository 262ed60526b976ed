/// SecureAggregation: the SecAgg+ protocol's pure core — Shamir sharing, pairwise and self
/// masks expanded by a cryptographic PRG, authenticated share encryption, and unmasking with
/// dropouts. No I/O: agents and the coordinator exchange its messages.
///
/// # Protocol (Bonawitz et al., CCS 2017; Bell et al. "SecAgg+", CCS 2020)
/// One round, between the agents (``SecAggClient``) and the coordinator (``SecAggServer``), who
/// only relays and sums. Every agent message is signed with the agent's long-term Ed25519 key
/// over a canonical transcript that names the round's ``SessionID`` (a hash of the whole
/// ``SecAggConfiguration``) and the stage, so the coordinator can neither forge, alter nor replay
/// a message into another stage or round.
///
/// 1. **Advertise keys** — each agent makes two fresh X25519 key pairs, `c` (share encryption)
///    and `s` (mask agreement), and a 32-byte self-mask seed `b`, and sends the public halves and
///    a SHA-256 commitment to `b`.
/// 2. **Share keys** — the coordinator gives each agent its surviving neighbours' signed
///    advertisements (``NeighbourGraph``: complete, or a seeded random ring of degree k). The
///    agent Shamir-shares `b` and the secret `s` key, threshold t, among its neighbourhood
///    (itself included), and encrypts each neighbour's share with ChaCha20-Poly1305 under an
///    HKDF-SHA256 key from X25519(c_own, c_neighbour). The coordinator relays ciphertexts only.
/// 3. **Masked input** — the agent quantises its update (``Quantiser``), adds the self mask
///    PRG(b) and, for every neighbour whose shares it received, ±PRG(X25519(s_own, s_neighbour)),
///    all modulo 2^32. The coordinator folds each masked vector into one running sum.
/// 4. **Consistency check** — the coordinator announces the survivors; each signs that list.
/// 5. **Unmasking** — after checking at least t signatures over the same survivor list, each
///    agent reveals, for every neighbour whose shares it holds, the share of `b` if that
///    neighbour survived, or the share of its `s` key if it dropped — never both. The coordinator
///    reconstructs, removes the survivors' self masks and the dropped agents' pairwise masks, and
///    obtains the sum of the survivors' quantised updates and nothing else.
///
/// # Primitives and why
/// - **Field**: Shamir sharing over GF(2^61 − 1). A 32-byte secret is cut into five chunks of at
///   most 56 bits, each shared with the same x-coordinates. A Mersenne prime reduces with shifts
///   and adds and no table look-ups (so no secret-indexed memory access, unlike log/antilog
///   GF(2^8)), and it has no 255-holder limit.
/// - **PRG**: the ChaCha20 keystream (RFC 8439, counter from 1) under a 256-bit key, produced
///   by swift-crypto's ChaCha20-Poly1305 sealing zeros, in 64 KiB chunks whose nonce is the
///   chunk number. ``MaskExpander``.
/// - **KDF**: HKDF-SHA256, salt = session ID, info = purpose and both agents' identifiers.
/// - **AEAD**: ChaCha20-Poly1305 for shares, with the session and both identifiers as
///   associated data. **Signatures**: Ed25519.
/// - **Quantisation**: clip to [−c, c], scale to integers in [−L, L] with
///   L = ⌊(2^31 − 1) / n⌋, so the sum of up to n agents never wraps as a signed 32-bit integer;
///   nearest or stochastic (unbiased) rounding.
public enum SecureAggregation {}
